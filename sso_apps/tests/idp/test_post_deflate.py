"""HTTP-POST AuthnRequests DEFLATEd before base64, as node-saml (passport-saml) sends them."""

import base64
import zlib

import pytest

from sso_apps.models import AuditEvent
from sso_apps.saml.bindings import MAX_MESSAGE_BYTES
from sso_apps.saml.keys import generate_key_pair
from sso_apps.tests.idp.flows import onelogin_sp, response_fields, sso_post


@pytest.fixture(scope="module")
def sp_keys():
    return generate_key_pair(common_name="sp.example.com")


def _deflate_like_node_saml(form: dict) -> dict:
    """Re-encode a POST form as node-saml does without skipRequestCompression: deflateRaw."""
    compressor = zlib.compressobj(wbits=-15)
    xml = base64.b64decode(form["SAMLRequest"])
    deflated = compressor.compress(xml) + compressor.flush()
    return {**form, "SAMLRequest": base64.b64encode(deflated).decode()}


@pytest.mark.django_db
@pytest.mark.parametrize("deflated", [False, True], ids=["raw-xml", "deflated"])
def test_signed_post_authn_request_completes_sso_raw_or_deflated(
    client, saml_app_factory, sp_keys, deflated
):
    application = saml_app_factory(
        require_signed_requests=True, sp_certificate=sp_keys.certificate_pem
    )
    client.force_login(application.authorized_groups.get().members.get())
    sp = onelogin_sp(
        client,
        application,
        sign_requests=True,
        sp_certificate_pem=sp_keys.certificate_pem,
        sp_private_key_pem=sp_keys.private_key_pem,
    )
    form, request_id = sp.post_authn_request()
    if deflated:
        form = _deflate_like_node_saml(form)

    auth = sp.acs(response_fields(sso_post(client, application, form)), request_id)

    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.get_nameid() == "ada@example.com"


@pytest.mark.django_db
def test_deflated_post_request_keeps_the_signature_check(client, saml_app_factory, sp_keys):
    application = saml_app_factory(
        require_signed_requests=True, sp_certificate=sp_keys.certificate_pem
    )
    client.force_login(application.authorized_groups.get().members.get())
    form, _ = onelogin_sp(client, application).post_authn_request()

    response = sso_post(client, application, _deflate_like_node_saml(form))

    assert response.status_code == 400
    assert "requires signed requests" in response.text


@pytest.mark.django_db
def test_deflate_bomb_over_post_is_refused_at_the_cap(client, saml_app):
    client.force_login(saml_app.authorized_groups.get().members.get())
    compressor = zlib.compressobj(level=9, wbits=-15)
    bomb = b"".join(compressor.compress(bytes(1024 * 1024)) for _ in range(8))
    bomb += compressor.flush()
    form = {"SAMLRequest": base64.b64encode(bomb).decode()}
    assert len(form["SAMLRequest"]) < MAX_MESSAGE_BYTES

    response = sso_post(client, saml_app, form)

    assert response.status_code == 400
    assert f"inflates to more than {MAX_MESSAGE_BYTES} bytes" in response.text
    assert AuditEvent.objects.filter(action="sso.request", outcome="failure").exists()
