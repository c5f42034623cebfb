"""Single-use request IDs: recorded in the database, with the answer or when a request waits."""

import pytest

from sso_apps.models import AuditEvent, SeenSamlRequest, SpSession
from sso_apps.tests.idp.flows import onelogin_sp, response_fields
from sso_apps.tests.idp.sp_harness import path_and_query


def _signed_in_sp(client, saml_app, member):
    client.force_login(member)
    return onelogin_sp(client, saml_app)


def _recorded(saml_app, request_id) -> int:
    return SeenSamlRequest.objects.filter(application=saml_app, request_id=request_id).count()


def _successes() -> int:
    return AuditEvent.objects.filter(action="sso.login", outcome="success").count()


def _assert_replay_refused(replay):
    assert replay.status_code == 400
    assert "already used" in replay.text
    assert "SAMLResponse" not in replay.text
    refused = AuditEvent.objects.latest("pk")
    assert (refused.action, refused.outcome) == ("sso.request", AuditEvent.Outcome.FAILURE)
    assert "already used" in refused.reason


# transaction=True: outside a test's transaction, as in production, the write needs no
# savepoint (sso_apps.services.rows), so the count is the sign-in's own.
@pytest.mark.django_db(transaction=True)
def test_a_signed_in_sso_records_its_request_id_in_its_one_write(
    client, saml_app, member, django_assert_num_queries
):
    sp = _signed_in_sp(client, saml_app, member)
    client.get(path_and_query(sp.login_url()[0]))  # compiles, caches the app
    url, request_id = sp.login_url()
    # Session, user, app, and the one write (audit event, request ID, SP session).
    with django_assert_num_queries(4):
        first = client.get(path_and_query(url))
    assert sp.acs(response_fields(first), request_id).get_errors() == []
    assert _recorded(saml_app, request_id) == 1


@pytest.mark.django_db
def test_a_replay_of_an_answered_request_is_refused_and_writes_nothing(client, saml_app, member):
    sp = _signed_in_sp(client, saml_app, member)
    url, request_id = sp.login_url()
    assert sp.acs(response_fields(client.get(path_and_query(url))), request_id).get_errors() == []
    sessions, successes = SpSession.objects.count(), _successes()

    _assert_replay_refused(client.get(path_and_query(url)))
    # The replay's Response was built, then its write failed whole on the constraint.
    assert SpSession.objects.count() == sessions
    assert _successes() == successes
    assert _recorded(saml_app, request_id) == 1


@pytest.mark.django_db
def test_a_request_that_waits_for_sign_in_is_recorded_on_arrival(client, saml_app, member):
    sp = onelogin_sp(client, saml_app)
    url, request_id = sp.login_url()
    assert client.get(path_and_query(url)).status_code == 302  # to sign-in, via /continue
    assert _recorded(saml_app, request_id) == 1

    # The same request again while it waits: refused at once, and the waiting one is kept.
    _assert_replay_refused(client.get(path_and_query(url)))
    client.force_login(member)
    page = client.get(f"/saml2/{saml_app.idp_suffix}/continue")
    assert sp.acs(response_fields(page), request_id).get_errors() == []
    assert _recorded(saml_app, request_id) == 1


@pytest.mark.django_db
def test_a_waiting_request_replayed_by_a_signed_in_browser_gets_no_response(
    client, saml_app, member, user_factory, group_factory
):
    # An attacker who saw the request's URL, signed in as themselves, must not be answered
    # in its place; the user it was meant for still is.
    sp = onelogin_sp(client, saml_app)
    url, request_id = sp.login_url()
    assert client.get(path_and_query(url)).status_code == 302

    from django.test import Client

    from sso_apps.services import applications as app_services

    mallory = user_factory(email="mallory@example.com")
    app_services.application_groups_set(
        application=saml_app,
        groups=[*saml_app.authorized_groups.all(), group_factory(name="Crew", members=[mallory])],
    )
    attacker = Client()
    attacker.force_login(mallory)
    _assert_replay_refused(attacker.get(path_and_query(url)))

    client.force_login(member)
    page = client.get(f"/saml2/{saml_app.idp_suffix}/continue")
    assert sp.acs(response_fields(page), request_id).get_errors() == []


@pytest.mark.django_db
def test_a_status_response_uses_up_its_request_id_with_its_audit_event(client, saml_app):
    # IsPassive without a session: NoPassive, answered at once, also a use of the ID.
    sp = onelogin_sp(client, saml_app)
    url, request_id = sp.login_url(is_passive=True)
    first = client.get(path_and_query(url))
    assert "SAMLResponse" in response_fields(first)
    assert _recorded(saml_app, request_id) == 1
    statuses = AuditEvent.objects.filter(action="sso.login", outcome="failure").count()

    _assert_replay_refused(client.get(path_and_query(url)))
    assert AuditEvent.objects.filter(action="sso.login", outcome="failure").count() == statuses
