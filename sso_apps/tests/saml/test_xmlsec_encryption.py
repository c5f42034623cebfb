"""Encrypted assertions through the in-process backend, judged by python3-saml and pysaml2."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import saml2.sigver
from lxml import etree

from sso_apps.saml import key_cache
from sso_apps.saml.parsing import verify_enveloped_signature
from sso_apps.saml.xmlsec_backend import (
    PythonXmlsecBackend,
)

from .xml_checks import SAML, XENC
from .xml_checks import parse as _parse


@pytest.mark.parametrize(
    ("encryption", "algorithm"),
    [
        ("aes256-gcm", "http://www.w3.org/2009/xmlenc11#aes256-gcm"),
        ("aes256-cbc", "http://www.w3.org/2001/04/xmlenc#aes256-cbc"),
    ],
)
def test_encrypted_assertion_decrypts_with_python3_saml(
    idp_server_factory,
    authn_response_factory,
    onelogin_sp_factory,
    idp_pair,
    sp_pair,
    encryption,
    algorithm,
):
    server = idp_server_factory(
        idp_pair=idp_pair, backend=PythonXmlsecBackend(encryption=encryption)
    )
    xml = authn_response_factory(server, email="carol@example.test", encrypt_assertion=True)
    root = _parse(xml)

    assert "carol@example.test" not in xml
    assert root.find(f"{{{SAML}}}Assertion") is None
    encrypted_data = root.find(f"{{{SAML}}}EncryptedAssertion/{{{XENC}}}EncryptedData")
    assert encrypted_data.find(f"{{{XENC}}}EncryptionMethod").get("Algorithm") == algorithm
    key_transport = encrypted_data.find(f".//{{{XENC}}}EncryptedKey/{{{XENC}}}EncryptionMethod")
    assert key_transport.get("Algorithm") == "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"

    validate = onelogin_sp_factory(
        idp_pair=idp_pair, sp_pair=sp_pair, want_assertions_encrypted=True
    )
    response = validate(xml)

    assert response.encrypted
    assert response.get_nameid() == "carol@example.test"


def test_backend_decrypts_with_sp_key_and_assertion_signature_survives(
    idp_server_factory, authn_response_factory, pem_files_factory, idp_pair, sp_pair
):
    xml = authn_response_factory(idp_server_factory(idp_pair=idp_pair), encrypt_assertion=True)
    sp_key_path, _ = pem_files_factory(sp_pair)

    decrypted = _parse(PythonXmlsecBackend().decrypt(xml, str(sp_key_path)))

    assertion = decrypted.find(f"{{{SAML}}}EncryptedAssertion/{{{SAML}}}Assertion")
    assert assertion.find(f"{{{SAML}}}Subject/{{{SAML}}}NameID").text == "alice@example.test"
    verify_enveloped_signature(assertion, certificate_pem=idp_pair.certificate_pem)


def test_decrypt_with_wrong_key_raises_pysaml2_decrypt_error(
    idp_server_factory, authn_response_factory, key_pair_factory, idp_pair
):
    xml = authn_response_factory(idp_server_factory(idp_pair=idp_pair), encrypt_assertion=True)
    stranger = key_pair_factory("stranger.example.test")

    with pytest.raises(saml2.sigver.DecryptError):
        PythonXmlsecBackend().decrypt(xml, stranger.private_key_pem)


def test_unknown_encryption_mode_is_rejected():
    with pytest.raises(ValueError, match="encryption must be one of"):
        PythonXmlsecBackend(encryption="des-192")


def test_encrypt_and_decrypt_round_trip_whole_document_and_xpath(pem_files_factory, sp_pair):
    sp_key_path, sp_cert_path = pem_files_factory(sp_pair)
    backend = PythonXmlsecBackend()
    attribute = (
        f'<saml:Attribute xmlns:saml="{SAML}" Name="mail">'
        "<saml:AttributeValue>dave@example.test</saml:AttributeValue></saml:Attribute>"
    )
    statement = (
        f'<saml:AttributeStatement xmlns:saml="{SAML}">{attribute}</saml:AttributeStatement>'
    )

    whole = backend.encrypt(attribute, str(sp_cert_path), None, "des-192")
    partial = backend.encrypt(
        statement, str(sp_cert_path), None, "des-192", xpath="//*[local-name()='Attribute']"
    )

    assert "dave@example.test" not in whole and "dave@example.test" not in partial
    assert etree.QName(_parse(whole)).localname == "EncryptedData"
    assert _parse(backend.decrypt(whole, str(sp_key_path))).get("Name") == "mail"
    recovered = _parse(backend.decrypt(partial, str(sp_key_path)))
    assert recovered.find(f"{{{SAML}}}Attribute/{{{SAML}}}AttributeValue").text == (
        "dave@example.test"
    )


def test_encrypt_without_recipient_certificate_raises_pysaml2_encrypt_error():
    with pytest.raises(saml2.sigver.EncryptError, match="No encryption certificate"):
        PythonXmlsecBackend().encrypt("<a/>", "", None, "des-192")


def test_recipient_keys_manager_is_built_once_per_certificate(
    monkeypatch, idp_server_factory, authn_response_factory, key_pair_factory, idp_pair
):
    # A KeysManager costs ~90 ms to build (benchmarks/saml_encryption.py); one per login
    # made encryption the slowest part of SSO.
    server = idp_server_factory(idp_pair=idp_pair)
    key_cache.clear_caches()
    built = []
    original = key_cache._manager_holding

    def counting(key):
        built.append(key)
        return original(key)

    monkeypatch.setattr(key_cache, "_manager_holding", counting)

    for _ in range(3):
        authn_response_factory(server, encrypt_assertion=True)
    other = key_pair_factory("other-sp.example.test")
    PythonXmlsecBackend().encrypt("<a/>", other.certificate_pem, None, "des-192")

    assert len(built) == 2


def test_a_shared_keys_manager_encrypts_and_decrypts_from_many_threads(sp_pair):
    backend = PythonXmlsecBackend()

    def round_trip(number: int) -> str:
        document = f"<secret>{number}</secret>"
        encrypted = backend.encrypt(document, sp_pair.certificate_pem, None, "des-192")
        return _parse(backend.decrypt(encrypted, sp_pair.private_key_pem)).text

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(round_trip, range(64)))

    assert results == [str(number) for number in range(64)]
