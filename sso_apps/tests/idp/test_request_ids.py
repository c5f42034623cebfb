"""Single-use request IDs: Redis when configured, the database otherwise or while Redis fails."""

import os
import socket

import pytest
import redis

from sso_apps.idp.request_ids import request_ids_forget_failures
from sso_apps.models import SeenSamlRequest
from sso_apps.tests.idp.flows import onelogin_sp, response_fields
from sso_apps.tests.idp.sp_harness import path_and_query

REDIS_URL = os.environ.get("TESSERA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _closed_port_url() -> str:
    """A Redis URL nothing listens on: every connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture(autouse=True)
def _fresh_breaker(settings):
    # No wait before Redis is tried again, so a test can bring it "back" at once.
    settings.SSO_APPS_REQUEST_ID_REDIS_RETRY_SECONDS = 0
    request_ids_forget_failures()
    yield
    request_ids_forget_failures()


def _signed_in_sp(client, saml_app, member):
    client.force_login(member)
    return onelogin_sp(client, saml_app)


def _login_and_replay(client, sp):
    url, request_id = sp.login_url()
    first = client.get(path_and_query(url))
    auth = sp.acs(response_fields(first), request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    return request_id, client.get(path_and_query(url))


def _assert_replay_refused(replay):
    assert replay.status_code == 400
    assert "already used" in replay.text


# transaction=True: outside a test's transaction, as in production, the write needs no
# savepoint (sso_apps.services.rows), so the count is the sign-in's own.
@pytest.mark.django_db(transaction=True)
def test_a_replay_is_refused_by_redis_and_the_database_learns_the_id_in_the_same_write(
    client, saml_app, member, settings, django_assert_num_queries
):
    settings.SSO_APPS_REQUEST_ID_REDIS_URL = REDIS_URL
    sp = _signed_in_sp(client, saml_app, member)
    client.get(path_and_query(sp.login_url()[0]))  # compiles, caches the app
    url, request_id = sp.login_url()
    # Session, user, app, and the one write (audit event, request ID, SP session).
    with django_assert_num_queries(4):
        first = client.get(path_and_query(url))
    assert sp.acs(response_fields(first), request_id).get_errors() == []
    assert SeenSamlRequest.objects.filter(application=saml_app, request_id=request_id).exists()
    _assert_replay_refused(client.get(path_and_query(url)))
    keys = redis.Redis.from_url(REDIS_URL).keys(f"tessera:saml-request:{saml_app.pk}:*")
    assert len(keys) >= 1


def _answered_through_redis(client, saml_app, member, settings) -> str:
    """Answer one AuthnRequest with Redis taking its ID; return its URL, for replaying."""
    settings.SSO_APPS_REQUEST_ID_REDIS_URL = REDIS_URL
    sp = _signed_in_sp(client, saml_app, member)
    url, _ = sp.login_url()
    assert client.get(path_and_query(url)).status_code == 200
    return url


def _redis_forgets(saml_app):
    # What a restart without persistence, a FLUSHDB or a failover to a lagging replica do.
    client = redis.Redis.from_url(REDIS_URL)
    keys = client.keys(f"tessera:saml-request:{saml_app.pk}:*")
    assert keys
    client.delete(*keys)


@pytest.mark.django_db
def test_a_replay_after_redis_forgot_the_id_is_refused_and_writes_nothing(
    client, saml_app, member, settings
):
    from sso_apps.models import AuditEvent, SpSession

    url = _answered_through_redis(client, saml_app, member, settings)
    _redis_forgets(saml_app)
    sessions = SpSession.objects.count()
    successes = AuditEvent.objects.filter(outcome=AuditEvent.Outcome.SUCCESS).count()

    replay = client.get(path_and_query(url))
    assert replay.status_code == 409
    assert "already used" in replay.text
    assert "SAMLResponse" not in replay.text
    assert SpSession.objects.count() == sessions
    assert AuditEvent.objects.filter(outcome=AuditEvent.Outcome.SUCCESS).count() == successes
    refused = AuditEvent.objects.latest("pk")
    assert refused.outcome == AuditEvent.Outcome.FAILURE
    assert "already used" in refused.reason


@pytest.mark.django_db
def test_a_replay_of_a_redis_taken_id_during_an_outage_is_refused_by_the_database(
    client, saml_app, member, settings
):
    url = _answered_through_redis(client, saml_app, member, settings)
    settings.SSO_APPS_REQUEST_ID_REDIS_URL = _closed_port_url()  # Redis goes away
    _assert_replay_refused(client.get(path_and_query(url)))


@pytest.mark.django_db
def test_a_request_that_waits_for_sign_in_records_its_id_when_answered(
    client, saml_app, member, settings
):
    settings.SSO_APPS_REQUEST_ID_REDIS_URL = REDIS_URL
    sp = onelogin_sp(client, saml_app)
    url, request_id = sp.login_url()
    assert client.get(path_and_query(url)).status_code == 302  # to sign-in, via /continue
    assert not SeenSamlRequest.objects.filter(request_id=request_id).exists()
    client.force_login(member)
    page = client.get(f"/saml2/{saml_app.idp_suffix}/continue")
    assert sp.acs(response_fields(page), request_id).get_errors() == []
    assert SeenSamlRequest.objects.filter(application=saml_app, request_id=request_id).exists()


@pytest.mark.django_db
def test_a_replay_is_refused_by_the_database_without_redis(client, saml_app, member, settings):
    settings.SSO_APPS_REQUEST_ID_REDIS_URL = ""
    request_id, replay = _login_and_replay(client, _signed_in_sp(client, saml_app, member))
    _assert_replay_refused(replay)
    assert SeenSamlRequest.objects.filter(application=saml_app, request_id=request_id).exists()


@pytest.mark.django_db
def test_with_redis_down_the_login_works_and_a_replay_is_refused_by_the_database(
    client, saml_app, member, settings
):
    settings.SSO_APPS_REQUEST_ID_REDIS_URL = _closed_port_url()
    request_id, replay = _login_and_replay(client, _signed_in_sp(client, saml_app, member))
    _assert_replay_refused(replay)
    assert SeenSamlRequest.objects.filter(application=saml_app, request_id=request_id).exists()


@pytest.mark.django_db
def test_an_id_taken_while_redis_was_down_is_refused_once_redis_answers_again(
    client, saml_app, member, settings
):
    sp = _signed_in_sp(client, saml_app, member)
    settings.SSO_APPS_REQUEST_ID_REDIS_URL = _closed_port_url()
    url, request_id = sp.login_url()
    assert client.get(path_and_query(url)).status_code == 200

    settings.SSO_APPS_REQUEST_ID_REDIS_URL = REDIS_URL  # Redis is back
    # Another login after the outage copies the database's IDs into Redis...
    fresh, _ = sp.login_url()
    assert client.get(path_and_query(fresh)).status_code == 200
    request_ids_forget_failures()  # ...so even a process that never saw the outage refuses it.

    _assert_replay_refused(client.get(path_and_query(url)))
