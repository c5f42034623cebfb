"""Name every SAML and XML-security URI Tessera uses, once.

Everything else (the parsers and builders here, the IdP endpoints, the models' choices and the
catalog schema) imports these, so a namespace or format is spelled in exactly one place.
"""

from enum import StrEnum

# Namespaces (SAML core 2.0 section 1.2; XML Signature; XML Encryption).
PROTOCOL_NS = "urn:oasis:names:tc:SAML:2.0:protocol"
ASSERTION_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
METADATA_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
XENC_NS = "http://www.w3.org/2001/04/xmlenc#"
XS_NS = "http://www.w3.org/2001/XMLSchema"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

# Single Logout (SAML core 2.0 section 3.7.3): the Reason of a LogoutRequest the user asked
# for (its LogoutResponse's STATUS_SUCCESS is with the other status codes below).
LOGOUT_REASON_USER = "urn:oasis:names:tc:SAML:2.0:logout:user"

# Bindings (SAML bindings 2.0 sections 3.4 and 3.5).
HTTP_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
HTTP_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


class BindingName(StrEnum):
    """Our short name for a binding, as SamlConfig, the catalog and the audit log store it."""

    REDIRECT = "redirect"
    POST = "post"


BINDING_URIS: dict[str, str] = {BindingName.REDIRECT: HTTP_REDIRECT, BindingName.POST: HTTP_POST}
BINDING_NAMES: dict[str, BindingName] = {uri: name for name, uri in BINDING_URIS.items()}

# NameID formats (SAML core 2.0 section 8.3).
NAMEID_EMAIL_ADDRESS = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
NAMEID_UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
NAMEID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
NAMEID_TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"


class NameIdFormatName(StrEnum):
    """Our short name for a NameID format, as SamlConfig and the catalog store it."""

    EMAIL = "emailAddress"
    UNSPECIFIED = "unspecified"
    PERSISTENT = "persistent"
    TRANSIENT = "transient"


# In the order the IdP metadata lists them.
NAMEID_FORMAT_URIS: dict[str, str] = {
    NameIdFormatName.EMAIL: NAMEID_EMAIL_ADDRESS,
    NameIdFormatName.UNSPECIFIED: NAMEID_UNSPECIFIED,
    NameIdFormatName.PERSISTENT: NAMEID_PERSISTENT,
    NameIdFormatName.TRANSIENT: NAMEID_TRANSIENT,
}
NAMEID_FORMAT_NAMES: dict[str, NameIdFormatName] = {
    uri: name for name, uri in NAMEID_FORMAT_URIS.items()
}
# How an Issuer names its entity (section 8.3.6), never a subject's NameID format.
NAMEID_ENTITY = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"

# How the Response names attributes and confirms its subject (sections 8.2.1 and 3.1 of
# the SAML profiles): names exactly as configured, and the Web Browser SSO bearer method.
ATTRNAME_FORMAT_UNSPECIFIED = "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"
SUBJECT_CONFIRMATION_BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"

# Signature and digest methods (XML Signature; RFC 6931 for the xmldsig-more ones).
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
RSA_SHA384 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"
RSA_SHA512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SHA384 = "http://www.w3.org/2001/04/xmldsig-more#sha384"
SHA512 = "http://www.w3.org/2001/04/xmlenc#sha512"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
EXC_C14N_WITH_COMMENTS = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

# Encryption methods (XML Encryption 1.0 and 1.1).
AES256_CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"
AES256_GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
RSA_OAEP_MGF1P = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"


class DataEncryptionName(StrEnum):
    """Our short name for how an Assertion's content is encrypted, as SamlConfig stores it.

    AES-256-GCM is the default (authenticated); AES-256-CBC is for SPs built before XML
    Encryption 1.1 (older Shibboleth, ADFS-era products), which cannot read GCM.
    """

    AES256_GCM = "aes256-gcm"
    AES256_CBC = "aes256-cbc"


DATA_ENCRYPTION_URIS: dict[str, str] = {
    DataEncryptionName.AES256_GCM: AES256_GCM,
    DataEncryptionName.AES256_CBC: AES256_CBC,
}
DATA_ENCRYPTION_NAMES: dict[str, DataEncryptionName] = {
    uri: name for name, uri in DATA_ENCRYPTION_URIS.items()
}

# The one key transport offered: RSA-OAEP with SHA-1 digest and MGF1-SHA1, which every SP
# reads. RSA 1.5 is never offered (Bleichenbacher padding oracle). XML Encryption 1.1's
# rsa-oaep (http://www.w3.org/2009/xmlenc11#rsa-oaep with SHA-256 and MGF1-SHA256) is not
# offered either: libxmlsec 1.3.9 in python-xmlsec writes and reads it, but the xmlsec1
# 1.2.37 binary (Debian bookworm's, which pysaml2 SPs decrypt with) rejects it as an
# unknown transform, so we could not show that an SP other than python3-saml accepts it.
KEY_TRANSPORT = RSA_OAEP_MGF1P

# SamlConfig.signature_algorithm's short names -> (signature method, digest method).
SIGNATURE_ALGORITHMS: dict[str, tuple[str, str]] = {
    "rsa-sha256": (RSA_SHA256, SHA256),
    "rsa-sha512": (RSA_SHA512, SHA512),
    "rsa-sha1": (RSA_SHA1, SHA1),
}

# Status codes (SAML core 2.0 section 3.2.2.2): a top-level code says whose fault it is,
# a second-level one what went wrong.
STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
STATUS_REQUESTER = "urn:oasis:names:tc:SAML:2.0:status:Requester"
STATUS_RESPONDER = "urn:oasis:names:tc:SAML:2.0:status:Responder"
STATUS_INVALID_NAMEID_POLICY = "urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy"
STATUS_NO_PASSIVE = "urn:oasis:names:tc:SAML:2.0:status:NoPassive"
STATUS_NO_AUTHN_CONTEXT = "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext"
STATUS_REQUEST_DENIED = "urn:oasis:names:tc:SAML:2.0:status:RequestDenied"
# Second-level under Success in a LogoutResponse: not every session could be ended
# (SAML core 2.0 section 3.7.3.2).
STATUS_PARTIAL_LOGOUT = "urn:oasis:names:tc:SAML:2.0:status:PartialLogout"

# Authentication context classes (SAML authn context 2.0 section 3.4).
# Class names, not secrets.
AC_PASSWORD = "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"  # noqa: S105
AC_PASSWORD_PROTECTED_TRANSPORT = (
    "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"  # noqa: S105
)
# A password plus a second factor (issue 15): the SAML class for two factors, and the
# REFEDS MFA profile (https://refeds.org/profile/mfa) most SPs in education and research ask for.
AC_MOBILE_TWO_FACTOR_CONTRACT = "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract"
AC_REFEDS_MFA = "https://refeds.org/profile/mfa"


class MfaContextName(StrEnum):
    """Our short name for the class an app's Responses state after a second factor."""

    REFEDS_MFA = "refeds-mfa"
    MOBILE_TWO_FACTOR = "mobile-two-factor"


MFA_CONTEXT_URIS: dict[str, str] = {
    MfaContextName.REFEDS_MFA: AC_REFEDS_MFA,
    MfaContextName.MOBILE_TWO_FACTOR: AC_MOBILE_TWO_FACTOR_CONTRACT,
}
