from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from saml2 import BINDING_HTTP_POST

from sso_apps.models import AuditEvent
from sso_apps.services import saml_configs
from sso_apps.tests.idp.flows import onelogin_sp, response_fields, slo_confirm, sso_redirect
from sso_apps.tests.idp.sp_harness import SP_SLO_URL, path_and_query, posted_form


@pytest.mark.django_db
def test_sp_initiated_logout_over_redirect_completes_with_python3_saml(client, saml_app, member):
    client.force_login(member)
    sp = onelogin_sp(client, saml_app)
    url, request_id = sp.login_url()
    auth = sp.acs(response_fields(sso_redirect(client, url)), request_id)
    logout_url = sp.logout_url(name_id=auth.get_nameid(), session_index=auth.get_session_index())
    page = client.get(path_and_query(logout_url))
    # Unsigned: the user confirms before the session ends.
    answer = slo_confirm(client, page, saml_app)
    assert answer.status_code == 302
    assert answer["Location"].startswith(SP_SLO_URL + "?")
    query = parse_qs(urlsplit(answer["Location"]).query)
    assert {"SAMLResponse", "SigAlg", "Signature"} <= set(query)
    result = sp.process_logout_response(url=answer["Location"])
    assert result.get_errors() == [], result.get_last_error_reason()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="sso.logout", outcome="success").exists()


@pytest.mark.django_db
def test_sp_initiated_logout_answers_over_post_when_configured(client, saml_app, member):
    saml_configs.saml_config_update(
        application=saml_app, changes=saml_configs.SamlConfigInput(sp_logout_binding="post")
    )
    saml_app.refresh_from_db()
    client.force_login(member)
    sp = onelogin_sp(client, saml_app)
    url, request_id = sp.login_url()
    sp.acs(response_fields(sso_redirect(client, url)), request_id)
    logout_url = sp.logout_url(name_id=member.email)
    page = slo_confirm(client, client.get(path_and_query(logout_url)), saml_app)
    action, fields = posted_form(page.text)
    assert action == SP_SLO_URL
    from sso_apps.tests.idp.sp_harness import pysaml2_client

    metadata = client.get(reverse("saml:metadata", args=[saml_app.idp_suffix])).text
    # pysaml2 checks the enveloped signature of a POST LogoutResponse; python3-saml does not.
    verifier = pysaml2_client(metadata)
    result = verifier.parse_logout_request_response(fields["SAMLResponse"], BINDING_HTTP_POST)
    assert result.status_ok()
    import base64

    from saml2.sigver import SignatureError

    forged = base64.b64decode(fields["SAMLResponse"]).replace(b'InResponseTo="', b'InResponseTo="X')
    with pytest.raises(SignatureError):
        verifier.parse_logout_request_response(base64.b64encode(forged).decode(), BINDING_HTTP_POST)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logout_request_from_an_unknown_issuer_is_refused_and_keeps_the_session(
    client, saml_app, member
):
    client.force_login(member)
    sp_evil = onelogin_sp(client, saml_app)
    sp_evil.settings["sp"]["entityId"] = "https://evil.example.com/sp"
    response = client.get(path_and_query(sp_evil.logout_url(name_id=member.email)))
    assert response.status_code == 400
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_console_logout_get_returns_to_the_console_sign_in(client, member):
    # A vendor's "Sign-out page url" lands here after its SLO ended the session.
    response = client.get(reverse("console:logout"))
    assert response["Location"] == reverse("console:login")
    client.force_login(member)
    assert client.post(reverse("console:logout"))["Location"] == reverse("console:login")


@pytest.mark.django_db
@pytest.mark.parametrize("signed", [True, False])
def test_only_a_signed_cross_site_logout_request_ends_the_users_other_sessions(
    client, saml_app, member, password, signed
):
    from django.test import Client

    from sso_apps.saml.keys import generate_key_pair
    from sso_apps.services import saml_configs

    sp_keys = generate_key_pair(common_name="sp.example.com")
    saml_configs.saml_config_update(
        application=saml_app,
        changes=saml_configs.SamlConfigInput(sp_certificate=sp_keys.certificate_pem),
    )
    saml_app.refresh_from_db()
    client.post(reverse("console:login"), {"email": member.email, "password": password})
    assert client.get(reverse("console:home")).status_code == 200
    sp = onelogin_sp(
        client,
        saml_app,
        sign_requests=signed,
        sp_certificate_pem=sp_keys.certificate_pem,
        sp_private_key_pem=sp_keys.private_key_pem,
    )
    url, request_id = sp.login_url()
    auth = sp.acs(response_fields(sso_redirect(client, url)), request_id)
    cross_site = Client()  # the SP's request carries none of our cookies
    logout_url = sp.logout_url(name_id=auth.get_nameid(), session_index=auth.get_session_index())
    answer = cross_site.get(path_and_query(logout_url))
    # Signed: the session this app's assertion went to ends. Unsigned, from an app with an
    # SP certificate: anyone could have sent it naming anyone, so it is refused.
    assert answer.status_code == (302 if signed else 400)
    expected = 302 if signed else 200
    assert client.get(reverse("console:home")).status_code == expected
