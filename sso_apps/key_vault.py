"""Encrypt IdP private keys at rest with a key derived from a dedicated setting."""

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sso_apps.conf import app_settings

_HKDF_INFO = b"tessera idp private keys v1"


class KeyVaultError(Exception):
    """A stored private key could not be decrypted with any configured secret."""


def private_key_encrypt(pem: str) -> str:
    """Return a Fernet token of the PEM, made with the current secret."""
    return _fernet(tuple(app_settings.key_encryption_secrets)).encrypt(pem.encode()).decode()


def private_key_decrypt(token: str) -> str:
    """Return the PEM behind a token made with the current or an old secret."""
    try:
        return _fernet(tuple(app_settings.key_encryption_secrets)).decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise KeyVaultError(
            "An IdP private key cannot be decrypted: SSO_APPS_KEY_ENCRYPTION_SECRET changed "
            "without keeping the old value in SSO_APPS_KEY_ENCRYPTION_OLD_SECRETS."
        ) from error


def private_key_token_is_current(token: str) -> bool:
    """Return whether the current secret alone decrypts the token."""
    try:
        _fernet(tuple(app_settings.key_encryption_secrets[:1])).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def private_key_token_rotate(token: str) -> str:
    """Return the token re-encrypted under the current secret, read with any configured one."""
    try:
        return _fernet(tuple(app_settings.key_encryption_secrets)).rotate(token.encode()).decode()
    except InvalidToken as error:
        raise KeyVaultError(
            "An IdP private key cannot be decrypted with SSO_APPS_KEY_ENCRYPTION_SECRET "
            "or any of SSO_APPS_KEY_ENCRYPTION_OLD_SECRETS."
        ) from error


@lru_cache(maxsize=8)
def _fernet(secrets: tuple[str, ...]) -> MultiFernet:
    # Derivation is cached per secret tuple: it is pure, and runs on every signing.
    return MultiFernet([Fernet(_derive(secret)) for secret in secrets])


def _derive(secret: str) -> bytes:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        secret.encode()
    )
    return base64.urlsafe_b64encode(key)
