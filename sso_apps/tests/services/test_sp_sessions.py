import datetime
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.sessions import sessions_end
from sso_apps.models import IssuedLogoutRequest, SpSession
from sso_apps.services.sp_sessions import (
    issued_logout_request_consume,
    issued_logout_request_record,
    sp_session_record,
)


def _sp_session(application, user, **overrides) -> SpSession:
    values = {
        "session_key": "k" * 32,
        "user": user,
        "application": application,
        "name_id": user.email,
        "name_id_format": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        "session_index": "id-1",
    } | overrides
    return sp_session_record(**values)


@pytest.mark.django_db
def test_an_oversized_name_id_is_refused_and_nothing_is_saved(application_factory, user_factory):
    from django.core.exceptions import ValidationError

    application, user = application_factory(), user_factory()
    # The service joins its caller's transaction (no savepoint); give it one to spoil.
    with pytest.raises(ValidationError), transaction.atomic():
        _sp_session(application, user, name_id="x" * 513)
    assert not SpSession.objects.exists()


@pytest.mark.django_db
def test_an_issued_logout_request_is_consumed_once(application_factory):
    application = application_factory()
    issued_logout_request_record(application=application, request_id="_r", session_key="s")
    assert (
        issued_logout_request_consume(application=application, request_id="_r").session_key == "s"
    )
    assert issued_logout_request_consume(application=application, request_id="_r") is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locking across threads")
@pytest.mark.django_db(transaction=True)
def test_two_answers_racing_for_one_logout_request_get_it_once(application_factory):
    application = application_factory()
    issued_logout_request_record(application=application, request_id="_race", session_key="s")
    barrier, results = threading.Barrier(2), []

    def answer():
        from django.db import connections

        barrier.wait()
        try:
            results.append(
                issued_logout_request_consume(application=application, request_id="_race")
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(result is not None for result in results) == [False, True]


@pytest.mark.django_db
def test_the_beat_task_purges_expired_requests_and_sessions_older_than_any_session(
    application_factory, user_factory, settings
):
    from sso_apps.tasks import saml_logout_records_purge

    application, user = application_factory(), user_factory()
    now = timezone.now()
    issued_logout_request_record(application=application, request_id="_old", session_key="")
    IssuedLogoutRequest.objects.update(expires_at=now - datetime.timedelta(seconds=1))
    issued_logout_request_record(application=application, request_id="_new", session_key="")
    old = _sp_session(application, user, session_index="id-old")
    _sp_session(application, user, session_index="id-new")
    lifetime = max(
        settings.SESSION_COOKIE_AGE,
        getattr(settings, "TESSERA_SESSION_ABSOLUTE_LIFETIME_SECONDS", 0),
    )
    SpSession.objects.filter(pk=old.pk).update(
        created_at=now - datetime.timedelta(seconds=lifetime + 1)
    )

    assert saml_logout_records_purge.delay().get() == 2

    assert list(IssuedLogoutRequest.objects.values_list("request_id", flat=True)) == ["_new"]
    assert list(SpSession.objects.values_list("session_index", flat=True)) == ["id-new"]


@pytest.mark.django_db
def test_sessions_end_ends_exactly_the_given_sessions(client, user_factory, password):
    from django.contrib.sessions.models import Session
    from django.test import Client
    from django.urls import reverse

    from accounts.models import UserSession

    user = user_factory(email="twice@example.com")
    browsers = [Client(), Client()]
    for browser in browsers:
        browser.post(reverse("console:login"), {"email": user.email, "password": password})
    first, second = (browser.session.session_key for browser in browsers)

    assert sessions_end(session_keys={first, ""}) == 1

    assert not Session.objects.filter(session_key=first).exists()
    assert Session.objects.filter(session_key=second).exists()
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [second]
