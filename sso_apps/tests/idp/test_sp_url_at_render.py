"""Hole 1 at render time: a hostile SP URL that reached the database anyway sends nothing."""

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import User
from sso_apps.models import AcsUrl, AuditEvent, SamlConfig
from sso_apps.tests.idp.minimal_requests import authn_request_path

# --- Render time -----------------------------------------------------------------------


def _drop_url_constraints():
    """Remove the CHECK constraints for this test (rolled back with it), like an old row."""
    with connection.cursor() as cursor:
        # ALTER TABLE refuses to run while deferred foreign-key checks are queued.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.schema_editor() as editor:
        for model in (AcsUrl, SamlConfig):
            for constraint in model._meta.constraints:
                if constraint.name in {"sso_apps_acs_url_http", "sso_apps_saml_sp_urls_http"}:
                    editor.remove_constraint(model, constraint)


def _force_acs(application, url):
    _drop_url_constraints()
    AcsUrl.objects.filter(config_id=application.pk).update(url=url)
    application.bump_config_version()


def assert_409_without_a_response(response, application, action="sso.login"):
    assert response.status_code == 409, response.status_code
    assert "SAMLResponse" not in response.text
    assert 'id="saml-post-form"' not in response.text
    assert "javascript:" not in response.text.lower()
    assert not response.has_header("Location")
    assert AuditEvent.objects.filter(
        action=action, outcome="failure", application=application
    ).exists()


FORCED = [
    "javascript:alert(document.domain)",
    'https://sp.example.com/acs"><script>alert(1)</script>',
    "http://sp.example.com/acs",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", FORCED)
def test_idp_initiated_login_to_a_forced_hostile_acs_answers_409(client, saml_app, member, url):
    _force_acs(saml_app, url)
    client.force_login(member)
    response = client.post(reverse("saml:init", args=[saml_app.idp_suffix]))
    assert_409_without_a_response(response, saml_app)


@pytest.mark.django_db
@pytest.mark.parametrize("url", FORCED)
def test_sp_initiated_login_to_a_forced_hostile_acs_answers_409(client, saml_app, member, url):
    _force_acs(saml_app, url)
    client.force_login(member)
    # Answered on the first request, so refused there: no hop through /continue.
    response = client.get(authn_request_path(saml_app))
    assert_409_without_a_response(response, saml_app)


@pytest.mark.django_db
@pytest.mark.parametrize("binding", ["post", "redirect"])
def test_logout_response_to_a_forced_hostile_slo_url_answers_409(client, saml_app_factory, binding):
    from sso_apps.saml.keys import generate_key_pair
    from sso_apps.tests.idp.flows import onelogin_sp, response_fields, sso_redirect
    from sso_apps.tests.idp.sp_harness import path_and_query

    sp_keys = generate_key_pair(common_name="sp.example.com")
    application = saml_app_factory(
        sp_logout_binding=binding, sp_certificate=sp_keys.certificate_pem
    )
    client.force_login(User.objects.get(email="ada@example.com"))
    sp = onelogin_sp(
        client,
        application,
        sign_requests=True,
        sp_certificate_pem=sp_keys.certificate_pem,
        sp_private_key_pem=sp_keys.private_key_pem,
    )
    url, request_id = sp.login_url()
    auth = sp.acs(response_fields(sso_redirect(client, url)), request_id)
    assert auth.is_authenticated(), auth.get_errors()
    _drop_url_constraints()
    SamlConfig.objects.filter(pk=application.pk).update(sp_logout_url="javascript:alert(1)")
    application.bump_config_version()

    logout_url = sp.logout_url(name_id=auth.get_nameid(), session_index=auth.get_session_index())
    response = client.get(path_and_query(logout_url))
    assert_409_without_a_response(response, application, action="sso.logout")
