"""The sign-in path stays cheap: one request, a warm runtime, few queries, one write."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import UserGroup
from sso_apps.idp.runtime import applications, runtimes
from sso_apps.models import AuditEvent, SpSession
from sso_apps.services import applications as app_services
from sso_apps.services import saml_configs
from sso_apps.services.key_pairs import key_pair_generate
from sso_apps.services.saml_configs import AcsUrlInput, AttributeInput
from sso_apps.tests.idp.flows import onelogin_sp, response_fields
from sso_apps.tests.idp.sp_harness import SP_ACS_URL, path_and_query

WRITE = re.compile(r"^\s*(WITH\b.*\bINSERT|INSERT|UPDATE|DELETE)\b", re.IGNORECASE | re.DOTALL)


def _sql(queries) -> list[str]:
    return [q["sql"][:100] for q in queries.captured_queries]


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if WRITE.match(q["sql"])]


# transaction=True here and below: outside a test's transaction, as in production, the
# one write needs no savepoint (sso_apps.services.rows), so the counts are the SSO's own.
@pytest.mark.django_db(transaction=True)
def test_idp_initiated_login_with_a_warm_runtime_rebuilds_nothing(client, saml_app, member):
    client.force_login(member)
    url = reverse("saml:init", args=[saml_app.idp_suffix])
    client.post(url)
    builds = runtimes.builds, applications.builds
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url)
    assert response.status_code == 200
    assert (runtimes.builds, applications.builds) == builds
    # Session, user, the app's version with the group check, and the audit event with
    # the SP session record in one statement: nothing per attribute, key or ACS URL.
    assert len(queries.captured_queries) <= 4, _sql(queries)
    assert len(_writes(queries)) == 1, _sql(queries)


@pytest.mark.django_db(transaction=True)
def test_sp_initiated_sso_of_a_signed_in_user_is_answered_on_the_first_request(
    client, saml_app, member
):
    client.force_login(member)
    session_key = client.session.session_key
    sp = onelogin_sp(client, saml_app)
    url, _ = sp.login_url()
    client.get(path_and_query(url))  # warm the runtime
    url, request_id = sp.login_url()

    with CaptureQueriesContext(connection) as queries:
        page = client.get(path_and_query(url))

    auth = sp.acs(response_fields(page), request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert len(queries.captured_queries) <= 4, _sql(queries)
    # The one write: audit event, the request ID's record and SP session. No session save
    # (nothing changed), and nothing of the request ID anywhere else.
    (write,) = _writes(queries)
    assert "sso_apps_auditevent" in write and "sso_apps_spsession" in write
    assert "sso_apps_seensamlrequest" in write
    assert SpSession.objects.filter(session_key=session_key).count() == 2
    event = AuditEvent.objects.filter(action="sso.login").latest("pk")
    assert (event.outcome, event.actor, event.binding) == ("success", member, "redirect")


@pytest.mark.django_db
def test_a_user_signing_in_is_still_sent_through_continue(client, saml_app, member, password):
    sp = onelogin_sp(client, saml_app)
    url, request_id = sp.login_url()
    first = client.get(path_and_query(url))
    continue_url = reverse("saml:continue", args=[saml_app.idp_suffix])
    assert first.status_code == 302 and first["Location"] == continue_url
    login = client.get(continue_url)
    client.post(login["Location"], {"email": member.email, "password": password})
    auth = sp.acs(response_fields(client.get(continue_url)), request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()


def _sso(client, sp):
    url, request_id = sp.login_url()
    page = client.get(path_and_query(url))
    return page, request_id


def _acs_change(application):
    saml_configs.saml_config_update(
        application=application,
        changes=saml_configs.SamlConfigInput(domain="sp"),
        acs_urls=[AcsUrlInput(url="https://sp.example.com/acs-2", is_default=True)],
    )


def _attributes_change(application):
    saml_configs.saml_config_update(
        application=application,
        changes=saml_configs.SamlConfigInput(domain="sp"),
        attributes=[AttributeInput(name="Department", source="constant", value="Flight")],
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "seen"),
    [
        # The SP still asks for its old ACS URL, which is no longer registered.
        (_acs_change, lambda page: page.status_code == 400 and "is not registered" in page.text),
        (_attributes_change, lambda page: b"Department" in _assertion(page)),
        (
            lambda app: app_services.application_sso_deactivate(application=app),
            lambda page: page.status_code == 403,
        ),
        (
            lambda app: app_services.application_groups_set(application=app, groups=[]),
            lambda page: page.status_code == 403,
        ),
        (
            lambda app: UserGroup.objects.get(name="Pilots").members.clear(),
            lambda page: page.status_code == 403,
        ),
    ],
    ids=["acs-urls", "attributes", "sso-deactivated", "groups", "membership"],
)
def test_an_admin_change_applies_on_the_next_sso_with_a_warm_cache(
    client, saml_app, member, change, seen
):
    client.force_login(member)
    sp = onelogin_sp(client, saml_app)
    page, _ = _sso(client, sp)
    assert page.status_code == 200 and f'action="{SP_ACS_URL}"' in page.text
    assert not seen(page)

    change(saml_app)

    page, _ = _sso(client, sp)
    assert seen(page), page.text[:300]


@pytest.mark.django_db
def test_a_rotated_key_signs_the_next_sso_with_a_warm_cache(client, saml_app, member):
    client.force_login(member)
    sp = onelogin_sp(client, saml_app)
    page, request_id = _sso(client, sp)
    assert sp.acs(response_fields(page), request_id).is_authenticated()

    key_pair_generate(application=saml_app)

    page, request_id = _sso(client, sp)
    # The SP still trusts only the old certificate: the new key's signature fails there,
    # and an SP given the new metadata accepts it.
    assert not sp.acs(response_fields(page), request_id).is_authenticated()
    fresh = onelogin_sp(client, saml_app)
    page, request_id = _sso(client, fresh)
    auth = fresh.acs(response_fields(page), request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()


def _assertion(page) -> bytes:
    import base64

    return base64.b64decode(response_fields(page)["SAMLResponse"])


@pytest.mark.django_db
def test_continue_never_answers_past_a_detour_it_does_not_route(
    client, saml_app, member, password, monkeypatch
):
    sp = onelogin_sp(client, saml_app)
    url, _ = sp.login_url()
    continue_url = client.get(path_and_query(url))["Location"]
    login = client.get(continue_url)
    client.post(login["Location"], {"email": member.email, "password": password})
    # A reason sign_in_detour may gain before /continue routes it ("mfa" is routed).
    monkeypatch.setattr("sso_apps.idp.detours.sign_in_detour", lambda **kwargs: "new-step")

    page = client.get(continue_url)

    assert page.status_code == 409
    assert 'name="SAMLResponse"' not in page.text
    assert not SpSession.objects.exists()
