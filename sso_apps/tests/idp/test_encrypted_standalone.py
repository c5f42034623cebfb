"""The IdP's real encrypted Responses, decrypted the way C and C++ SPs do it: EncryptedData alone.

The SAML-level matrix is in sso_apps/tests/saml/test_standalone_decryption.py; this runs the
production path (TesseraServer, the app's keys and signing choices, pysaml2's
self-contained flag) end to end and hands the EncryptedData to the xmlsec1 binary.
"""

import base64
import copy
import shutil
import subprocess

import pytest
from lxml import etree
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from sso_apps.saml.constants import DATA_ENCRYPTION_URIS
from sso_apps.saml.keys import generate_key_pair
from sso_apps.tests.idp.flows import onelogin_sp, response_fields, sso_redirect

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
XENC = "http://www.w3.org/2001/04/xmlenc#"


def _xmlsec1(*arguments) -> subprocess.CompletedProcess:
    binary = shutil.which("xmlsec1")
    assert binary, "this test needs the xmlsec1 binary (apt-get install xmlsec1)"
    return subprocess.run(  # noqa: S603
        [binary, *map(str, arguments)], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.django_db
@pytest.mark.parametrize("sign_response", [True, False])
@pytest.mark.parametrize("data_encryption", list(DATA_ENCRYPTION_URIS))
def test_encrypted_data_from_the_idp_decrypts_alone_and_its_signature_verifies(
    client, saml_app_factory, tmp_path, sign_response, data_encryption
):
    sp_keys = generate_key_pair(common_name="sp.example.com")
    application = saml_app_factory(
        encrypt_assertions=True,
        sp_certificate=sp_keys.certificate_pem,
        sign_assertion=True,
        sign_response=sign_response,
        data_encryption=data_encryption,
    )
    client.force_login(application.authorized_groups.get().members.get())
    sp = onelogin_sp(client, application)
    url, _ = sp.login_url()
    raw = base64.b64decode(response_fields(sso_redirect(client, url))["SAMLResponse"])
    encrypted_data = etree.fromstring(raw).find(
        f"{{{SAML}}}EncryptedAssertion/{{{XENC}}}EncryptedData"
    )
    method = encrypted_data.find(f"{{{XENC}}}EncryptionMethod").get("Algorithm")
    assert method == DATA_ENCRYPTION_URIS[data_encryption]
    (tmp_path / "sp.key").write_text(sp_keys.private_key_pem)
    (tmp_path / "idp.crt").write_text(
        OneLogin_Saml2_Utils.format_cert(sp.settings["idp"]["x509cert"])
    )
    # A document holding only the EncryptedData (deepcopy brings only xenc/ds declarations).
    (tmp_path / "encrypted.xml").write_bytes(etree.tostring(copy.deepcopy(encrypted_data)))

    decrypted = _xmlsec1(
        "--decrypt",
        "--privkey-pem",
        tmp_path / "sp.key",
        "--output",
        tmp_path / "assertion.xml",
        tmp_path / "encrypted.xml",
    )

    assert decrypted.returncode == 0, decrypted.stderr
    assertion = etree.fromstring((tmp_path / "assertion.xml").read_bytes())
    assert assertion.tag == f"{{{SAML}}}Assertion"
    assert assertion.find(f"{{{SAML}}}Subject/{{{SAML}}}NameID").text == "ada@example.com"
    verified = _xmlsec1(
        "--verify",
        "--enabled-reference-uris",
        "empty,same-doc",
        "--enabled-key-data",
        "raw-x509-cert",
        "--pubkey-cert-pem",
        tmp_path / "idp.crt",
        "--id-attr:ID",
        f"{SAML}:Assertion",
        tmp_path / "assertion.xml",
    )
    assert verified.returncode == 0, verified.stderr
