"""Build SAML requests and the attacker's variations of them, for the attack suite and fuzzer.

Everything here is plain XML and query-string work; requests are signed with python3-saml
(enveloped) or with the Redirect binding's query-string signature, as a real SP does.
"""

import base64
import copy
import datetime
import functools
import hashlib
import hmac
import uuid
import zlib
from urllib.parse import quote

from lxml import etree
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from sso_apps.saml import algorithms
from sso_apps.saml.bindings import sign_redirect
from sso_apps.saml.keys import KeyPair, generate_key_pair
from sso_apps.tests.idp.sp_harness import SP_ACS_URL, SP_ENTITY_ID

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
HMAC_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"
XSLT = "http://www.w3.org/TR/1999/REC-xslt-19991116"
INCLUSIVE_C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"


@functools.cache
def key_pair(common_name: str) -> KeyPair:
    """Return an RSA key pair per name, generated once per process (generation is slow)."""
    return generate_key_pair(common_name=common_name)


def new_id() -> str:
    return "_" + uuid.uuid4().hex


def _instant(issued: datetime.datetime | None) -> str:
    return f"{issued or datetime.datetime.now(datetime.UTC):%Y-%m-%dT%H:%M:%SZ}"


def authn_request(application, *, request_id=None, acs_url=SP_ACS_URL, issued=None) -> bytes:
    """Return an AuthnRequest that passes every check of the app's SSO endpoint."""
    # NOTE: not test_refusals.authn_request: the suite edits attributes as text and relies
    # on them being double-quoted, and it needs bytes.
    return (
        f'<samlp:AuthnRequest xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" '
        f'ID="{request_id or new_id()}" Version="2.0" IssueInstant="{_instant(issued)}" '
        f'Destination="{application.idp_sso_url}" AssertionConsumerServiceURL="{acs_url}">'
        f"<saml:Issuer>{SP_ENTITY_ID}</saml:Issuer></samlp:AuthnRequest>"
    ).encode()


def logout_request(
    application, *, name_id, session_index=None, request_id=None, issued=None
) -> bytes:
    """Return a LogoutRequest that passes every check of the app's SLO endpoint."""
    index = f"<samlp:SessionIndex>{session_index}</samlp:SessionIndex>" if session_index else ""
    return (
        f'<samlp:LogoutRequest xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" '
        f'ID="{request_id or new_id()}" Version="2.0" IssueInstant="{_instant(issued)}" '
        f'Destination="{application.idp_slo_url}">'
        f"<saml:Issuer>{SP_ENTITY_ID}</saml:Issuer>"
        f'<saml:NameID Format="{EMAIL_FORMAT}">{name_id}</saml:NameID>{index}'
        "</samlp:LogoutRequest>"
    ).encode()


def sign_enveloped(
    xml: bytes, keys: KeyPair, *, sign_alg=algorithms.RSA_SHA256, digest_alg=algorithms.SHA256
) -> bytes:
    """Sign a message with python3-saml's enveloped signature (after the Issuer)."""
    signed = OneLogin_Saml2_Utils.add_sign(
        xml.decode(),
        keys.private_key_pem,
        keys.certificate_pem,
        sign_algorithm=sign_alg,
        digest_algorithm=digest_alg,
    )
    return signed if isinstance(signed, bytes) else signed.encode()


def deflate_b64(xml: bytes) -> str:
    """Return the Redirect binding's encoding of a message, percent-encoded."""
    compressor = zlib.compressobj(wbits=-15)
    deflated = compressor.compress(xml) + compressor.flush()
    return quote(base64.b64encode(deflated).decode(), safe="")


def redirect_query(xml: bytes, *, relay_state: str | None = None) -> str:
    """Return an unsigned Redirect-binding query string carrying a SAMLRequest."""
    query = f"SAMLRequest={deflate_b64(xml)}"
    if relay_state is not None:
        query += f"&RelayState={quote(relay_state, safe='')}"
    return query


def signed_redirect_query(xml: bytes, keys: KeyPair, **options) -> str:
    """Return a Redirect-binding query string signed as the bindings spec says."""
    return sign_redirect(
        xml=xml, parameter="SAMLRequest", private_key_pem=keys.private_key_pem, **options
    )


def hmac_redirect_query(xml: bytes, keys: KeyPair) -> str:
    """Sign with HMAC keyed by the SP's public certificate (the key-confusion attack)."""
    octets = f"SAMLRequest={deflate_b64(xml)}&SigAlg={quote(HMAC_SHA256, safe='')}"
    mac = hmac.new(keys.certificate_pem.encode(), octets.encode(), hashlib.sha256).digest()
    return f"{octets}&Signature={quote(base64.b64encode(mac).decode(), safe='')}"


def query_params(query: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in query.split("&"))


# --- XML signature wrapping and other tampering of a signed message -----------------------
#
# Each function takes the signed message and returns the attacker's version. The attacker's
# own content ("evil") differs from the signed one only in its ID (a fresh ID is enough to
# defeat replay protection) or, for a LogoutRequest, the NameID (to sign someone else out),
# so no check other than the signature's can be what refuses it.

VICTIM = "victim@example.com"


def _parse(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


def _signature(root: etree._Element) -> etree._Element:
    return root.find(f"{{{DS}}}Signature")


def _evil_copy(genuine: etree._Element, *, evil_id: str) -> etree._Element:
    evil = copy.deepcopy(genuine)
    signature = _signature(evil)
    if signature is not None:
        evil.remove(signature)
    evil.set("ID", evil_id)
    name_id = evil.find(f"{{{SAML}}}NameID")
    if name_id is not None:
        name_id.text = VICTIM
    return evil


def _extensions(parent: etree._Element) -> etree._Element:
    # Protocol messages put Extensions right after Issuer and Signature.
    extensions = etree.Element(f"{{{SAMLP}}}Extensions")
    issuer = parent.find(f"{{{SAML}}}Issuer")
    parent.insert(parent.index(issuer) + 1, extensions)
    return extensions


def unsigned_root_signed_original_in_extensions(signed: bytes) -> bytes:
    genuine = _parse(signed)
    evil = _evil_copy(genuine, evil_id=new_id())
    _extensions(evil).append(genuine)
    return etree.tostring(evil)


def signature_on_root_pointing_into_extensions(signed: bytes) -> bytes:
    """XSW: the genuine signature moves to the forged root; its reference still resolves."""
    genuine = _parse(signed)
    evil = _evil_copy(genuine, evil_id=new_id())
    signature = _signature(genuine)
    genuine.remove(signature)
    evil.insert(1, signature)
    _extensions(evil).append(genuine)
    return etree.tostring(evil)


def signature_moved_into(child: str):
    """Move the root's signature into one of its children, so the root looks unsigned."""

    def attack(signed: bytes) -> bytes:
        root = _parse(signed)
        signature = _signature(root)
        root.remove(signature)
        target = root.find(f"{{{SAML}}}Issuer") if child == "Issuer" else _extensions(root)
        target.append(signature)
        return etree.tostring(root)

    attack.__name__ = f"signature_moved_into_{child}"
    return attack


ID_ATTRIBUTES = {
    "ID": "ID",
    "Id": "Id",
    "id": "id",
    "xml:id": "{http://www.w3.org/XML/1998/namespace}id",
    "saml:ID": f"{{{SAML}}}ID",
    "samlp:ID": f"{{{SAMLP}}}ID",
    "ds:Id": f"{{{DS}}}Id",
}


def duplicate_id(attribute: str):
    """XSW: the forged root takes the signed ID; the genuine keeps it under another spelling."""

    def attack(signed: bytes) -> bytes:
        genuine = _parse(signed)
        original_id = genuine.get("ID")
        evil = _evil_copy(genuine, evil_id=original_id)
        signature = _signature(genuine)
        genuine.remove(signature)
        evil.insert(1, signature)
        del genuine.attrib["ID"]
        genuine.set(ID_ATTRIBUTES[attribute], original_id)
        _extensions(evil).append(genuine)
        return etree.tostring(evil)

    attack.__name__ = f"duplicate_id_as_{attribute.replace(':', '_')}"
    return attack


def second_request_inside_the_signed_one(signed: bytes) -> bytes:
    root = _parse(signed)
    _extensions(root).append(_evil_copy(root, evil_id=new_id()))
    return etree.tostring(root)


def whole_document_reference(signed: bytes) -> bytes:
    root = _parse(signed)
    root.find(f".//{{{DS}}}Reference").set("URI", "")
    return etree.tostring(root)


def two_signatures(signed: bytes) -> bytes:
    root = _parse(signed)
    signature = _signature(root)
    root.insert(root.index(signature) + 1, copy.deepcopy(signature))
    return etree.tostring(root)


def ds_object_carrying_a_forged_request(signed: bytes) -> bytes:
    root = _parse(signed)
    ds_object = etree.SubElement(_signature(root), f"{{{DS}}}Object")
    ds_object.append(_evil_copy(root, evil_id=new_id()))
    return etree.tostring(root)


def xslt_transform(signed: bytes) -> bytes:
    root = _parse(signed)
    transform = etree.SubElement(
        root.find(f".//{{{DS}}}Transforms"), f"{{{DS}}}Transform", Algorithm=XSLT
    )
    stylesheet = etree.SubElement(
        transform, "{http://www.w3.org/1999/XSL/Transform}stylesheet", version="1.0"
    )
    etree.SubElement(stylesheet, "{http://www.w3.org/1999/XSL/Transform}template", match="/")
    return etree.tostring(root)


def inclusive_c14n_method(signed: bytes) -> bytes:
    root = _parse(signed)
    root.find(f".//{{{DS}}}CanonicalizationMethod").set("Algorithm", INCLUSIVE_C14N)
    return etree.tostring(root)


def inclusive_c14n_transform(signed: bytes) -> bytes:
    root = _parse(signed)
    for transform in root.findall(f".//{{{DS}}}Transforms/{{{DS}}}Transform"):
        if transform.get("Algorithm") == algorithms.EXC_C14N:
            transform.set("Algorithm", INCLUSIVE_C14N)
    return etree.tostring(root)


def hmac_signature_method(signed: bytes) -> bytes:
    root = _parse(signed)
    root.find(f".//{{{DS}}}SignatureMethod").set("Algorithm", HMAC_SHA256)
    return etree.tostring(root)


def signature_stripped(signed: bytes) -> bytes:
    root = _parse(signed)
    root.remove(_signature(root))
    return etree.tostring(root)


WRAPPING_ATTACKS = [
    unsigned_root_signed_original_in_extensions,
    signature_on_root_pointing_into_extensions,
    signature_moved_into("Issuer"),
    signature_moved_into("Extensions"),
    *(duplicate_id(attribute) for attribute in ID_ATTRIBUTES),
    second_request_inside_the_signed_one,
    whole_document_reference,
    two_signatures,
    ds_object_carrying_a_forged_request,
    xslt_transform,
    inclusive_c14n_method,
    inclusive_c14n_transform,
    hmac_signature_method,
    signature_stripped,
]
