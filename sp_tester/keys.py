"""The tester's own SP key pair, kept in one git-ignored file shared by every worker.

NOTE: a key made per process would differ between workers, and one derived from
SECRET_KEY would need a deterministic RSA generator; a file like the development
secrets (portal.settings.env.dev_secret) is shared, survives restarts (so the certificate
seed_demo gave the IdP stays valid) and holds no user data.
"""

import contextlib
import datetime
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

CERT_VALID_DAYS = 10 * 365


@dataclass(frozen=True)
class SpKeyPair:
    private_key_pem: str
    certificate_pem: str


def sp_key_pair(path: Path) -> SpKeyPair:
    """Return the key pair stored at `path`, creating it on first use."""
    if not path.exists():
        _create(path)
    text = path.read_text()
    marker = "-----BEGIN CERTIFICATE-----"
    key, _, cert = text.partition(marker)
    return SpKeyPair(private_key_pem=key.strip() + "\n", certificate_pem=marker + cert)


def _create(path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tessera SAML Tester")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=CERT_VALID_DAYS))
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ) + cert.public_bytes(serialization.Encoding.PEM)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".sp-tester-")
    try:
        os.write(descriptor, pem)
        os.close(descriptor)
        # link() fails if another worker created the file first: then theirs is the key.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
