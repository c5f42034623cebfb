import copy

import pytest
import xmlsec
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants as Constants
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from sso_apps.saml.constants import DSIG_NS as DS_NS
from sso_apps.saml.errors import SamlSignatureError, SamlXmlError
from sso_apps.saml.parsing import parse_xml, verify_enveloped_signature

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
AUTHN_REQUEST = (
    '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"'
    ' xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_orig" Version="2.0"'
    ' IssueInstant="2026-01-01T00:00:00Z"'
    ' AssertionConsumerServiceURL="https://sp.example.test/saml/acs/">'
    "<saml:Issuer>https://sp.example.test/saml/metadata/</saml:Issuer>"
    "</samlp:AuthnRequest>"
)


def _signed_request(pair, *, xml: str = AUTHN_REQUEST, **options) -> etree._Element:
    # python3-saml signs independently of our code, so these tests do not grade our own homework.
    signed = OneLogin_Saml2_Utils.add_sign(
        xml, pair.private_key_pem, pair.certificate_pem, **options
    )
    return parse_xml(signed)


def test_parse_xml_returns_lxml_element_for_bytes_and_str():
    from_bytes = parse_xml(AUTHN_REQUEST.encode())
    from_str = parse_xml(AUTHN_REQUEST)

    assert from_bytes.tag == f"{{{SAMLP}}}AuthnRequest"
    assert etree.tostring(from_bytes) == etree.tostring(from_str)


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
            "<lolz>&lol3;</lolz>",
            id="billion-laughs",
        ),
        pytest.param(
            '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>',
            id="xxe-file",
        ),
        pytest.param('<!DOCTYPE r SYSTEM "http://evil.test/x.dtd"><r/>', id="external-dtd"),
        pytest.param(
            '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://evil.test/p.dtd"> %p;]><r/>',
            id="parameter-entity",
        ),
        pytest.param("<!DOCTYPE r><r/>", id="bare-doctype"),
    ],
)
def test_dtds_and_entities_are_refused(payload):
    with pytest.raises(SamlXmlError, match="DTD, entity or external reference"):
        parse_xml(payload)


@pytest.mark.parametrize("payload", ["<a><b></a>", "", "not xml at all", "<a/><b/>"])
def test_malformed_xml_is_refused(payload):
    with pytest.raises(SamlXmlError, match="malformed"):
        parse_xml(payload)


def test_oversize_xml_is_refused():
    with pytest.raises(SamlXmlError, match="exceeds 100"):
        parse_xml("<a>" + "x" * 200 + "</a>", max_bytes=100)


def test_enveloped_signature_verifies(key_pair_factory):
    pair = key_pair_factory("sp.example.test")

    verify_enveloped_signature(_signed_request(pair), certificate_pem=pair.certificate_pem)


def test_modified_content_fails(key_pair_factory):
    pair = key_pair_factory("sp.example.test")
    root = _signed_request(pair)
    root.set("AssertionConsumerServiceURL", "https://evil.test/acs")

    with pytest.raises(SamlSignatureError, match="does not match"):
        verify_enveloped_signature(root, certificate_pem=pair.certificate_pem)


def test_signature_by_other_key_fails(key_pair_factory):
    pair = key_pair_factory("sp.example.test")
    other = key_pair_factory("impostor.example.test")

    with pytest.raises(SamlSignatureError, match="does not match"):
        verify_enveloped_signature(_signed_request(other), certificate_pem=pair.certificate_pem)


def test_unsigned_message_is_reported(key_pair_factory):
    with pytest.raises(SamlSignatureError, match="not signed"):
        verify_enveloped_signature(
            parse_xml(AUTHN_REQUEST),
            certificate_pem=key_pair_factory("sp.example.test").certificate_pem,
        )


def test_sha1_signature_needs_allow_sha1(key_pair_factory):
    pair = key_pair_factory("sp.example.test")
    root = _signed_request(pair, sign_algorithm=Constants.RSA_SHA1, digest_algorithm=Constants.SHA1)

    with pytest.raises(SamlSignatureError, match="not accepted"):
        verify_enveloped_signature(root, certificate_pem=pair.certificate_pem)
    verify_enveloped_signature(root, certificate_pem=pair.certificate_pem, allow_sha1=True)


def _evil_wrapper(signed: etree._Element, *, evil_id: str) -> etree._Element:
    """Build an attacker's request that carries the genuine signed request in Extensions."""
    evil = etree.fromstring(AUTHN_REQUEST.replace('ID="_orig"', f'ID="{evil_id}"'))
    evil.set("AssertionConsumerServiceURL", "https://evil.test/acs")
    genuine = copy.deepcopy(signed)
    signature = genuine.find(f"{{{DS_NS}}}Signature")
    evil.insert(1, signature)
    extensions = etree.SubElement(evil, f"{{{SAMLP}}}Extensions")
    extensions.append(genuine)
    return parse_xml(etree.tostring(evil))


def _libxmlsec_alone_accepts(root: etree._Element, certificate_pem: str) -> bool:
    context = xmlsec.SignatureContext()
    context.key = xmlsec.Key.from_memory(certificate_pem, xmlsec.KeyFormat.CERT_PEM, None)
    xmlsec.tree.add_ids(root, ["ID"])
    try:
        context.verify(root.find(f"{{{DS_NS}}}Signature"))
    except xmlsec.Error:
        return False
    return True


def test_signature_wrapping_with_a_new_root_id_is_refused(key_pair_factory):
    pair = key_pair_factory("sp.example.test")
    wrapped = _evil_wrapper(_signed_request(pair), evil_id="_evil")
    # The attack is real: a verifier that only asks libxmlsec accepts the forged request.
    assert _libxmlsec_alone_accepts(copy.deepcopy(wrapped), pair.certificate_pem)

    with pytest.raises(SamlSignatureError, match="does not reference the element"):
        verify_enveloped_signature(wrapped, certificate_pem=pair.certificate_pem)


def test_signature_wrapping_with_a_duplicated_id_is_refused(key_pair_factory):
    pair = key_pair_factory("sp.example.test")
    wrapped = _evil_wrapper(_signed_request(pair), evil_id="_orig")

    with pytest.raises(SamlSignatureError, match="not unique"):
        verify_enveloped_signature(wrapped, certificate_pem=pair.certificate_pem)


def test_signature_nested_below_the_root_is_not_accepted(key_pair_factory):
    pair = key_pair_factory("sp.example.test")
    evil = etree.fromstring(AUTHN_REQUEST.replace('ID="_orig"', 'ID="_evil"'))
    extensions = etree.SubElement(evil, f"{{{SAMLP}}}Extensions")
    extensions.append(_signed_request(pair))

    with pytest.raises(SamlSignatureError, match="not signed"):
        verify_enveloped_signature(
            parse_xml(etree.tostring(evil)), certificate_pem=pair.certificate_pem
        )


def test_second_signature_is_refused(key_pair_factory):
    pair = key_pair_factory("sp.example.test")
    root = _signed_request(pair)
    root.append(copy.deepcopy(root.find(f"{{{DS_NS}}}Signature")))

    with pytest.raises(SamlSignatureError, match="more than one signature"):
        verify_enveloped_signature(root, certificate_pem=pair.certificate_pem)


def test_whole_document_reference_is_refused(key_pair_factory):
    pair = key_pair_factory("sp.example.test")
    root = _signed_request(pair)
    root.find(f".//{{{DS_NS}}}Reference").set("URI", "")

    with pytest.raises(SamlSignatureError, match="does not reference the element"):
        verify_enveloped_signature(root, certificate_pem=pair.certificate_pem)


def test_extra_xpath_transform_is_refused(key_pair_factory):
    pair = key_pair_factory("sp.example.test")
    root = _signed_request(pair)
    transforms = root.find(f".//{{{DS_NS}}}Transforms")
    etree.SubElement(
        transforms,
        f"{{{DS_NS}}}Transform",
        Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116",
    )

    with pytest.raises(SamlSignatureError, match="transforms"):
        verify_enveloped_signature(root, certificate_pem=pair.certificate_pem)


def test_inclusive_canonicalization_is_refused(key_pair_factory):
    pair = key_pair_factory("sp.example.test")
    root = _signed_request(pair)
    method = root.find(f".//{{{DS_NS}}}CanonicalizationMethod")
    method.set("Algorithm", "http://www.w3.org/TR/2001/REC-xml-c14n-20010315")

    with pytest.raises(SamlSignatureError, match="exclusive canonicalization"):
        verify_enveloped_signature(root, certificate_pem=pair.certificate_pem)


def test_element_without_id_is_refused(key_pair_factory):
    root = parse_xml(AUTHN_REQUEST.replace(' ID="_orig"', ""))

    with pytest.raises(SamlSignatureError, match="no ID attribute"):
        verify_enveloped_signature(
            root, certificate_pem=key_pair_factory("sp.example.test").certificate_pem
        )
