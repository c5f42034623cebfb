"""Scenario 1: two gunicorn nodes sharing PostgreSQL and Redis behave as one IdP."""

import re

import redis
from django.contrib.sessions.models import Session

from sso_apps.saml.keys import generate_key_pair
from sso_apps.services import saml_configs
from sso_apps.tests.admin.helpers import sso_post
from sso_apps.tests.cluster.harness import Browser, saml_response_fields
from sso_apps.tests.idp.sp_harness import SP_ACS_URL, OneLoginSp


def _metadata(node, application) -> str:
    response = Browser().get(node, f"/saml2/{application.idp_suffix}/metadata")
    assert response.status_code == 200
    return response.text


def test_an_acs_change_saved_through_node_a_is_used_by_the_next_login_on_node_b(
    node_factory, shared_redis, saml_app, member, administrator, password
):
    a, b = node_factory("a", "b", redis_url=shared_redis)
    user = Browser()
    user.console_sign_in(b, member.email, password)
    metadata = _metadata(b, saml_app)
    sp = OneLoginSp(idp_metadata_xml=metadata)
    url, request_id = sp.login_url()
    action, fields = saml_response_fields(user.sp_login(b, sp, url))
    assert action == SP_ACS_URL  # B has now built and cached the app's runtime

    new_acs = "https://sp.example.com/acs-moved"
    admin = Browser()
    admin.admin_sign_in(a, administrator.email, password)
    sso_tab = f"/admin/sso_apps/application/{saml_app.pk}/sso/"
    saved = admin.form_post(a, sso_tab, sso_post(saml_app, acs=[new_acs]))
    assert saved.status_code == 302, saved.text[:1000]
    saml_app.saml.refresh_from_db()
    assert list(saml_app.saml.acs_urls.values_list("url", flat=True)) == [new_acs]

    moved_sp = OneLoginSp(idp_metadata_xml=metadata, acs_url=new_acs)
    url, request_id = moved_sp.login_url()
    action, fields = saml_response_fields(user.sp_login(b, moved_sp, url))
    assert action == new_acs
    auth = moved_sp.acs(fields, request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    # The old ACS URL is refused on B too: it is no longer registered.
    url, _ = sp.login_url()
    assert user.sp_login(b, sp, url).status_code == 400


def test_a_request_id_used_on_node_a_is_refused_as_a_replay_on_node_b(
    node_factory, shared_redis, saml_app, member, password
):
    a, b = node_factory("a", "b", redis_url=shared_redis)
    user = Browser()
    user.console_sign_in(a, member.email, password)
    sp = OneLoginSp(idp_metadata_xml=_metadata(a, saml_app))
    url, request_id = sp.login_url()
    action, fields = saml_response_fields(user.sp_login(a, sp, url))
    assert sp.acs(fields, request_id).is_authenticated()

    replay = user.sp_login(b, sp, url)

    assert replay.status_code == 400
    assert "already used" in replay.text
    assert "SAMLResponse" not in replay.text


def test_a_user_signed_in_on_node_a_completes_sso_on_node_b_without_signing_in_again(
    node_factory, shared_redis, saml_app, member, password
):
    a, b = node_factory("a", "b", redis_url=shared_redis)
    user = Browser()
    user.console_sign_in(a, member.email, password)
    session_key = user.session.cookies["sessionid"]
    # The session is in PostgreSQL, with its cached copy in the Redis both nodes share.
    assert Session.objects.filter(session_key=session_key).exists()
    cached = redis.Redis.from_url(shared_redis).keys(f"*sessions.cached_db{session_key}")
    assert len(cached) == 1
    sp = OneLoginSp(idp_metadata_xml=_metadata(b, saml_app))
    url, request_id = sp.login_url()

    # No email given: a detour through the sign-in page would end on that page, not a form.
    page = user.sp_login(b, sp, url)

    action, fields = saml_response_fields(page)
    auth = sp.acs(fields, request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.get_nameid() == member.email


def test_single_logout_started_on_node_b_ends_the_session_created_on_node_a(
    node_factory, shared_redis, saml_app, member, password
):
    sp_keys = generate_key_pair(common_name="sp.example.com")
    saml_configs.saml_config_update(
        application=saml_app,
        changes=saml_configs.SamlConfigInput(sp_certificate=sp_keys.certificate_pem),
    )
    a, b = node_factory("a", "b", redis_url=shared_redis)
    user = Browser()
    user.console_sign_in(a, member.email, password)
    sp = OneLoginSp(
        idp_metadata_xml=_metadata(a, saml_app),
        sign_requests=True,
        sp_certificate_pem=sp_keys.certificate_pem,
        sp_private_key_pem=sp_keys.private_key_pem,
    )
    url, request_id = sp.login_url()
    _, fields = saml_response_fields(user.sp_login(a, sp, url))
    auth = sp.acs(fields, request_id)
    assert auth.is_authenticated()
    assert user.signed_in(a) and user.signed_in(b)

    # The SP's signed LogoutRequest goes to node B, server to server (no user cookie).
    logout_url = sp.logout_url(name_id=auth.get_nameid(), session_index=auth.get_session_index())
    answer = Browser().get(b, logout_url)

    assert answer.status_code == 302, answer.text[:500]
    assert "SAMLResponse=" in answer.headers["Location"]
    assert sp.process_logout_response(url=answer.headers["Location"]).get_errors() == []
    assert not user.signed_in(a)
    assert not user.signed_in(b)
    assert re.search(r"/userconsole/login/", user.get(a, "/userconsole/").headers["Location"])
