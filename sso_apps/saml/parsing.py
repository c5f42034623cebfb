"""Parse untrusted SAML XML safely and verify enveloped signatures on it."""

from xml.etree.ElementTree import ParseError

import xmlsec
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedElementTree
from lxml import etree

from sso_apps.saml import algorithms, key_cache
from sso_apps.saml.constants import DSIG_NS, ENVELOPED
from sso_apps.saml.errors import KeyPairError, SamlSignatureError, SamlXmlError

__all__ = [
    "MAX_XML_BYTES",
    "check_signature_profile",
    "parse_protocol_message",
    "parse_xml",
    "verify_enveloped_signature",
]

MAX_XML_BYTES = 1024 * 1024

# lxml only resolves entities and DTDs if asked; saying "no" explicitly guards against a
# future default change, and huge_tree=False keeps libxml2's depth and size limits.
_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
    "load_dtd": False,
    "dtd_validation": False,
    "remove_blank_text": False,
}


def parse_xml(data: bytes | str, *, max_bytes: int = MAX_XML_BYTES) -> etree._Element:
    """Parse untrusted XML into an lxml element, refusing DTDs, entities and oversize input."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > max_bytes:
        raise SamlXmlError(f"The XML document is {len(raw)} bytes, which exceeds {max_bytes}.")
    # defusedxml screens first because lxml alone would still accept an internal DTD with
    # entity declarations, the raw material of billion-laughs and XXE payloads.
    try:
        DefusedElementTree.fromstring(
            raw, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise SamlXmlError(
            "The XML document contains a DTD, entity or external reference, which is not allowed."
        ) from exc
    except ParseError as exc:
        raise SamlXmlError(f"The XML document is malformed: {exc}.") from exc
    try:
        root = etree.fromstring(raw, parser=etree.XMLParser(**_PARSER_OPTIONS))  # noqa: S320
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise SamlXmlError(f"The XML document is malformed: {exc}.") from exc
    if root.getroottree().docinfo.doctype:
        raise SamlXmlError("The XML document contains a DTD, which is not allowed.")
    return root


def parse_protocol_message(data: bytes | str, *, max_bytes: int = MAX_XML_BYTES) -> etree._Element:
    """Parse an incoming protocol message as parse_xml does, also refusing comments and PIs."""
    root = parse_xml(data, max_bytes=max_bytes)
    # Exclusive C14N drops comments, so a comment can be added to a signed message without
    # breaking the signature and split a value that a reader sees only in part
    # (CVE-2017-11427). Protocol messages never need comments or processing instructions;
    # "//" from the document node also covers any before or after the root element.
    if root.getroottree().xpath("//comment()|//processing-instruction()"):
        raise SamlXmlError(
            "The SAML message contains an XML comment or processing instruction, which is "
            "not allowed."
        )
    return root


def verify_enveloped_signature(
    root: etree._Element, *, certificate_pem: str, allow_sha1: bool = False
) -> None:
    """Verify the enveloped signature covering root (a message or an assertion) or raise."""
    element_id = root.get("ID")
    if not element_id:
        raise SamlSignatureError("The signed element has no ID attribute.")
    signature = _single_direct_signature(root)
    _check_unique_id(root, element_id)
    signature_transform, digest_transform = check_signature_profile(
        signature, element_id=element_id, allow_sha1=allow_sha1
    )
    try:
        key = key_cache.xmlsec_certificate_key(certificate_pem.strip().encode("utf-8"))
    except KeyPairError as exc:
        raise SamlSignatureError(f"The verification certificate is unusable: {exc.reason}") from exc
    context = xmlsec.SignatureContext()
    context.key = key
    # Only the signed element's own ID is registered, so the reference cannot be resolved to
    # any other element in the document.
    try:
        context.register_id(root, "ID")
    except xmlsec.Error as exc:
        raise SamlSignatureError("The signed element's ID is not unique in the document.") from exc
    # An allow-list makes libxmlsec itself refuse XSLT, XPath and other transforms that SAML's
    # signature profile never uses.
    for transform in (
        xmlsec.Transform.ENVELOPED,
        *algorithms.C14N_METHODS.values(),
        digest_transform,
    ):
        context.enable_reference_transform(transform)
    for transform in (*algorithms.C14N_METHODS.values(), signature_transform):
        context.enable_signature_transform(transform)
    try:
        context.verify(signature)
    except xmlsec.VerificationError as exc:
        raise SamlSignatureError(
            "The signature does not match the signed content or the certificate."
        ) from exc
    except xmlsec.Error as exc:
        raise SamlSignatureError(f"The signature could not be checked: {exc}.") from exc


def _single_direct_signature(root: etree._Element) -> etree._Element:
    signatures = root.findall(f"{{{DSIG_NS}}}Signature")
    if not signatures:
        raise SamlSignatureError("The message is not signed.")
    if len(signatures) > 1:
        raise SamlSignatureError("The element carries more than one signature.")
    return signatures[0]


def _check_unique_id(root: etree._Element, element_id: str) -> None:
    # A second element with the same ID is the classic signature-wrapping setup: the signature
    # covers one copy while the application reads the other.
    # Any attribute named id in any casing or namespace counts: libxmlsec itself treats
    # xml:id as an ID, and an unlisted spelling would slip past a fixed list of names.
    document_root = root.getroottree().getroot()
    same_id = document_root.xpath(
        "//*[@*[translate(local-name(), 'ID', 'id') = 'id' and . = $i]]", i=element_id
    )
    if len(same_id) != 1:
        raise SamlSignatureError("The signed element's ID is not unique in the document.")


def check_signature_profile(
    signature: etree._Element, *, element_id: str, allow_sha1: bool
) -> tuple[algorithms.XmlsecTransform, algorithms.XmlsecTransform]:
    """Check a ds:Signature against SAML's signature profile; return its method transforms."""
    # SAML core 5.4 restricts signatures to one enveloped reference to the parent's ID with
    # exclusive canonicalisation; anything else is refused before any cryptography runs.
    signed_info = signature.find(f"{{{DSIG_NS}}}SignedInfo")
    if signed_info is None:
        raise SamlSignatureError("The signature has no SignedInfo.")
    if signature.find(f"{{{DSIG_NS}}}Object") is not None:
        raise SamlSignatureError("The signature carries a ds:Object, which SAML forbids.")
    c14n = signed_info.find(f"{{{DSIG_NS}}}CanonicalizationMethod")
    if c14n is None or c14n.get("Algorithm") not in algorithms.C14N_METHODS:
        raise SamlSignatureError("The signature does not use exclusive canonicalization.")
    signature_methods = algorithms.signature_methods(allow_sha1=allow_sha1)
    method = signed_info.find(f"{{{DSIG_NS}}}SignatureMethod")
    algorithm = method.get("Algorithm") if method is not None else None
    if algorithm not in signature_methods:
        raise SamlSignatureError(f"The signature algorithm {algorithm!r} is not accepted.")
    references = signed_info.findall(f"{{{DSIG_NS}}}Reference")
    if len(references) != 1:
        raise SamlSignatureError("The signature must have exactly one reference.")
    reference = references[0]
    if reference.get("URI") != f"#{element_id}":
        raise SamlSignatureError("The signature does not reference the element that carries it.")
    transforms = [
        transform.get("Algorithm")
        for transform in reference.findall(f"{{{DSIG_NS}}}Transforms/{{{DSIG_NS}}}Transform")
    ]
    allowed_transforms = {ENVELOPED, *algorithms.C14N_METHODS}
    if ENVELOPED not in transforms or not set(transforms) <= allowed_transforms:
        raise SamlSignatureError("The signature uses transforms that SAML does not allow.")
    digest_methods = algorithms.digest_methods(allow_sha1=allow_sha1)
    digest = reference.find(f"{{{DSIG_NS}}}DigestMethod")
    digest_algorithm = digest.get("Algorithm") if digest is not None else None
    if digest_algorithm not in digest_methods:
        raise SamlSignatureError(f"The digest algorithm {digest_algorithm!r} is not accepted.")
    return signature_methods[algorithm], digest_methods[digest_algorithm]
