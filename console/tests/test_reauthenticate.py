"""The sign-in page's re-authentication mode (an SP's ForceAuthn), on its own."""

import pytest
from django.urls import reverse

from accounts.middleware import AUTHENTICATED_AT_KEY, AUTHN_INSTANT_KEY
from sso_apps.models import AuditEvent

URL = "/userconsole/login/again/"


@pytest.mark.django_db
def test_the_url_is_the_console_sign_in_pages_again():
    assert reverse("console:reauthenticate") == URL


@pytest.mark.django_db
def test_nobody_signed_in_is_sent_to_the_normal_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:login"))


@pytest.mark.django_db
def test_right_password_stamps_a_new_authn_instant_but_keeps_the_session(client, member, password):
    client.force_login(member)
    before = dict(client.session.items())
    key = client.session.session_key
    response = client.post(URL, {"password": password, "next": "/userconsole/account/"})
    assert response.status_code == 302 and response["Location"] == "/userconsole/account/"
    session = client.session
    assert session.session_key == key
    assert session[AUTHN_INSTANT_KEY] > before[AUTHN_INSTANT_KEY]
    # Re-entering the password does not extend the session's absolute lifetime.
    assert session[AUTHENTICATED_AT_KEY] == before[AUTHENTICATED_AT_KEY]
    event = AuditEvent.objects.get(action="console.reauthenticate")
    assert (event.outcome, event.actor) == (AuditEvent.Outcome.SUCCESS, member)


@pytest.mark.django_db
def test_wrong_password_changes_nothing_and_is_audited(client, member):
    client.force_login(member)
    instant = client.session[AUTHN_INSTANT_KEY]
    response = client.post(URL, {"password": "wrong"})
    assert response.status_code == 200
    assert "That password is not right" in response.text
    assert client.session[AUTHN_INSTANT_KEY] == instant
    assert AuditEvent.objects.get(action="console.reauthenticate").outcome == "failure"


@pytest.mark.django_db
def test_an_empty_post_shows_the_field_error_without_an_audit_event(client, member):
    client.force_login(member)
    response = client.post(URL, {})
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action="console.reauthenticate").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_next_never_leaves_the_site(client, member, password, next_url):
    client.force_login(member)
    response = client.post(URL, {"password": password, "next": next_url})
    assert response["Location"] == reverse("console:home")
