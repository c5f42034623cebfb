"""Map the XML security algorithms Tessera accepts to their xmlsec transforms."""

import xmlsec

from sso_apps.saml.constants import (
    EXC_C14N,
    EXC_C14N_WITH_COMMENTS,
    RSA_SHA1,
    RSA_SHA256,
    RSA_SHA384,
    RSA_SHA512,
    SHA1,
    SHA256,
    SHA384,
    SHA512,
)

__all__ = [
    "C14N_METHODS",
    "DIGEST_METHODS",
    "SIGNATURE_METHODS",
    "XmlsecTransform",
    "digest_methods",
    "signature_methods",
]

XmlsecTransform = type(xmlsec.Transform.SHA256)

C14N_METHODS: dict[str, XmlsecTransform] = {
    EXC_C14N: xmlsec.Transform.EXCL_C14N,
    EXC_C14N_WITH_COMMENTS: xmlsec.Transform.EXCL_C14N_COMMENTS,
}
SIGNATURE_METHODS: dict[str, XmlsecTransform] = {
    RSA_SHA1: xmlsec.Transform.RSA_SHA1,
    RSA_SHA256: xmlsec.Transform.RSA_SHA256,
    RSA_SHA384: xmlsec.Transform.RSA_SHA384,
    RSA_SHA512: xmlsec.Transform.RSA_SHA512,
}
DIGEST_METHODS: dict[str, XmlsecTransform] = {
    SHA1: xmlsec.Transform.SHA1,
    SHA256: xmlsec.Transform.SHA256,
    SHA384: xmlsec.Transform.SHA384,
    SHA512: xmlsec.Transform.SHA512,
}


def signature_methods(*, allow_sha1: bool) -> dict[str, XmlsecTransform]:
    """Return the accepted RSA signature methods, with RSA-SHA1 only when allowed."""
    return {href: t for href, t in SIGNATURE_METHODS.items() if allow_sha1 or href != RSA_SHA1}


def digest_methods(*, allow_sha1: bool) -> dict[str, XmlsecTransform]:
    """Return the accepted digest methods, with SHA-1 only when allowed."""
    return {href: t for href, t in DIGEST_METHODS.items() if allow_sha1 or href != SHA1}
