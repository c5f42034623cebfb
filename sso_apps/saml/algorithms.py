"""Name the XML security algorithms Tessera accepts and map them to xmlsec transforms."""

import xmlsec

__all__ = [
    "C14N_METHODS",
    "DIGEST_METHODS",
    "ENVELOPED",
    "EXC_C14N",
    "RSA_SHA1",
    "RSA_SHA256",
    "RSA_SHA384",
    "RSA_SHA512",
    "SHA1",
    "SHA256",
    "SHA512",
    "SIGNATURE_METHODS",
    "XmlsecTransform",
    "digest_methods",
    "signature_methods",
]

XmlsecTransform = type(xmlsec.Transform.SHA256)

RSA_SHA1 = xmlsec.Transform.RSA_SHA1.href
RSA_SHA256 = xmlsec.Transform.RSA_SHA256.href
RSA_SHA384 = xmlsec.Transform.RSA_SHA384.href
RSA_SHA512 = xmlsec.Transform.RSA_SHA512.href
SHA1 = xmlsec.Transform.SHA1.href
SHA256 = xmlsec.Transform.SHA256.href
SHA512 = xmlsec.Transform.SHA512.href
EXC_C14N = xmlsec.Transform.EXCL_C14N.href
ENVELOPED = xmlsec.Transform.ENVELOPED.href

C14N_METHODS: dict[str, XmlsecTransform] = {
    t.href: t for t in (xmlsec.Transform.EXCL_C14N, xmlsec.Transform.EXCL_C14N_COMMENTS)
}
SIGNATURE_METHODS: dict[str, XmlsecTransform] = {
    t.href: t
    for t in (
        xmlsec.Transform.RSA_SHA1,
        xmlsec.Transform.RSA_SHA256,
        xmlsec.Transform.RSA_SHA384,
        xmlsec.Transform.RSA_SHA512,
    )
}
DIGEST_METHODS: dict[str, XmlsecTransform] = {
    t.href: t
    for t in (
        xmlsec.Transform.SHA1,
        xmlsec.Transform.SHA256,
        xmlsec.Transform.SHA384,
        xmlsec.Transform.SHA512,
    )
}


def signature_methods(*, allow_sha1: bool) -> dict[str, XmlsecTransform]:
    """Return the accepted RSA signature methods, with RSA-SHA1 only when allowed."""
    return {href: t for href, t in SIGNATURE_METHODS.items() if allow_sha1 or href != RSA_SHA1}


def digest_methods(*, allow_sha1: bool) -> dict[str, XmlsecTransform]:
    """Return the accepted digest methods, with SHA-1 only when allowed."""
    return {href: t for href, t in DIGEST_METHODS.items() if allow_sha1 or href != SHA1}
