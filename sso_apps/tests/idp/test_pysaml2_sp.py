"""The same flows judged by pysaml2's Saml2Client, an SP implementation independent of ours."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT

from sso_apps.saml.constants import DATA_ENCRYPTION_URIS
from sso_apps.services import saml_configs
from sso_apps.tests.idp.flows import response_fields, slo_confirm, sso_redirect
from sso_apps.tests.idp.sp_harness import (
    PYSAML2_ACS_URL,
    PYSAML2_SLO_URL,
    PYSAML2_SP_ENTITY_ID,
    pysaml2_client,
)


@pytest.fixture
def pysaml2_app(saml_app):
    from sso_apps.services.saml_configs import AcsUrlInput

    saml_configs.saml_config_update(
        application=saml_app,
        changes=saml_configs.SamlConfigInput(
            sp_entity_id=PYSAML2_SP_ENTITY_ID, sp_logout_url=PYSAML2_SLO_URL
        ),
        acs_urls=[AcsUrlInput(url=PYSAML2_ACS_URL, is_default=True)],
    )
    saml_app.refresh_from_db()
    return saml_app


def _client(client, application, **options):
    metadata = client.get(reverse("saml:metadata", args=[application.idp_suffix])).text
    return pysaml2_client(metadata, **options)


def _login(client, application, sp):
    request_id, info = sp.prepare_for_authenticate(
        entityid=application.saml.idp_entity_id,
        relay_state="/after",
        binding=BINDING_HTTP_REDIRECT,
    )
    location = dict(info["headers"])["Location"]
    return request_id, response_fields(sso_redirect(client, location))


@pytest.mark.django_db
def test_pysaml2_sp_accepts_sp_initiated_login(client, pysaml2_app, member):
    client.force_login(member)
    sp = _client(client, pysaml2_app)
    request_id, fields = _login(client, pysaml2_app, sp)
    assert fields["action"] == PYSAML2_ACS_URL
    result = sp.parse_authn_request_response(
        fields["SAMLResponse"], BINDING_HTTP_POST, outstanding={request_id: "/after"}
    )
    assert result is not None
    assert result.name_id.text == "ada@example.com"
    identity = result.get_identity()
    # Names arrive exactly as configured: pysaml2 must not turn them into OIDs.
    assert identity["Email"] == ["ada@example.com"]
    assert identity["FirstName"] == ["Ada"]
    assert identity["plan"] == ["enterprise"]


@pytest.mark.django_db
def test_pysaml2_sp_accepts_idp_initiated_login(client, pysaml2_app, member):
    client.force_login(member)
    sp = _client(client, pysaml2_app)
    fields = response_fields(client.post(reverse("saml:init", args=[pysaml2_app.idp_suffix])))
    result = sp.parse_authn_request_response(fields["SAMLResponse"], BINDING_HTTP_POST)
    assert result is not None
    assert result.name_id.text == "ada@example.com"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sign_response", "sign_assertion"), [(True, False), (False, True), (True, True)]
)
def test_pysaml2_sp_accepts_each_signing_choice(
    client, pysaml2_app, member, sign_response, sign_assertion
):
    saml_configs.saml_config_update(
        application=pysaml2_app,
        changes=saml_configs.SamlConfigInput(
            sign_response=sign_response, sign_assertion=sign_assertion
        ),
    )
    pysaml2_app.refresh_from_db()
    client.force_login(member)
    sp = _client(
        client,
        pysaml2_app,
        want_response_signed=sign_response,
        want_assertions_signed=sign_assertion,
    )
    request_id, fields = _login(client, pysaml2_app, sp)
    result = sp.parse_authn_request_response(
        fields["SAMLResponse"], BINDING_HTTP_POST, outstanding={request_id: "/after"}
    )
    assert result.name_id.text == "ada@example.com"


@pytest.mark.django_db
def test_pysaml2_sp_initiated_logout_completes(client, pysaml2_app, member):
    saml_configs.saml_config_update(
        application=pysaml2_app, changes=saml_configs.SamlConfigInput(sp_logout_binding="redirect")
    )
    client.force_login(member)
    sp = _client(client, pysaml2_app)
    request_id, fields = _login(client, pysaml2_app, sp)
    result = sp.parse_authn_request_response(
        fields["SAMLResponse"], BINDING_HTTP_POST, outstanding={request_id: "/after"}
    )
    responses = sp.global_logout(result.name_id, reason="", sign=False)
    ((binding, info),) = [(b, i) for b, i in responses.values()]
    location = dict(info["headers"])["Location"]
    assert location.startswith(pysaml2_app.idp_slo_url)
    page = client.get(location.replace("http://127.0.0.1:8000", ""))
    # Unsigned: the user is asked to confirm before the session ends.
    answer = slo_confirm(client, page, pysaml2_app)
    assert answer.status_code == 302
    assert answer["Location"].startswith(PYSAML2_SLO_URL)
    query = parse_qs(urlsplit(answer["Location"]).query)
    logout = sp.parse_logout_request_response(query["SAMLResponse"][0], BINDING_HTTP_REDIRECT)
    assert logout.status_ok()
    assert "_auth_user_id" not in client.session


@pytest.fixture
def sp_key_files(tmp_path):
    """Return (key file, certificate file, certificate PEM) of a fresh SP key pair."""
    from sso_apps.saml.keys import generate_key_pair

    pair = generate_key_pair(common_name="pysaml2-sp.example.com")
    key_file, cert_file = tmp_path / "sp.key", tmp_path / "sp.pem"
    key_file.write_text(pair.private_key_pem)
    cert_file.write_text(pair.certificate_pem)
    return str(key_file), str(cert_file), pair.certificate_pem


@pytest.mark.django_db
@pytest.mark.parametrize("binding", [BINDING_HTTP_REDIRECT, BINDING_HTTP_POST])
@pytest.mark.parametrize("signed", [False, True])
def test_pysaml2_sp_initiated_over_each_binding_signed_or_not(
    client, pysaml2_app, member, sp_key_files, binding, signed
):
    import base64
    import re
    from html import unescape

    key_file, cert_file, certificate_pem = sp_key_files
    if signed:
        saml_configs.saml_config_update(
            application=pysaml2_app,
            changes=saml_configs.SamlConfigInput(
                require_signed_requests=True, sp_certificate=certificate_pem
            ),
        )
        pysaml2_app.refresh_from_db()
    client.force_login(member)
    sp = _client(client, pysaml2_app, key_file=key_file, cert_file=cert_file)
    request_id, info = sp.prepare_for_authenticate(
        entityid=pysaml2_app.saml.idp_entity_id,
        relay_state="/after",
        binding=binding,
        sign=signed,
        sigalg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" if signed else None,
        digest_alg="http://www.w3.org/2001/04/xmlenc#sha256",
    )
    if binding == BINDING_HTTP_REDIRECT:
        location = dict(info["headers"])["Location"]
        assert signed == ("&Signature=" in location)
        page = sso_redirect(client, location)
    else:
        form = info["data"]
        value = unescape(re.search(r'name="SAMLRequest" value="([^"]+)"', form)[1])
        assert signed == (b"SignatureValue" in base64.b64decode(value))
        posted = client.post(
            reverse("saml:sso", args=[pysaml2_app.idp_suffix]),
            {"SAMLRequest": value, "RelayState": "/after"},
        )
        page = posted
    fields = response_fields(page)
    result = sp.parse_authn_request_response(
        fields["SAMLResponse"], BINDING_HTTP_POST, outstanding={request_id: "/after"}
    )
    assert result.name_id.text == "ada@example.com"
    assert result.get_identity()["plan"] == ["enterprise"]


@pytest.mark.django_db
@pytest.mark.parametrize("data_encryption", list(DATA_ENCRYPTION_URIS))
def test_pysaml2_sp_decrypts_an_encrypted_assertion(
    client, pysaml2_app, member, sp_key_files, data_encryption
):
    import base64

    key_file, cert_file, certificate_pem = sp_key_files
    saml_configs.saml_config_update(
        application=pysaml2_app,
        changes=saml_configs.SamlConfigInput(
            encrypt_assertions=True, sp_certificate=certificate_pem, data_encryption=data_encryption
        ),
    )
    pysaml2_app.refresh_from_db()
    client.force_login(member)
    sp = _client(client, pysaml2_app, key_file=key_file, cert_file=cert_file)
    request_id, fields = _login(client, pysaml2_app, sp)
    raw = base64.b64decode(fields["SAMLResponse"])
    assert b"EncryptedAssertion" in raw
    assert f'Algorithm="{DATA_ENCRYPTION_URIS[data_encryption]}"'.encode() in raw
    result = sp.parse_authn_request_response(
        fields["SAMLResponse"], BINDING_HTTP_POST, outstanding={request_id: "/after"}
    )
    assert result.name_id.text == "ada@example.com"
    assert result.get_identity()["Email"] == ["ada@example.com"]


@pytest.mark.django_db
def test_pysaml2_sp_rejects_a_response_tampered_after_signing(client, pysaml2_app, member):
    import base64

    client.force_login(member)
    sp = _client(client, pysaml2_app)
    request_id, fields = _login(client, pysaml2_app, sp)
    xml = base64.b64decode(fields["SAMLResponse"])
    assert b">Ada<" in xml
    forged = base64.b64encode(xml.replace(b">Ada<", b">Eve<")).decode()
    with pytest.raises(Exception) as refused:  # noqa: B017,PT011 - pysaml2 raises per check
        sp.parse_authn_request_response(
            forged, BINDING_HTTP_POST, outstanding={request_id: "/after"}
        )
    assert "ignature" in f"{type(refused.value).__name__} {refused.value}"
