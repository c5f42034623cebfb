"""The console's step-up page on its own: who may use it, and what it records."""

import time

import pytest
from django.urls import reverse

from accounts.middleware import AUTHN_INSTANT_KEY
from accounts.sessions import authentication_record
from accounts.tests.mfa.helpers import rfc6238, totp_clock
from console.tests.mfa_helpers import totp_enrolled

STEP_UP = reverse("console:mfa_step_up")


@pytest.mark.django_db
def test_the_step_up_page_needs_a_signed_in_user(client):
    response = client.get(f"{STEP_UP}?next=/userconsole/account/")
    assert response["Location"].startswith(reverse("console:login"))


@pytest.mark.django_db
def test_without_a_waiting_step_up_the_page_sends_the_user_home(client, user_factory):
    client.force_login(user_factory())
    assert client.get(STEP_UP)["Location"] == reverse("console:home")


@pytest.mark.django_db
def test_a_step_up_records_the_factor_moves_authn_instant_and_goes_only_same_site(
    client, user_factory
):
    user = user_factory()
    now = time.time()
    device = totp_enrolled(user, at=now - 3600)
    client.force_login(user)
    signed_in = client.session[AUTHN_INSTANT_KEY]
    # A foreign `next` is replaced by the console home.
    page = client.get(f"{STEP_UP}?next=https://evil.example.com/")
    assert page.status_code == 200 and "asks for your second factor" in page.text
    with totp_clock(now):
        done = client.post(STEP_UP, {"code": rfc6238(device.bin_key, now)})
    assert done["Location"] == reverse("console:home")
    methods, _ = authentication_record(done.wsgi_request)
    assert methods == {"pwd", "otp"}
    assert client.session[AUTHN_INSTANT_KEY] >= signed_in
    # Used up: the page does not ask again.
    assert client.get(STEP_UP)["Location"] == reverse("console:home")


@pytest.mark.django_db
def test_reauthentication_of_a_user_with_a_factor_continues_to_the_step_up(
    client, user_factory, password
):
    user = user_factory()
    totp_enrolled(user)
    client.force_login(user)
    response = client.post(
        reverse("console:reauthenticate"),
        {"password": password, "next": "/userconsole/account/"},
    )
    assert response["Location"] == f"{STEP_UP}?next=%2Fuserconsole%2Faccount%2F"


@pytest.mark.django_db
def test_reauthentication_of_a_user_without_a_factor_continues_at_once(
    client, user_factory, password
):
    client.force_login(user_factory())
    response = client.post(
        reverse("console:reauthenticate"),
        {"password": password, "next": "/userconsole/account/"},
    )
    assert response["Location"] == "/userconsole/account/"
