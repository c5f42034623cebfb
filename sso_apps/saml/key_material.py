"""Read the key material pysaml2 hands a crypto backend: inline PEM text or a file name.

pysaml2 passes file names (key_file, cert_file, temp files holding SP certificates); Tessera
passes the PEM itself wherever it can, so a private key never needs to touch the disk.
"""

import os

from sso_apps.saml import key_cache
from sso_apps.saml.errors import KeyPairError


def key_material_read(value: str | bytes | os.PathLike[str], *, what: str) -> bytes:
    """Return PEM text given inline, or the contents of the file it names."""
    if isinstance(value, bytes):
        if value.lstrip().startswith(b"-----BEGIN"):
            return value.strip()
        value = os.fsdecode(value)
    text = os.fspath(value)
    if not text:
        raise KeyPairError(f"No {what} is configured.")
    if text.lstrip().startswith("-----BEGIN"):
        return text.strip().encode("utf-8")
    try:
        with open(text, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise KeyPairError(f"The {what} file {text!r} cannot be read: {exc.strerror}.") from exc


def certificate_pem_of(data: bytes, *, cert_type: str) -> str:
    """Return a certificate as PEM text, converting DER ("der") or passing PEM ("pem") through."""
    if cert_type == "der":
        return key_cache.der_certificate_to_pem(data)
    if cert_type != "pem":
        raise KeyPairError(f"Unsupported certificate type {cert_type!r}.")
    return data.decode("utf-8", errors="replace")
