"""A dependency that is down answers a clean 503 page with Retry-After, never a traceback."""

import pytest
from django.db import OperationalError
from django.test import Client

from sso_apps.models import AuditEvent


@pytest.fixture
def outage_client(settings):
    settings.ROOT_URLCONF = "portal.tests.outage_urls"
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def test_a_lost_database_connection_answers_503_with_retry_after(outage_client, db):
    response = outage_client.get("/outage/database/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert "briefly unavailable" in body
    assert "Traceback" not in body and "administrator command" not in body


def test_an_unreachable_redis_answers_503_and_is_audited(outage_client, db):
    response = outage_client.get("/outage/redis/")

    assert response.status_code == 503
    assert "Connection refused" not in response.content.decode()
    event = AuditEvent.objects.get(action="service.unavailable")
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert event.target_label == "/outage/redis/"
    assert "ConnectionError" in event.reason


def test_a_programming_error_stays_a_500(outage_client, db):
    response = outage_client.get("/outage/bug/")

    assert response.status_code == 500
    assert "relation" not in response.content.decode()


def test_a_database_failure_in_the_middleware_answers_503(outage_client, db, monkeypatch):
    """Loading the session happens before any view: that failure is caught too."""
    from django.contrib.sessions.backends.db import SessionStore

    def fail(self):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SessionStore, "load", fail)
    outage_client.cookies["sessionid"] = "x" * 32

    response = outage_client.get("/userconsole/login/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
