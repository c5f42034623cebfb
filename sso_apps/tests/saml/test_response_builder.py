"""AuthnResponseBuilder on its own: its signatures verify with libxmlsec and the xmlsec1 binary."""

import datetime
import shutil
import subprocess

import pytest
from lxml import etree

from sso_apps.saml.constants import (
    ASSERTION_NS,
    DSIG_NS,
    PROTOCOL_NS,
    SIGNATURE_ALGORITHMS,
    XENC_NS,
)
from sso_apps.saml.errors import SamlError, SamlSignatureError
from sso_apps.saml.keys import generate_key_pair
from sso_apps.saml.namespaces import undeclared_prefixes
from sso_apps.saml.parsing import parse_xml, verify_enveloped_signature
from sso_apps.saml.response_builder import AuthnResponseBuilder, ResponseContent
from sso_apps.saml.xmlsec_backend import PythonXmlsecBackend

NOW = datetime.datetime(2026, 12, 2, 1, 0, tzinfo=datetime.UTC)
ASSERTION = f"{{{ASSERTION_NS}}}Assertion"
SIGNATURE = f"{{{DSIG_NS}}}Signature"


@pytest.fixture(scope="module")
def idp_keys():
    return generate_key_pair(common_name="idp.example.test")


@pytest.fixture(scope="module")
def sp_keys():
    return generate_key_pair(common_name="sp.example.test")


def _content(**overrides) -> ResponseContent:
    values = {
        "issuer": "https://idp.example.test/saml2/app",
        "destination": "https://sp.example.test/acs",
        "audience": "https://sp.example.test/metadata",
        "in_response_to": "_request",
        "name_id": "ann@example.test",
        "name_id_format": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        "authn_context": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
        "authn_instant": NOW - datetime.timedelta(minutes=3),
        "session_not_on_or_after": NOW + datetime.timedelta(hours=8),
        "attributes": [("mail", ["ann@example.test"]), ("groups", ["A & B", "<C>"])],
        "issued_at": NOW,
        "lifetime": datetime.timedelta(minutes=5),
    }
    return ResponseContent(**(values | overrides))


def _builder(keys, algorithm="rsa-sha256", **extra) -> AuthnResponseBuilder:
    signature, digest = SIGNATURE_ALGORITHMS[algorithm]
    return AuthnResponseBuilder(
        private_key_pem=keys.private_key_pem,
        certificate_pem=keys.certificate_pem,
        signature_algorithm=signature,
        digest_algorithm=digest,
        **extra,
    )


@pytest.mark.parametrize("algorithm", list(SIGNATURE_ALGORITHMS))
def test_both_signatures_verify_with_libxmlsec(idp_keys, algorithm):
    built = _builder(idp_keys, algorithm).build(_content(), sign_response=True, sign_assertion=True)

    root = parse_xml(built.xml)
    assertion = root.find(ASSERTION)
    allow_sha1 = algorithm == "rsa-sha1"
    verify_enveloped_signature(
        root, certificate_pem=idp_keys.certificate_pem, allow_sha1=allow_sha1
    )
    verify_enveloped_signature(
        assertion, certificate_pem=idp_keys.certificate_pem, allow_sha1=allow_sha1
    )
    assert root.get("ID") == built.response_id
    assert assertion.get("ID") == built.assertion_id
    assert [child.tag for child in root][:2] == [f"{{{ASSERTION_NS}}}Issuer", SIGNATURE]
    assert [child.tag for child in assertion][:2] == [f"{{{ASSERTION_NS}}}Issuer", SIGNATURE]


@pytest.mark.parametrize("signed", ["Response", "Assertion"])
def test_the_xmlsec1_binary_verifies_each_signature(idp_keys, tmp_path, signed):
    binary = shutil.which("xmlsec1")
    assert binary, "this test needs the xmlsec1 binary (apt-get install xmlsec1)"
    built = _builder(idp_keys).build(
        _content(), sign_response=signed == "Response", sign_assertion=signed == "Assertion"
    )
    (tmp_path / "response.xml").write_text(built.xml)
    (tmp_path / "idp.crt").write_text(idp_keys.certificate_pem)
    namespace = PROTOCOL_NS if signed == "Response" else ASSERTION_NS

    result = subprocess.run(  # noqa: S603
        [
            binary,
            "--verify",
            "--pubkey-cert-pem",
            str(tmp_path / "idp.crt"),
            "--id-attr:ID",
            f"{namespace}:{signed}",
            str(tmp_path / "response.xml"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "OK" in result.stderr


def test_a_tampered_response_fails_verification(idp_keys):
    built = _builder(idp_keys).build(_content(), sign_response=True, sign_assertion=True)
    forged = built.xml.replace("ann@example.test</saml:NameID>", "eve@example.test</saml:NameID>")

    root = parse_xml(forged)
    with pytest.raises(SamlSignatureError):
        verify_enveloped_signature(root.find(ASSERTION), certificate_pem=idp_keys.certificate_pem)
    with pytest.raises(SamlSignatureError):
        verify_enveloped_signature(root, certificate_pem=idp_keys.certificate_pem)


def test_unsigned_parts_carry_no_signature(idp_keys):
    built = _builder(idp_keys).build(_content(), sign_response=False, sign_assertion=False)

    assert list(parse_xml(built.xml).iter(SIGNATURE)) == []


def test_encrypted_assertion_stands_alone_and_its_signature_verifies(idp_keys, sp_keys):
    builder = _builder(idp_keys, sp_certificate_pem=sp_keys.certificate_pem)

    built = builder.build(
        _content(), sign_response=True, sign_assertion=True, encrypt_assertion=True
    )

    root = parse_xml(built.xml)
    assert root.find(ASSERTION) is None
    encrypted = root.find(f"{{{ASSERTION_NS}}}EncryptedAssertion/{{{XENC_NS}}}EncryptedData")
    assert encrypted is not None
    verify_enveloped_signature(root, certificate_pem=idp_keys.certificate_pem)
    decrypted = parse_xml(PythonXmlsecBackend().decrypt(built.xml, sp_keys.private_key_pem))
    assertion = decrypted.find(f".//{ASSERTION}")
    alone = etree.tostring(assertion)
    assert undeclared_prefixes(alone) == []
    verify_enveloped_signature(parse_xml(alone), certificate_pem=idp_keys.certificate_pem)


def test_encryption_without_an_sp_certificate_is_refused(idp_keys):
    with pytest.raises(SamlError, match="no SP certificate"):
        _builder(idp_keys).build(
            _content(), sign_response=True, sign_assertion=True, encrypt_assertion=True
        )


@pytest.mark.parametrize(
    "field", ["name_id", "issuer", "audience", "destination", "in_response_to"]
)
def test_characters_xml_cannot_carry_are_refused(idp_keys, field):
    with pytest.raises(SamlError, match="characters XML cannot carry"):
        _builder(idp_keys).build(
            _content(**{field: "bad\x00value"}), sign_response=True, sign_assertion=True
        )


@pytest.mark.parametrize("hostile", ["\x01", "\x0b", "\ud800"])
def test_attribute_names_and_values_xml_cannot_carry_are_refused(idp_keys, hostile):
    builder = _builder(idp_keys)
    for attributes in ([(f"name{hostile}", ["v"])], [("name", [f"v{hostile}"])]):
        with pytest.raises(SamlError):
            builder.build(_content(attributes=attributes), sign_response=True, sign_assertion=True)


def test_every_response_gets_fresh_ids(idp_keys):
    builder = _builder(idp_keys)
    first = builder.build(_content(), sign_response=True, sign_assertion=True)
    second = builder.build(_content(), sign_response=True, sign_assertion=True)

    ids = {first.response_id, first.assertion_id, first.session_index}
    assert len(ids) == 3
    assert ids.isdisjoint({second.response_id, second.assertion_id, second.session_index})


def test_no_attributes_means_no_attribute_statement(idp_keys):
    built = _builder(idp_keys).build(
        _content(attributes=[], in_response_to=None, session_not_on_or_after=None),
        sign_response=True,
        sign_assertion=True,
    )

    root = parse_xml(built.xml)
    assert root.find(f".//{{{ASSERTION_NS}}}AttributeStatement") is None
    assert root.get("InResponseTo") is None
    assert root.find(f".//{{{ASSERTION_NS}}}SubjectConfirmationData").get("InResponseTo") is None
    assert root.find(f".//{{{ASSERTION_NS}}}AuthnStatement").get("SessionNotOnOrAfter") is None
