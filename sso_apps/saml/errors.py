"""Exceptions raised by the SAML helpers, each carrying a reason fit to show a user."""


class SamlError(Exception):
    """Signal a SAML problem with a human-readable reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeyPairError(SamlError, ValueError):
    """Signal an unusable private key or certificate."""


class SamlBindingError(SamlError):
    """Signal a SAML HTTP binding message that cannot be decoded."""


class SamlSignatureError(SamlError):
    """Signal a missing, unsupported or invalid signature."""


class SamlXmlError(SamlError):
    """Signal XML that is malformed or uses forbidden constructs."""


class SpMetadataError(SamlError):
    """Signal service provider metadata that cannot be imported."""


class SamlEncryptionError(SamlError):
    """Signal a failure to encrypt or decrypt XML."""
