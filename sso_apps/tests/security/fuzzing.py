"""Hypothesis strategies that mutate valid SAML requests the way a fuzzer or attacker would."""

import base64
import copy
import zlib
from urllib.parse import quote

from hypothesis import strategies as st
from lxml import etree

from sso_apps.tests.security.attacks import DS, SAML, SAMLP

ELEMENT_NAMES = [
    f"{{{SAMLP}}}Extensions",
    f"{{{SAMLP}}}NameIDPolicy",
    f"{{{SAMLP}}}SessionIndex",
    f"{{{SAMLP}}}AuthnRequest",
    f"{{{SAMLP}}}LogoutRequest",
    f"{{{SAML}}}Issuer",
    f"{{{SAML}}}NameID",
    f"{{{DS}}}Signature",
    f"{{{DS}}}Reference",
    "{http://www.w3.org/2001/XInclude}include",
    "plain",
]
ATTRIBUTE_NAMES = [
    "ID",
    "Id",
    "Version",
    "IssueInstant",
    "Destination",
    "AssertionConsumerServiceURL",
    "AssertionConsumerServiceIndex",
    "ProtocolBinding",
    "ForceAuthn",
    "IsPassive",
    "Format",
    "InResponseTo",
    "URI",
    "Algorithm",
    "{http://www.w3.org/XML/1998/namespace}id",
]
SNIPPETS = [
    b"<!---->",
    b"<!-- comment -->",
    b"<?pi data?>",
    b"<![CDATA[x]]>",
    b"<!DOCTYPE x [<!ENTITY e 'v'>]>",
    b"<!DOCTYPE x SYSTEM 'http://127.0.0.1:9/x.dtd'>",
    b"&e;",
    b"&amp;",
    b"&#0;",
    b"&#x10FFFF;",
    b"&#xD800;",
    b"]]>",
    b"<",
    b">",
    b'"',
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xc3\x28",
    b"A" * 100_000,
    b"<a>" * 300 + b"</a>" * 300,
    b'<?xml version="1.0" encoding="UTF-16"?>',
    b"xmlns:samlp='urn:evil'",
]

xml_text = st.text(max_size=64) | st.sampled_from(
    ["", " ", "2.0", "_id", "2026-01-01T00:00:00Z", "https://sp.example.com/acs", "true"]
)


@st.composite
def tree_mutation(draw):
    """Return a function changing an lxml tree in place (it may raise ValueError)."""
    kind = draw(
        st.sampled_from(["delete", "duplicate", "swap", "drop-attr", "set-attr", "text", "insert"])
    )
    first, second = draw(st.integers(0, 50)), draw(st.integers(0, 50))
    attribute = draw(st.sampled_from(ATTRIBUTE_NAMES))
    text = draw(xml_text)
    tag = draw(st.sampled_from(ELEMENT_NAMES))

    def mutate(root):
        elements = list(root.iter(etree.Element))
        target = elements[first % len(elements)]
        parent = target.getparent()
        if kind == "delete" and parent is not None:
            parent.remove(target)
        elif kind == "duplicate" and parent is not None:
            # deepcopy, not a serialise-and-parse round trip: lxml's parser refuses some
            # values its tree accepts (xml:id=""), which would fail the test, not the IdP.
            parent.insert(parent.index(target), copy.deepcopy(target))
        elif kind == "swap" and len(target) > 1:
            children = list(target)
            a, b = children[first % len(children)], children[second % len(children)]
            a.addnext(etree.Element("placeholder"))
            placeholder = a.getnext()
            b.addprevious(a)
            placeholder.addprevious(b)
            target.remove(placeholder)
        elif kind == "drop-attr" and target.attrib:
            names = list(target.attrib)
            del target.attrib[names[second % len(names)]]
        elif kind == "set-attr":
            target.set(attribute, text)
        elif kind == "text":
            target.text = text
        elif kind == "insert":
            child = etree.SubElement(target, tag)
            child.text = text

    return mutate


@st.composite
def byte_mutation(draw):
    """Return a function changing serialised XML bytes."""
    kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete-range"]))
    position = draw(st.integers(0, 2_000))
    length = draw(st.integers(1, 64))
    flip = draw(st.integers(1, 255))
    snippet = draw(st.sampled_from(SNIPPETS) | st.binary(max_size=32))

    def mutate(data: bytes) -> bytes:
        if not data:
            return snippet
        at = position % len(data)
        if kind == "flip":
            return data[:at] + bytes([data[at] ^ flip]) + data[at + 1 :]
        if kind == "truncate":
            return data[:at]
        if kind == "insert":
            return data[:at] + snippet + data[at:]
        return data[:at] + data[at + length :]

    return mutate


def mutate_xml(xml: bytes, tree_mutations, byte_mutations) -> bytes:
    """Apply tree mutations (skipping ones lxml itself refuses), then byte mutations."""
    root = etree.fromstring(xml)
    for mutation in tree_mutations:
        try:
            mutation(root)
        except ValueError:
            continue  # text lxml cannot serialise, e.g. control characters
    data = etree.tostring(root)
    for mutation in byte_mutations:
        data = mutation(data)
    return data


def deflate_b64(data: bytes) -> str:
    compressor = zlib.compressobj(wbits=-15)
    return base64.b64encode(compressor.compress(data) + compressor.flush()).decode()


PARAMETER_NAMES = ["SAMLRequest", "SAMLResponse", "RelayState", "SigAlg", "Signature"]
parameter_value = (
    st.text(max_size=200)
    | st.binary(max_size=300).map(lambda b: base64.b64encode(b).decode())
    | st.binary(max_size=300).map(deflate_b64)
    | st.sampled_from(
        [
            "",
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
        ]
    )
)


@st.composite
def query_string(draw):
    """Return a raw query string of known and random parameters, encoded or not."""
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(PARAMETER_NAMES) | st.text(max_size=12), parameter_value),
            max_size=6,
        )
    )
    encode = draw(st.booleans())
    parts = []
    for name, value in pairs:
        if encode:
            parts.append(f"{quote(name, safe='')}={quote(value, safe='')}")
        else:
            parts.append(f"{name}={value}")
    separator = draw(st.sampled_from(["&", "&&", ";"]))
    return separator.join(parts)


def mutate_query(query: str, mutations) -> str:
    """Change a signed query string: drop, duplicate or corrupt its parameters."""
    parts = query.split("&")
    for kind, index, char in mutations:
        if not parts:
            break
        at = index % len(parts)
        if kind == "drop":
            del parts[at]
        elif kind == "duplicate":
            parts.insert(at, parts[at])
        elif kind == "swap":
            parts[0], parts[at] = parts[at], parts[0]
        elif kind == "corrupt" and parts[at]:
            position = (index * 7) % len(parts[at])
            parts[at] = parts[at][:position] + char + parts[at][position + 1 :]
    return "&".join(parts)


query_mutations = st.lists(
    st.tuples(
        st.sampled_from(["drop", "duplicate", "swap", "corrupt"]),
        st.integers(0, 1_000),
        st.sampled_from(list("A+/=%&0_-~ \x7f") + ["%00", "%GG", "%2B"]),
    ),
    min_size=1,
    max_size=3,
)
