"""Signing in records the session and forgets the user's dead ones, in any session store."""

import datetime
from importlib import import_module

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import UserSession

ENGINES = [
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
    "django.contrib.sessions.backends.cache",
    "portal.session_store",
]


def _sign_in(user, password) -> str:
    client = Client()
    response = client.post(reverse("console:login"), {"email": user.email, "password": password})
    assert response.status_code == 302
    return client.session.session_key


@pytest.fixture
def engine(request, settings):
    settings.SESSION_ENGINE = request.param
    return import_module(request.param).SessionStore


@pytest.mark.django_db
@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_signing_in_forgets_ended_sessions_and_keeps_live_ones(engine, user_factory, password):
    user, other = user_factory(), user_factory()
    ended, live = _sign_in(user, password), _sign_in(user, password)
    others = _sign_in(other, password)
    engine(session_key=ended).delete()
    engine(session_key=others).delete()
    latest = _sign_in(user, password)
    keys = set(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    assert keys == {live, latest}
    # Another user's rows wait for that user's own next sign-in.
    assert UserSession.objects.filter(user=other, session_key=others).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "engine",
    ["django.contrib.sessions.backends.db", "portal.session_store"],
    indirect=True,
)
def test_an_expired_session_row_counts_as_ended(engine, user_factory, password):
    from django.contrib.sessions.models import Session

    user = user_factory()
    expired = _sign_in(user, password)
    Session.objects.filter(session_key=expired).update(
        expire_date=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    )
    latest = _sign_in(user, password)
    keys = set(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    assert keys == {latest}


@pytest.mark.django_db
@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_sign_in_queries_do_not_grow_with_the_users_sessions(engine, user_factory, password):
    user = user_factory()
    _sign_in(user, password)
    with CaptureQueriesContext(connection) as few:
        _sign_in(user, password)
    for _ in range(5):
        _sign_in(user, password)
    with CaptureQueriesContext(connection) as many:
        _sign_in(user, password)
    assert UserSession.objects.filter(user=user).count() == 8
    assert len(many) == len(few)
