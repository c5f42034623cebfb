"""Give SAML XML conventional namespace prefixes and make elements self-contained.

An encrypted Assertion is read by the SP as a document of its own: the plaintext inside
``EncryptedData`` is only namespace-well-formed if the Assertion itself declares every
prefix it (or anything inside it) uses. pysaml2 declares everything once on the Response
(``ns0``, ``ns1``, ...), so this module rewrites a document so that chosen elements carry
their own declarations, and, for SPs that match on prefixes or that splice the decrypted
Assertion back into the Response, so that one URI has one conventional prefix throughout.
"""

from collections.abc import Callable
from uuid import uuid4

from lxml import etree

from sso_apps.saml.constants import (
    ASSERTION_NS,
    DSIG_NS,
    METADATA_NS,
    PROTOCOL_NS,
    XENC_NS,
    XS_NS,
    XSI_NS,
)
from sso_apps.saml.errors import SamlXmlError

__all__ = [
    "CONVENTIONAL_PREFIXES",
    "is_assertion",
    "undeclared_prefixes",
    "with_conventional_prefixes",
]

# The prefixes the SAML, XML-DSig and XML-Enc specifications use in their examples, which is
# what hand-written SP code (and the odd prefix-matching XPath) expects.
CONVENTIONAL_PREFIXES: dict[str, str] = {
    PROTOCOL_NS: "samlp",
    ASSERTION_NS: "saml",
    METADATA_NS: "md",
    DSIG_NS: "ds",
    XENC_NS: "xenc",
    XS_NS: "xs",
    XSI_NS: "xsi",
}

_XSI_TYPE = f"{{{XSI_NS}}}type"
# Bound to "xml" in every document by definition; it is never declared.
_XML_NS = "http://www.w3.org/XML/1998/namespace"

# Our own serialisation is re-parsed with the same no-entities, no-network settings as
# untrusted input.
_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "huge_tree": False}


def is_assertion(element: etree._Element) -> bool:
    """Tell whether element is a saml:Assertion."""
    return element.tag == f"{{{ASSERTION_NS}}}Assertion"


def with_conventional_prefixes(
    root: etree._Element, *, self_contained: Callable[[etree._Element], bool] = is_assertion
) -> etree._Element:
    """Return a copy of root's document with one conventional prefix per namespace URI.

    The root and every element for which self_contained() holds declare, on themselves,
    each namespace used in their subtree, so any of them serialised alone is
    namespace-well-formed. Nothing but prefixes and where they are declared changes: names,
    attributes, text and order are kept, so an exclusive-C14N signature over a part whose
    prefixes were already conventional still verifies.
    """
    prefixes = _prefix_table(root)
    data = _serialize_island(root, prefixes=prefixes, self_contained=self_contained)
    # lxml drops a declaration that repeats an ancestor's whenever an element is inserted
    # or moved, so the self-contained elements are spliced in as text and the whole
    # document parsed once: the parser keeps every declaration where it was written.
    try:
        return etree.fromstring(data, parser=etree.XMLParser(**_PARSER_OPTIONS))  # noqa: S320
    except etree.XMLSyntaxError as exc:
        raise SamlXmlError(f"Rewriting the namespace prefixes failed: {exc}.") from exc


def undeclared_prefixes(data: bytes) -> list[str]:
    """List the prefixes data uses without declaring them (empty if it stands alone)."""
    # NOTE: the parser's own log, not the exception's: XMLSyntaxError.error_log is a copy of
    # the thread's libxml2 log, which still holds warnings from earlier, unrelated parses.
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        etree.fromstring(data, parser=parser)  # noqa: S320
    except etree.XMLSyntaxError:
        return [
            str(error.message) for error in parser.error_log if error.domain_name == "NAMESPACE"
        ]
    return []


def _prefix_table(root: etree._Element) -> dict[str, str]:
    # One prefix per URI across the whole document, so an SP that moves the decrypted
    # Assertion back under the Response (lxml then reuses the Response's declaration for
    # the same URI) sees exactly the prefixes that were signed.
    table: dict[str, str] = {}
    taken: set[str] = set(CONVENTIONAL_PREFIXES.values())
    for element in root.iter(etree.Element):
        for prefix, uri in element.nsmap.items():
            if uri in table or uri in CONVENTIONAL_PREFIXES:
                continue
            if prefix is None or prefix in taken:
                prefix = _fresh_prefix(taken)
            table[uri] = prefix
            taken.add(prefix)
    for uri in _used_uris(root):
        if uri not in table and uri not in CONVENTIONAL_PREFIXES:
            table[uri] = _fresh_prefix(taken)
            taken.add(table[uri])
    return CONVENTIONAL_PREFIXES | table


def _fresh_prefix(taken: set[str]) -> str:
    number = 0
    while f"ns{number}" in taken:
        number += 1
    return f"ns{number}"


def _used_uris(
    element: etree._Element, *, skip: Callable[[etree._Element], bool] | None = None
) -> set[str]:
    # With skip, the subtrees of elements that declare their own namespaces are left out.
    uris = _uris_of(element)
    for child in element.iterchildren(etree.Element):
        if skip is None or not skip(child):
            uris.update(_used_uris(child, skip=skip))
    return uris


def _uris_of(node: etree._Element) -> set[str]:
    uris = {etree.QName(node).namespace}
    for name, value in node.attrib.items():
        uris.add(etree.QName(name).namespace)
        if name == _XSI_TYPE:
            uris.add(_qname_value_uri(node, value))
    return uris - {None, "", _XML_NS}


def _qname_value_uri(node: etree._Element, value: str) -> str | None:
    # xsi:type="xs:string" names a type through a prefix in scope at node; the prefix has
    # to follow the URI when it is renamed, or the value would point nowhere.
    prefix, _, local = value.rpartition(":")
    return node.nsmap.get(prefix or None) if local else None


def _serialize_island(
    old: etree._Element,
    *,
    prefixes: dict[str, str],
    self_contained: Callable[[etree._Element], bool],
) -> bytes:
    used = _used_uris(old, skip=self_contained)
    # The element's own namespace first, then the rest by prefix, for a stable reading order.
    own = etree.QName(old).namespace
    nsmap = {prefixes[uri]: uri for uri in sorted(used, key=lambda u: (u != own, prefixes[u]))}
    new = etree.Element(old.tag, nsmap=nsmap)
    islands: dict[bytes, bytes] = {}
    _copy_content(old, new, prefixes=prefixes, self_contained=self_contained, islands=islands)
    data = etree.tostring(new)
    for placeholder, island in islands.items():
        if data.count(placeholder) != 1:
            raise SamlXmlError("A self-contained element's placeholder was not found once.")
        data = data.replace(placeholder, island)
    return data


def _copy_content(
    old: etree._Element,
    new: etree._Element,
    *,
    prefixes: dict[str, str],
    self_contained: Callable[[etree._Element], bool],
    islands: dict[bytes, bytes],
) -> None:
    for name, value in old.attrib.items():
        if name == _XSI_TYPE:
            uri = _qname_value_uri(old, value)
            if uri:
                value = f"{prefixes[uri]}:{value.rpartition(':')[2]}"
        new.set(name, value)
    new.text = old.text
    for child in old:
        if isinstance(child, etree._Comment):
            copy = etree.Comment(child.text)
            new.append(copy)
        elif isinstance(child, etree._ProcessingInstruction):
            copy = etree.ProcessingInstruction(child.target, child.text)
            new.append(copy)
        elif isinstance(child, etree._Entity):
            raise SamlXmlError("Entity references are not allowed in SAML XML.")
        elif self_contained(child):
            name = f"tessera-island-{uuid4().hex}"
            copy = etree.SubElement(new, name)
            islands[f"<{name}/>".encode()] = _serialize_island(
                child, prefixes=prefixes, self_contained=self_contained
            )
        else:
            copy = etree.SubElement(new, child.tag)
            _copy_content(
                child, copy, prefixes=prefixes, self_contained=self_contained, islands=islands
            )
        copy.tail = child.tail
