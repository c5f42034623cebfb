"""Encrypted assertions read the way an SP reads them: EncryptedData as a document of its own.

Shibboleth (C++), lasso-based SPs (C) and SimpleSAMLphp take EncryptedData out of the
Response, decrypt it alone and parse the plaintext as a document: every prefix the Assertion
uses must be declared on it. Each check here starts from a fresh document holding only the
EncryptedData, then parses the plaintext strictly and verifies the Assertion's signature
there with the IdP certificate, with python-xmlsec and with the xmlsec1 binary (libxmlsec,
as the C and C++ SPs use), and has python3-saml's standalone decryption and pysaml2 (with
the stock xmlsec1 backend) accept it. Decrypting inside the Response, as our backend and
python3-saml's Response check do, resolves prefixes from the Response and hid the defect.
"""

import base64
import copy
import shutil
import subprocess
from pathlib import Path

import pytest
import xmlsec
from lxml import etree
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from saml2 import BINDING_HTTP_POST
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.response import AuthnResponse

from sso_apps.models.applications import DataEncryption
from sso_apps.saml.constants import (
    AES256_CBC,
    AES256_GCM,
    KEY_TRANSPORT,
    RSA_OAEP_MGF1P,
    XSI_NS,
)
from sso_apps.saml.namespaces import undeclared_prefixes
from sso_apps.saml.xmlsec_backend import ENCRYPTION_METHODS, PythonXmlsecBackend

from .conftest import REQUEST_ID, SP_ACS_URL, SP_ENTITY_ID
from .xml_checks import DS, SAML, XENC, xmlsec_verify
from .xml_checks import parse as _parse

XMLSEC1 = shutil.which("xmlsec1")
XSI_TYPE = f"{{{XSI_NS}}}type"
ASSERTION_ID_ATTR = f"--id-attr:ID {SAML}:Assertion".split(" ", 1)

# Every data-encryption method an admin may choose (SamlConfig.data_encryption), by the URI
# it must write; spelled out here rather than read from constants so a wrong URI there fails.
DATA_ENCRYPTION = {"aes256-gcm": AES256_GCM, "aes256-cbc": AES256_CBC}
# Tessera offers one key transport, RSA-OAEP with MGF1-SHA1: RSA 1.5 is deliberately absent
# (Bleichenbacher-style padding oracles), and xmlenc11#rsa-oaep with SHA-256/MGF1-SHA256 is
# not offered because the xmlsec1 binary here (1.2.37) and so pysaml2 cannot decrypt it (see
# constants.KEY_TRANSPORT). So the matrix is 1 key transport x 2 data encryptions.
KEY_TRANSPORTS = [RSA_OAEP_MGF1P]
MATRIX = [
    pytest.param(mode, key_transport, id=f"{mode}+{key_transport.rpartition('#')[2]}")
    for mode in ENCRYPTION_METHODS
    for key_transport in KEY_TRANSPORTS
]


def test_the_matrix_covers_every_data_encryption_an_admin_can_choose():
    assert set(ENCRYPTION_METHODS) == set(DATA_ENCRYPTION) == set(DataEncryption.values)
    assert KEY_TRANSPORTS == [KEY_TRANSPORT]


def _encrypted_response(
    idp_server_factory, authn_response_factory, idp_pair, mode, **kwargs
) -> etree._Element:
    server = idp_server_factory(idp_pair=idp_pair, backend=PythonXmlsecBackend(encryption=mode))
    return _parse(authn_response_factory(server, encrypt_assertion=True, **kwargs))


def _standalone_encrypted_data(response: etree._Element) -> etree._Element:
    """Return the EncryptedData as the root of a new document, as an SP extracts it."""
    encrypted_data = response.find(f"{{{SAML}}}EncryptedAssertion/{{{XENC}}}EncryptedData")
    assert encrypted_data is not None
    # deepcopy declares only the namespaces the EncryptedData itself uses; none of the
    # Response's declarations come along to rescue an Assertion that lacks its own.
    alone = copy.deepcopy(encrypted_data)
    assert set(alone.nsmap.values()) <= {XENC, DS}
    return alone


def _plaintext(encrypted_data: etree._Element, private_key_pem: str) -> bytes:
    """Decrypt to the raw plaintext bytes, before any parser has looked at them."""
    alone = copy.deepcopy(encrypted_data)
    # Without Type="...#Element" libxmlsec hands back the decrypted octets instead of
    # parsing them in place; Type is outside the ciphertext, so the octets are the same.
    del alone.attrib["Type"]
    manager = xmlsec.KeysManager()
    manager.add_key(xmlsec.Key.from_memory(private_key_pem, xmlsec.KeyFormat.PEM, None))
    return xmlsec.EncryptionContext(manager).decrypt(alone)


def _strict_parse(data: bytes) -> etree._Element:
    # recover=False is lxml's default; named because recovery would hide exactly this bug.
    return etree.fromstring(data, parser=etree.XMLParser(recover=False, resolve_entities=False))


def _xmlsec1(*arguments: str | Path) -> subprocess.CompletedProcess:
    assert XMLSEC1, "these tests need the xmlsec1 binary (apt-get install xmlsec1)"
    return subprocess.run(  # noqa: S603
        [XMLSEC1, *map(str, arguments)], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(("mode", "key_transport"), MATRIX)
def test_algorithms_are_the_ones_written_into_encrypted_data(
    idp_server_factory, authn_response_factory, idp_pair, mode, key_transport
):
    encrypted_data = _standalone_encrypted_data(
        _encrypted_response(idp_server_factory, authn_response_factory, idp_pair, mode)
    )

    method = encrypted_data.find(f"{{{XENC}}}EncryptionMethod")
    assert method.get("Algorithm") == DATA_ENCRYPTION[mode]
    transport = encrypted_data.find(f".//{{{XENC}}}EncryptedKey/{{{XENC}}}EncryptionMethod")
    assert transport.get("Algorithm") == key_transport


@pytest.mark.parametrize(("mode", "key_transport"), MATRIX)
def test_plaintext_is_a_namespace_well_formed_document_whose_signature_verifies(
    idp_server_factory, authn_response_factory, idp_pair, sp_pair, mode, key_transport
):
    response = _encrypted_response(idp_server_factory, authn_response_factory, idp_pair, mode)

    plaintext = _plaintext(_standalone_encrypted_data(response), sp_pair.private_key_pem)

    # This is the check that failed before: "Namespace prefix ns1 on Assertion is not defined".
    assert undeclared_prefixes(plaintext) == []
    assertion = _strict_parse(plaintext)
    assert assertion.tag == f"{{{SAML}}}Assertion"
    assert assertion.find(f"{{{SAML}}}Issuer").text == "https://idp.tessera.test/saml/metadata/"
    assert assertion.find(f"{{{SAML}}}Subject/{{{SAML}}}NameID").text == "alice@example.test"
    # The conventional prefixes, declared on the Assertion itself.
    assert assertion.prefix == "saml"
    assert assertion.find(f"{{{DS}}}Signature").prefix == "ds"
    xmlsec_verify(assertion, idp_pair.certificate_pem)


@pytest.mark.parametrize(("mode", "key_transport"), MATRIX)
def test_python_xmlsec_decrypts_encrypted_data_alone_into_an_assertion(
    idp_server_factory, authn_response_factory, idp_pair, sp_pair, mode, key_transport
):
    alone = _standalone_encrypted_data(
        _encrypted_response(idp_server_factory, authn_response_factory, idp_pair, mode)
    )
    manager = xmlsec.KeysManager()
    manager.add_key(xmlsec.Key.from_memory(sp_pair.private_key_pem, xmlsec.KeyFormat.PEM, None))

    assertion = xmlsec.EncryptionContext(manager).decrypt(alone)

    assert assertion.tag == f"{{{SAML}}}Assertion"
    assert assertion.getparent() is None
    # Round-trip through text: what a C SP holds after decryption is a parsed document.
    reparsed = _strict_parse(etree.tostring(assertion))
    xmlsec_verify(reparsed, idp_pair.certificate_pem)


@pytest.mark.parametrize(("mode", "key_transport"), MATRIX)
def test_xmlsec1_binary_decrypts_alone_and_verifies_the_assertion(
    idp_server_factory,
    authn_response_factory,
    pem_files_factory,
    idp_pair,
    sp_pair,
    tmp_path,
    mode,
    key_transport,
):
    alone = _standalone_encrypted_data(
        _encrypted_response(idp_server_factory, authn_response_factory, idp_pair, mode)
    )
    sp_key, _ = pem_files_factory(sp_pair)
    _, idp_cert = pem_files_factory(idp_pair)
    encrypted_file = tmp_path / "encrypted-data.xml"
    encrypted_file.write_bytes(etree.tostring(alone, xml_declaration=True, encoding="UTF-8"))
    decrypted_file = tmp_path / "assertion.xml"

    decrypted = _xmlsec1(
        "--decrypt", "--privkey-pem", sp_key, "--output", decrypted_file, encrypted_file
    )
    assert decrypted.returncode == 0, decrypted.stderr

    assertion = _strict_parse(decrypted_file.read_bytes())
    assert assertion.tag == f"{{{SAML}}}Assertion"
    # The same flags pysaml2 gives xmlsec1: the key is the IdP certificate we name.
    verified = _xmlsec1(
        "--verify",
        "--enabled-reference-uris",
        "empty,same-doc",
        "--enabled-key-data",
        "raw-x509-cert",
        "--pubkey-cert-pem",
        idp_cert,
        *ASSERTION_ID_ATTR,
        decrypted_file,
    )
    assert verified.returncode == 0, verified.stderr
    assert "OK" in verified.stdout + verified.stderr


@pytest.mark.parametrize(("mode", "key_transport"), MATRIX)
def test_python3_saml_decrypts_alone_and_validates_the_signature(
    idp_server_factory, authn_response_factory, idp_pair, sp_pair, mode, key_transport
):
    response = _encrypted_response(idp_server_factory, authn_response_factory, idp_pair, mode)
    encrypted_data = response.find(f"{{{SAML}}}EncryptedAssertion/{{{XENC}}}EncryptedData")

    # inplace=False: python3-saml copies the EncryptedData into a document of its own
    # (what it does for EncryptedID), unlike its Response check, which decrypts in place.
    assertion = OneLogin_Saml2_Utils.decrypt_element(encrypted_data, sp_pair.private_key_pem)

    assert assertion.tag == f"{{{SAML}}}Assertion"
    assert OneLogin_Saml2_Utils.validate_sign(
        _strict_parse(etree.tostring(assertion)),
        cert=idp_pair.certificate_pem,
        # Its default XPaths expect a Response around the Assertion.
        xpath="/saml:Assertion/ds:Signature",
    )


@pytest.mark.parametrize(("mode", "key_transport"), MATRIX)
def test_python3_saml_and_pysaml2_accept_the_encrypted_response(
    idp_server_factory,
    authn_response_factory,
    onelogin_sp_factory,
    pem_files_factory,
    idp_pair,
    sp_pair,
    mode,
    key_transport,
):
    server = idp_server_factory(idp_pair=idp_pair, backend=PythonXmlsecBackend(encryption=mode))
    xml = authn_response_factory(server, email="erin@example.test", encrypt_assertion=True)

    onelogin = onelogin_sp_factory(
        idp_pair=idp_pair, sp_pair=sp_pair, want_assertions_encrypted=True
    )(xml)
    assert onelogin.get_nameid() == "erin@example.test"

    sp_key, sp_cert = pem_files_factory(sp_pair)
    pysaml2 = _pysaml2_sp_response(server, sp_key=sp_key, sp_cert=sp_cert, xml=xml)
    assert pysaml2.assertion.subject.name_id.text == "erin@example.test"
    assert pysaml2.ava["mail"] == ["erin@example.test"]


def _pysaml2_sp_response(server, *, sp_key: Path, sp_cert: Path, xml: str) -> AuthnResponse:
    """Consume the Response with a pysaml2 SP on the stock xmlsec1 backend."""
    from saml2.client import Saml2Client

    assert XMLSEC1, "these tests need the xmlsec1 binary (apt-get install xmlsec1)"
    config = SPConfig()
    config.load(
        {
            "entityid": SP_ENTITY_ID,
            "xmlsec_binary": XMLSEC1,
            "key_file": str(sp_key),
            "cert_file": str(sp_cert),
            "encryption_keypairs": [{"key_file": str(sp_key), "cert_file": str(sp_cert)}],
            "metadata": {"inline": [create_metadata_string(None, config=server.config)]},
            "allow_unknown_attributes": True,
            "service": {
                "sp": {
                    "endpoints": {"assertion_consumer_service": [(SP_ACS_URL, BINDING_HTTP_POST)]},
                    "want_response_signed": True,
                    "want_assertions_signed": True,
                    "want_assertions_or_response_signed": True,
                }
            },
        }
    )
    return Saml2Client(config=config).parse_authn_request_response(
        base64.b64encode(xml.encode("utf-8")).decode("ascii"),
        BINDING_HTTP_POST,
        outstanding={REQUEST_ID: "/"},
    )


def test_unsigned_encrypted_assertion_is_self_contained_too(
    idp_server_factory, authn_response_factory, idp_pair, sp_pair
):
    response = _encrypted_response(
        idp_server_factory, authn_response_factory, idp_pair, "aes256-gcm", sign_assertion=False
    )

    plaintext = _plaintext(_standalone_encrypted_data(response), sp_pair.private_key_pem)

    assertion = _strict_parse(plaintext)
    assert assertion.find(f"{{{DS}}}Signature") is None
    assert assertion.find(f"{{{SAML}}}Subject/{{{SAML}}}NameID").text == "alice@example.test"


def test_pysaml2_self_contained_flag_gives_the_same_conventional_form(
    idp_server_factory, authn_response_factory, idp_pair, sp_pair
):
    # Tessera passes encrypt_assertion_self_contained=True (pysaml2 then uses "encas0"-style
    # prefixes); the form the SP decrypts must not depend on it.
    response = _encrypted_response(
        idp_server_factory,
        authn_response_factory,
        idp_pair,
        "aes256-gcm",
        encrypt_assertion_self_contained=True,
    )

    assertion = _strict_parse(
        _plaintext(_standalone_encrypted_data(response), sp_pair.private_key_pem)
    )

    assert {element.prefix for element in assertion.iter(etree.Element)} == {"saml", "ds"}
    assert assertion.find(f".//{{{SAML}}}AttributeValue").get(XSI_TYPE) == "xs:string"
    xmlsec_verify(assertion, idp_pair.certificate_pem)


def test_encrypt_by_xpath_makes_each_encrypted_element_self_contained(pem_files_factory, sp_pair):
    _, sp_cert = pem_files_factory(sp_pair)
    # The namespaces are declared on the statement only, as pysaml2 declares them on the root.
    statement = (
        f'<saml:AttributeStatement xmlns:saml="{SAML}"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<saml:Attribute Name="mail"><saml:AttributeValue xsi:type="xs:string">'
        "frank@example.test</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>"
    )

    encrypted = _parse(
        PythonXmlsecBackend().encrypt(
            statement, str(sp_cert), None, "des-192", xpath="//*[local-name()='Attribute']"
        )
    )

    attribute = _strict_parse(
        _plaintext(encrypted.find(f"{{{XENC}}}EncryptedData"), sp_pair.private_key_pem)
    )
    value = attribute.find(f"{{{SAML}}}AttributeValue")
    assert value.text == "frank@example.test"
    assert value.get(XSI_TYPE) == "xs:string"
