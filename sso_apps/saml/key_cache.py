"""Parse key material once per distinct content and reuse the parsed objects."""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sso_apps.saml.errors import KeyPairError
from sso_apps.saml.keys import load_certificate, load_rsa_private_key

__all__ = [
    "ContentHashCache",
    "LockedKeysManager",
    "clear_caches",
    "der_certificate_to_pem",
    "rsa_private_key",
    "rsa_public_key_from_certificate",
    "xmlsec_certificate_key",
    "xmlsec_decryption_manager",
    "xmlsec_encryption_manager",
    "xmlsec_private_key",
]


class ContentHashCache[T]:
    """Cache values parsed from bytes, keyed by the SHA-256 of those bytes."""

    def __init__(self, *, maxsize: int = 64) -> None:
        self._maxsize = maxsize
        self._entries: OrderedDict[bytes, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, data: bytes, *, loader: Callable[[bytes], T]) -> T:
        """Return the value parsed from data, parsing it only on a miss."""
        # Keying by content (not path or object identity) means a rotated key is simply a new
        # entry, so nothing cached can ever describe stale material.
        digest = hashlib.sha256(data).digest()
        with self._lock:
            if digest in self._entries:
                self._entries.move_to_end(digest)
                return self._entries[digest]
        # Parse outside the lock: a racing miss only parses twice, while holding the lock would
        # serialise every worker thread behind an RSA key check.
        value = loader(data)
        with self._lock:
            self._entries[digest] = value
            self._entries.move_to_end(digest)
            while len(self._entries) > self._maxsize:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        """Drop every cached value."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


@dataclass(frozen=True)
class LockedKeysManager:
    """An xmlsec KeysManager holding one key, with the lock to hold while a context uses it."""

    manager: xmlsec.KeysManager
    lock: threading.Lock = field(default_factory=threading.Lock)


_RSA_PRIVATE: ContentHashCache[rsa.RSAPrivateKey] = ContentHashCache()
_CERTIFICATES: ContentHashCache[x509.Certificate] = ContentHashCache()
_XMLSEC_PRIVATE: ContentHashCache[xmlsec.Key] = ContentHashCache()
_XMLSEC_CERT: ContentHashCache[xmlsec.Key] = ContentHashCache()
_ENCRYPTION_MANAGERS: ContentHashCache[LockedKeysManager] = ContentHashCache()
_DECRYPTION_MANAGERS: ContentHashCache[LockedKeysManager] = ContentHashCache()


def rsa_private_key(pem: bytes) -> rsa.RSAPrivateKey:
    """Return the checked RSA private key in PEM bytes, parsed once per content."""
    return _RSA_PRIVATE.get(pem, loader=lambda data: load_rsa_private_key(data.decode("utf-8")))


def rsa_public_key_from_certificate(pem: bytes) -> rsa.RSAPublicKey:
    """Return the RSA public key of a PEM certificate, parsed once per content."""
    certificate = _CERTIFICATES.get(pem, loader=lambda data: load_certificate(data.decode("utf-8")))
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise KeyPairError("The certificate does not contain an RSA public key.")
    return public_key


def xmlsec_private_key(pem: bytes) -> xmlsec.Key:
    """Return an xmlsec signing/decryption key for PEM bytes, parsed once per content."""
    return _XMLSEC_PRIVATE.get(pem, loader=_load_xmlsec_private_key)


def xmlsec_certificate_key(pem: bytes) -> xmlsec.Key:
    """Return an xmlsec public key (with its certificate) for PEM certificate bytes."""
    return _XMLSEC_CERT.get(pem, loader=_load_xmlsec_certificate)


def xmlsec_encryption_manager(pem: bytes) -> LockedKeysManager:
    """Return a KeysManager holding the recipient's certificate key, built once per content."""
    # Building a KeysManager costs ~90 ms (libxmlsec loads the system CA store into its X509
    # store), far more than the encryption itself, so one per login would dominate it.
    return _ENCRYPTION_MANAGERS.get(
        pem, loader=lambda data: _manager_holding(xmlsec_certificate_key(data))
    )


def xmlsec_decryption_manager(pem: bytes) -> LockedKeysManager:
    """Return a KeysManager holding the private key in PEM bytes, built once per content."""
    return _DECRYPTION_MANAGERS.get(
        pem, loader=lambda data: _manager_holding(xmlsec_private_key(data))
    )


def der_certificate_to_pem(der: bytes) -> str:
    """Convert a DER certificate to PEM text or raise KeyPairError."""
    try:
        certificate = x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise KeyPairError("The certificate is not a readable DER certificate.") from exc
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def clear_caches() -> None:
    """Forget every parsed key, e.g. after a test swaps key material on disk."""
    for cache in (
        _RSA_PRIVATE,
        _CERTIFICATES,
        _XMLSEC_PRIVATE,
        _XMLSEC_CERT,
        _ENCRYPTION_MANAGERS,
        _DECRYPTION_MANAGERS,
    ):
        cache.clear()


def _manager_holding(key: xmlsec.Key) -> LockedKeysManager:
    manager = xmlsec.KeysManager()
    # add_key stores a duplicate, so the cached key itself stays untouched.
    manager.add_key(key)
    # libxmlsec does not document a KeysManager as safe for concurrent contexts; the lock
    # makes sharing one across threads safe at the price of serialising use of one key.
    return LockedKeysManager(manager=manager)


def _load_xmlsec_private_key(data: bytes) -> xmlsec.Key:
    # Validate with cryptography first: libxmlsec would fall back to OpenSSL's interactive
    # passphrase prompt for an encrypted key and gives no reason for other failures.
    key = rsa_private_key(data)
    unencrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # xmlsec.Key is safe to share: assigning it to a context duplicates the native key.
    return xmlsec.Key.from_memory(unencrypted, xmlsec.KeyFormat.PEM, None)


def _load_xmlsec_certificate(data: bytes) -> xmlsec.Key:
    load_certificate(data.decode("utf-8"))
    return xmlsec.Key.from_memory(data, xmlsec.KeyFormat.CERT_PEM, None)
