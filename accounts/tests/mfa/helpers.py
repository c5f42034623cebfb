"""TOTP with a controlled clock: RFC 6238 codes computed by the test itself."""

import hashlib
import hmac
import struct
from contextlib import contextmanager
from unittest import mock

from django_otp.plugins.otp_totp import models as totp_models

T0 = 1_800_000_000  # a fixed Unix time, so every run sees the same time steps


def rfc6238(key: bytes, at: float, *, step: int = 30, digits: int = 6) -> str:
    """Return the TOTP code of `key` at Unix time `at` (RFC 6238 with HMAC-SHA1)."""
    counter = int(at // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


@contextmanager
def totp_clock(at: float):
    """Make django-otp's TOTP check see the Unix time `at` (it reads time.time())."""
    with mock.patch.object(totp_models.time, "time", return_value=at):
        yield
