"""Enrol factors directly through the services, with the TOTP clock controlled."""

from accounts.mfa.services import totp_device_begin, totp_device_confirm
from accounts.tests.mfa.helpers import T0, rfc6238, totp_clock


def totp_enrolled(user, *, at=T0 - 3600):
    """Give the user a confirmed TOTP device (confirmed an hour before T0)."""
    device = totp_device_begin(user=user)
    with totp_clock(at):
        assert totp_device_confirm(device=device, token=rfc6238(device.bin_key, at))
    device.refresh_from_db()
    return device
