"""Generate, check and describe the RSA key pairs the identity provider signs with."""

import base64
import datetime
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from sso_apps.saml.errors import KeyPairError

__all__ = [
    "ALLOWED_KEY_SIZES",
    "CertificateInfo",
    "KeyPair",
    "KeyPairError",
    "certificate_body",
    "certificate_info",
    "check_key_pair",
    "generate_key_pair",
    "load_certificate",
    "load_rsa_private_key",
]

ALLOWED_KEY_SIZES = (2048, 3072)
MIN_KEY_SIZE = 2048
# Backdating absorbs clock skew between us and service providers that check notBefore.
_BACKDATE = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class KeyPair:
    """A PEM private key (unencrypted PKCS#8) and its self-signed certificate."""

    private_key_pem: str
    certificate_pem: str


@dataclass(frozen=True)
class CertificateInfo:
    """Facts about a certificate that an administrator needs to see."""

    not_before: datetime.datetime
    not_after: datetime.datetime
    sha256_fingerprint: str
    subject_cn: str | None
    serial: int


def generate_key_pair(*, common_name: str, key_size: int = 2048, valid_days: int = 1826) -> KeyPair:
    """Generate an RSA key and a self-signed SHA-256 certificate for it."""
    if key_size not in ALLOWED_KEY_SIZES:
        raise ValueError(f"RSA key size must be 2048 or 3072 bits, not {key_size}.")
    if valid_days < 1:
        raise ValueError("A certificate must be valid for at least one day.")
    if not common_name.strip():
        raise ValueError("A certificate needs a non-empty common name.")
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + datetime.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return KeyPair(
        private_key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii"),
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
    )


def check_key_pair(*, private_key_pem: str, certificate_pem: str) -> None:
    """Raise KeyPairError unless the key is a usable RSA key matching the certificate."""
    key = load_rsa_private_key(private_key_pem)
    certificate = load_certificate(certificate_pem)
    cert_key = certificate.public_key()
    if not isinstance(cert_key, rsa.RSAPublicKey):
        raise KeyPairError("The certificate does not contain an RSA public key.")
    if cert_key.public_numbers() != key.public_key().public_numbers():
        raise KeyPairError("The private key does not match the certificate's public key.")


def certificate_info(pem: str) -> CertificateInfo:
    """Describe a PEM certificate's validity, fingerprint, subject and serial."""
    certificate = load_certificate(pem)
    common_names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    subject_cn = str(common_names[0].value) if common_names else None
    fingerprint = certificate.fingerprint(hashes.SHA256()).hex().upper()
    return CertificateInfo(
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        sha256_fingerprint=":".join(fingerprint[i : i + 2] for i in range(0, len(fingerprint), 2)),
        subject_cn=subject_cn,
        serial=certificate.serial_number,
    )


def certificate_body(pem: str) -> str:
    """Return the certificate's base64 DER on one line, as metadata embeds it."""
    # Re-encoding the parsed DER normalises CRLFs, wrapping and stray whitespace in the input.
    der = load_certificate(pem).public_bytes(serialization.Encoding.DER)
    return base64.b64encode(der).decode("ascii")


def load_rsa_private_key(pem: str) -> rsa.RSAPrivateKey:
    """Parse an unencrypted RSA private key of at least 2048 bits or raise KeyPairError."""
    data = pem.strip().encode("utf-8")
    # Both PKCS#8 ("ENCRYPTED PRIVATE KEY") and legacy OpenSSL ("Proc-Type: 4,ENCRYPTED")
    # encryption announce themselves; naming it beats a generic "cannot parse" message.
    if b"ENCRYPTED" in data.split(b"-----END", 1)[0]:
        raise KeyPairError(
            "The private key is encrypted with a passphrase; upload it without a passphrase."
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError as exc:
        raise KeyPairError(
            "The private key is encrypted with a passphrase; upload it without a passphrase."
        ) from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyPairError("The private key is not a readable PEM private key.") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyPairError("The private key is not an RSA key; only RSA keys are supported.")
    if key.key_size < MIN_KEY_SIZE:
        raise KeyPairError(
            f"The RSA key is {key.key_size} bits; at least {MIN_KEY_SIZE} bits are required."
        )
    return key


def load_certificate(pem: str) -> x509.Certificate:
    """Parse a PEM X.509 certificate or raise KeyPairError."""
    try:
        return x509.load_pem_x509_certificate(pem.strip().encode("utf-8"))
    except ValueError as exc:
        raise KeyPairError("The certificate is not a readable PEM X.509 certificate.") from exc
