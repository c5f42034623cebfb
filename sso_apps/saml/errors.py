"""Exceptions raised by the SAML helpers, each carrying a reason fit to show a user."""


class SamlError(Exception):
    """Signal a SAML problem with a human-readable reason."""

    # The status an IdP endpoint answers with: the sender's message is at fault.
    http_status = 400

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


class SpUrlError(SamlError, ValueError):
    """Signal a URL that may not be a service provider endpoint (see saml.sp_urls)."""


class SamlConfigurationError(SamlError):
    """Signal an application whose saved configuration cannot answer this message."""

    # Not the sender's fault: the app's state conflicts with serving it (e.g. no ACS URL).
    http_status = 409
