"""Signed-in sessions end after the idle timeout and after the absolute lifetime."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.models import UserSession

HOUR = 3600
START = 1_900_000_000


@pytest.fixture
def clock(monkeypatch):
    """Return a settable clock that accounts.middleware reads instead of time.time()."""

    class Clock:
        now = START

        def advance(self, seconds: int) -> None:
            self.now += seconds

    clock = Clock()
    monkeypatch.setattr("accounts.middleware._now", lambda: clock.now)
    return clock


@pytest.fixture
def signed_in(client, user_factory, password, clock):
    user = user_factory(email="ada@example.com")
    response = client.post(reverse("console:login"), {"email": user.email, "password": password})
    assert response.status_code == 302
    return client


def _home_status(client) -> int:
    return client.get(reverse("console:home")).status_code


def test_default_limits_are_eight_hours_idle_and_a_day_in_all(settings):
    assert settings.TESSERA_SESSION_IDLE_TIMEOUT_SECONDS == 8 * HOUR
    assert settings.TESSERA_SESSION_ABSOLUTE_LIFETIME_SECONDS == 24 * HOUR
    assert settings.SESSION_COOKIE_AGE <= settings.TESSERA_SESSION_ABSOLUTE_LIFETIME_SECONDS


@pytest.mark.django_db
def test_an_idle_session_is_signed_out(signed_in, clock):
    clock.advance(8 * HOUR - 60)
    assert _home_status(signed_in) == 200
    clock.advance(8 * HOUR + 1)
    response = signed_in.get(reverse("console:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:login"))
    assert SESSION_KEY not in signed_in.session
    # Single Logout no longer counts it as a live session.
    assert not UserSession.objects.exists()


@pytest.mark.django_db
def test_an_active_session_still_ends_at_the_absolute_lifetime(signed_in, clock):
    for _ in range(3):  # 21 hours of steady use
        clock.advance(7 * HOUR)
        assert _home_status(signed_in) == 200
    clock.advance(3 * HOUR)  # 24 h + 0 s: not yet past
    assert _home_status(signed_in) == 200
    clock.advance(1)
    assert _home_status(signed_in) == 302
    assert SESSION_KEY not in signed_in.session


@pytest.mark.django_db
def test_limits_come_from_settings(signed_in, clock, settings):
    settings.TESSERA_SESSION_IDLE_TIMEOUT_SECONDS = 600
    clock.advance(601)
    assert _home_status(signed_in) == 302


@pytest.mark.django_db
def test_last_activity_is_written_at_most_once_a_minute(signed_in, clock):
    from accounts.middleware import LAST_ACTIVITY_KEY

    stamp = signed_in.session[LAST_ACTIVITY_KEY]
    assert stamp == START
    clock.advance(59)
    assert _home_status(signed_in) == 200
    assert signed_in.session[LAST_ACTIVITY_KEY] == START
    clock.advance(1)
    assert _home_status(signed_in) == 200
    assert signed_in.session[LAST_ACTIVITY_KEY] == START + 60


@pytest.mark.django_db
def test_a_read_within_the_minute_saves_no_session(signed_in, clock):
    from django.contrib.sessions.backends.db import SessionStore

    saves = []
    original = SessionStore.save

    def counting_save(self, *args, **kwargs):
        saves.append(self.session_key)
        return original(self, *args, **kwargs)

    SessionStore.save = counting_save
    try:
        clock.advance(30)
        assert _home_status(signed_in) == 200
    finally:
        SessionStore.save = original
    assert saves == []


@pytest.mark.django_db
def test_a_session_without_stamps_starts_counting_at_its_next_request(client, user_factory, clock):
    from accounts.middleware import AUTHENTICATED_AT_KEY, LAST_ACTIVITY_KEY

    client.force_login(user_factory(email="ada@example.com"))
    session = client.session
    del session[AUTHENTICATED_AT_KEY], session[LAST_ACTIVITY_KEY]
    session.save()
    clock.advance(30 * HOUR)
    assert _home_status(client) == 200
    assert client.session[AUTHENTICATED_AT_KEY] == START + 30 * HOUR
    clock.advance(8 * HOUR + 1)
    assert _home_status(client) == 302


@pytest.mark.django_db
def test_signing_in_again_restarts_both_clocks(signed_in, clock, password):
    for _ in range(3):
        clock.advance(7 * HOUR)
        assert _home_status(signed_in) == 200
    signed_in.logout()
    again = signed_in.post(
        reverse("console:login"), {"email": "ada@example.com", "password": password}
    )
    assert again.status_code == 302
    clock.advance(7 * HOUR)  # 28 h after the first sign-in, 7 h after this one
    assert _home_status(signed_in) == 200
