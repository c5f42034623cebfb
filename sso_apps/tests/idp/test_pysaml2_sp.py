"""The same flows judged by pysaml2's Saml2Client, an SP implementation independent of ours."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT

from sso_apps.services import saml_configs
from sso_apps.tests.idp.flows import response_fields, sso_redirect
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
        sp_entity_id=PYSAML2_SP_ENTITY_ID,
        sp_logout_url=PYSAML2_SLO_URL,
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
        application=pysaml2_app, sign_response=sign_response, sign_assertion=sign_assertion
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
    saml_configs.saml_config_update(application=pysaml2_app, sp_logout_binding="redirect")
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
    answer = client.get(location.replace("http://127.0.0.1:8000", ""))
    assert answer.status_code == 302
    assert answer["Location"].startswith(PYSAML2_SLO_URL)
    query = parse_qs(urlsplit(answer["Location"]).query)
    logout = sp.parse_logout_request_response(query["SAMLResponse"][0], BINDING_HTTP_REDIRECT)
    assert logout.status_ok()
    assert "_auth_user_id" not in client.session
