import base64
from urllib.parse import urlsplit

import pytest
import saml2.sigver
import xmlsec
from lxml import etree
from onelogin.saml2.errors import OneLogin_Saml2_ValidationError
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.response import IncorrectlySigned
from saml2.sigver import SecurityContext
from saml2.xmldsig import DIGEST_SHA1, DIGEST_SHA512, SIG_RSA_SHA1, SIG_RSA_SHA512

from sso_apps.saml import constants, key_cache
from sso_apps.saml.bindings import decode_redirect, verify_redirect_signature
from sso_apps.saml.errors import SamlError, SamlSignatureError
from sso_apps.saml.parsing import verify_enveloped_signature
from sso_apps.saml.xmlsec_backend import (
    PythonXmlsecBackend,
    XmlsecSignatureError,
    install_backend,
    security_context_for,
)

from .conftest import IDP_ENTITY_ID, SP_ACS_URL, SP_ENTITY_ID
from .xml_checks import DS, SAML, SAMLP
from .xml_checks import parse as _parse
from .xml_checks import xmlsec_verify as _xmlsec_verify


def test_response_and_assertion_pass_strict_python3_saml(
    idp_server_factory, authn_response_factory, onelogin_sp_factory, idp_pair, sp_pair
):
    server = idp_server_factory(idp_pair=idp_pair)
    validate = onelogin_sp_factory(idp_pair=idp_pair, sp_pair=sp_pair)

    response = validate(authn_response_factory(server, email="alice@example.test"))

    assert response.get_nameid() == "alice@example.test"
    assert response.get_attributes()["urn:oid:2.5.4.42"] == ["Alice"]


def test_response_and_assertion_signatures_verify_with_xmlsec(
    idp_server_factory, authn_response_factory, idp_pair
):
    root = _parse(authn_response_factory(idp_server_factory(idp_pair=idp_pair)))
    assertion = root.find(f"{{{SAML}}}Assertion")

    _xmlsec_verify(root, idp_pair.certificate_pem)
    _xmlsec_verify(assertion, idp_pair.certificate_pem)
    for signature in (root.find(f"{{{DS}}}Signature"), assertion.find(f"{{{DS}}}Signature")):
        signed_info = signature.find(f"{{{DS}}}SignedInfo")
        c14n = signed_info.find(f"{{{DS}}}CanonicalizationMethod").get("Algorithm")
        method = signed_info.find(f"{{{DS}}}SignatureMethod").get("Algorithm")
        reference = signed_info.find(f"{{{DS}}}Reference")
        assert c14n == constants.EXC_C14N
        assert method == constants.RSA_SHA256
        assert reference.find(f"{{{DS}}}DigestMethod").get("Algorithm") == constants.SHA256
        assert reference.get("URI") == f"#{signature.getparent().get('ID')}"


def test_tampered_name_id_fails_python3_saml_and_xmlsec(
    idp_server_factory, authn_response_factory, onelogin_sp_factory, idp_pair, sp_pair
):
    xml = authn_response_factory(idp_server_factory(idp_pair=idp_pair))
    tampered = xml.replace(">alice@example.test</", ">mallory@example.test</")
    assert tampered != xml
    validate = onelogin_sp_factory(idp_pair=idp_pair, sp_pair=sp_pair)

    with pytest.raises(OneLogin_Saml2_ValidationError, match="Signature validation failed"):
        validate(tampered)
    root = _parse(tampered)
    with pytest.raises(xmlsec.VerificationError):
        _xmlsec_verify(root.find(f"{{{SAML}}}Assertion"), idp_pair.certificate_pem)
    with pytest.raises(xmlsec.VerificationError):
        _xmlsec_verify(root, idp_pair.certificate_pem)


def test_no_subprocess_is_started_for_signing_encryption_or_verification(
    forbid_subprocess,
    idp_server_factory,
    authn_response_factory,
    onelogin_sp_factory,
    sp_metadata_factory,
    idp_pair,
    sp_pair,
):
    server = idp_server_factory(
        idp_pair=idp_pair,
        sp_metadata=sp_metadata_factory(
            signing_cert_pem=sp_pair.certificate_pem,
            encryption_cert_pem=sp_pair.certificate_pem,
            authn_requests_signed=True,
        ),
        idp_options=_want_signed_requests(),
    )

    signed = authn_response_factory(server)
    encrypted = authn_response_factory(server, encrypt_assertion=True)
    server.parse_authn_request(_signed_authn_request(sp_pair), BINDING_HTTP_POST)

    validate = onelogin_sp_factory(idp_pair=idp_pair, sp_pair=sp_pair)
    validate(signed)
    validate(encrypted)
    assert forbid_subprocess == []


def test_private_key_can_stay_in_memory(
    idp_server_factory, authn_response_factory, onelogin_sp_factory, idp_pair, sp_pair
):
    server = idp_server_factory(idp_pair=idp_pair, key_in_memory=True)
    assert server.config.key_file.startswith("-----BEGIN PRIVATE KEY-----")

    response = onelogin_sp_factory(idp_pair=idp_pair, sp_pair=sp_pair)(
        authn_response_factory(server)
    )

    assert response.get_nameid() == "alice@example.test"


def test_key_rotated_in_place_is_used_immediately(
    idp_server_factory, authn_response_factory, key_pair_factory, idp_pair
):
    server = idp_server_factory(idp_pair=idp_pair)
    first = _parse(authn_response_factory(server))
    rotated = key_pair_factory("rotated.tessera.test")

    with open(server.config.key_file, "w") as handle:
        handle.write(rotated.private_key_pem)
    second = _parse(authn_response_factory(server))

    verify_enveloped_signature(first, certificate_pem=idp_pair.certificate_pem)
    verify_enveloped_signature(second, certificate_pem=rotated.certificate_pem)
    with pytest.raises(SamlSignatureError):
        verify_enveloped_signature(second, certificate_pem=idp_pair.certificate_pem)


def test_signing_key_is_parsed_once(
    monkeypatch, idp_server_factory, authn_response_factory, idp_pair
):
    server = idp_server_factory(idp_pair=idp_pair)
    key_cache.clear_caches()
    loads = []
    original = key_cache._load_xmlsec_private_key

    def counting_loader(data):
        loads.append(data)
        return original(data)

    monkeypatch.setattr(key_cache, "_load_xmlsec_private_key", counting_loader)

    for _ in range(3):
        authn_response_factory(server)

    assert len(loads) == 1


def test_sha1_and_sha512_are_used_when_requested(
    idp_server_factory, authn_response_factory, idp_pair
):
    server = idp_server_factory(idp_pair=idp_pair)

    for sign_alg, digest_alg, allow_sha1 in (
        (SIG_RSA_SHA1, DIGEST_SHA1, True),
        (SIG_RSA_SHA512, DIGEST_SHA512, False),
    ):
        root = _parse(authn_response_factory(server, sign_alg=sign_alg, digest_alg=digest_alg))
        method = root.find(f"{{{DS}}}Signature/{{{DS}}}SignedInfo/{{{DS}}}SignatureMethod")
        assert method.get("Algorithm") == sign_alg
        verify_enveloped_signature(
            root, certificate_pem=idp_pair.certificate_pem, allow_sha1=allow_sha1
        )


def test_sha256_replaces_pysaml2_sha1_fallback_but_explicit_config_wins(
    idp_server_factory, idp_pair
):
    default = idp_server_factory(idp_pair=idp_pair)
    explicit = idp_server_factory(
        idp_pair=idp_pair,
        idp_options={"signing_algorithm": SIG_RSA_SHA512, "digest_algorithm": DIGEST_SHA512},
    )

    assert (default.signing_algorithm, default.digest_algorithm) == (
        constants.RSA_SHA256,
        constants.SHA256,
    )
    assert (explicit.signing_algorithm, explicit.digest_algorithm) == (
        SIG_RSA_SHA512,
        DIGEST_SHA512,
    )


def _want_signed_requests() -> dict:
    return {
        "endpoints": {
            "single_sign_on_service": [
                ("https://idp.tessera.test/saml/sso/post/", BINDING_HTTP_POST),
            ],
        },
        "want_authn_requests_signed": True,
    }


def _signed_authn_request(sp_pair, *, acs_url: str = SP_ACS_URL) -> str:
    request = (
        f'<samlp:AuthnRequest xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="_req1"'
        ' Version="2.0" IssueInstant="2026-01-01T00:00:00Z"'
        ' Destination="https://idp.tessera.test/saml/sso/post/"'
        f' AssertionConsumerServiceURL="{acs_url}"'
        f' ProtocolBinding="{BINDING_HTTP_POST}">'
        f"<saml:Issuer>{SP_ENTITY_ID}</saml:Issuer></samlp:AuthnRequest>"
    )
    signed = OneLogin_Saml2_Utils.add_sign(
        request, sp_pair.private_key_pem, sp_pair.certificate_pem
    )
    return base64.b64encode(signed).decode("ascii")


def test_pysaml2_verifies_signed_authn_requests_through_the_backend(
    forbid_subprocess, idp_server_factory, sp_metadata_factory, idp_pair, sp_pair
):
    server = idp_server_factory(
        idp_pair=idp_pair,
        sp_metadata=sp_metadata_factory(
            signing_cert_pem=sp_pair.certificate_pem, authn_requests_signed=True
        ),
        idp_options=_want_signed_requests(),
    )
    genuine = _signed_authn_request(sp_pair)
    forged = base64.b64encode(
        base64.b64decode(genuine).replace(SP_ACS_URL.encode(), b"https://evil.test/acs/x")
    ).decode("ascii")

    request = server.parse_authn_request(genuine, BINDING_HTTP_POST)

    assert request.message.assertion_consumer_service_url == SP_ACS_URL
    with pytest.raises(IncorrectlySigned):
        server.parse_authn_request(forged, BINDING_HTTP_POST)


def test_pysaml2_redirect_signing_uses_our_key_and_verifies_with_bindings(
    idp_server_factory, idp_pair
):
    server = idp_server_factory(idp_pair=idp_pair)
    logout_response = (
        f'<samlp:LogoutResponse xmlns:samlp="{SAMLP}" ID="_lo1" Version="2.0"'
        ' IssueInstant="2026-01-01T00:00:00Z"/>'
    )

    info = server.apply_binding(
        BINDING_HTTP_REDIRECT,
        logout_response,
        destination="https://sp.example.test/saml/sls/",
        relay_state="after-logout",
        response=True,
        sign=True,
        sigalg=constants.RSA_SHA256,
    )
    location = dict(info["headers"])["Location"]
    message = decode_redirect(urlsplit(location).query)

    assert message.xml.decode() == logout_response
    assert message.relay_state == "after-logout"
    verify_redirect_signature(message, certificate_pem=idp_pair.certificate_pem)


def test_install_backend_is_idempotent_and_builds_a_security_context(idp_server_factory, idp_pair):
    server = idp_server_factory(idp_pair=idp_pair)
    installed = server.sec

    install_backend(server)

    assert server.sec is installed
    assert isinstance(server.sec, SecurityContext)
    assert isinstance(server.sec.crypto, PythonXmlsecBackend)
    assert server.sec.sec_backend is not None
    fresh = security_context_for(server.config)
    assert fresh is not installed and isinstance(fresh.crypto, PythonXmlsecBackend)


def test_sign_statement_without_template_defaults_to_sha256_after_issuer(idp_pair):
    request = (
        f'<samlp:LogoutRequest xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="_lr9"'
        ' Version="2.0" IssueInstant="2026-01-01T00:00:00Z">'
        f"<saml:Issuer>{IDP_ENTITY_ID}</saml:Issuer>"
        "<saml:NameID>alice@example.test</saml:NameID></samlp:LogoutRequest>"
    )

    signed = PythonXmlsecBackend().sign_statement(
        request, f"{SAMLP}:LogoutRequest", idp_pair.private_key_pem, "_lr9"
    )
    root = _parse(signed)

    assert etree.QName(root[1]).localname == "Signature"
    method = root.find(f"{{{DS}}}Signature/{{{DS}}}SignedInfo/{{{DS}}}SignatureMethod")
    assert method.get("Algorithm") == constants.RSA_SHA256
    assert OneLogin_Saml2_Utils.validate_sign(
        signed, idp_pair.certificate_pem, xpath="/samlp:LogoutRequest/ds:Signature"
    )


def test_sign_statement_errors_are_both_pysaml2_and_tessera_errors(idp_pair):
    with pytest.raises(XmlsecSignatureError, match="No AuthnRequest element") as caught:
        PythonXmlsecBackend().sign_statement(
            "<a/>", f"{SAMLP}:AuthnRequest", idp_pair.private_key_pem, "_x"
        )

    assert isinstance(caught.value, saml2.sigver.SignatureError)
    assert isinstance(caught.value, SamlError)


def test_validate_signature_raises_for_wrong_certificate(
    idp_server_factory, authn_response_factory, pem_files_factory, idp_pair, sp_pair
):
    xml = authn_response_factory(idp_server_factory(idp_pair=idp_pair))
    response_id = _parse(xml).get("ID")
    _, idp_cert_path = pem_files_factory(idp_pair)
    _, sp_cert_path = pem_files_factory(sp_pair)
    backend = PythonXmlsecBackend()

    assert backend.validate_signature(
        xml, str(idp_cert_path), "pem", f"{SAMLP}:Response", response_id
    )
    with pytest.raises(saml2.sigver.SignatureError, match="does not match"):
        backend.validate_signature(xml, str(sp_cert_path), "pem", f"{SAMLP}:Response", response_id)


def test_forbid_subprocess_fixture_catches_the_stock_xmlsec1_backend(forbid_subprocess, idp_pair):
    # Guards the guard: if our backend ever fell back to xmlsec1, the fixture would notice.
    stock = saml2.sigver.CryptoBackendXmlSec1("/usr/bin/xmlsec1")

    with pytest.raises(AssertionError, match="subprocess was started"):
        stock.sign_statement("<a ID='x'/>", "a", idp_pair.private_key_pem, "x")

    assert forbid_subprocess
