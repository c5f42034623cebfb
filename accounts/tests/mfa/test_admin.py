"""The Admin Portal: staff sign-in with the second step; factors on the user page; reset."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from accounts.mfa.services import recovery_codes_generate
from accounts.tests.mfa.helpers import T0, rfc6238, totp_clock
from console.tests.mfa_helpers import totp_enrolled
from sso_apps.models import AuditEvent


@pytest.mark.django_db
def test_staff_must_enrol_before_the_admin_portal_when_the_setting_requires(
    client, settings, admin_factory, password
):
    settings.TESSERA_MFA_REQUIRED_FOR_STAFF = True
    staff = admin_factory("administrator")
    response = client.post(
        reverse("admin:login"),
        {"username": staff.email, "password": password, "next": reverse("admin:index")},
    )
    assert response["Location"] == reverse("console:mfa_setup")
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_staff_with_an_app_sign_in_to_the_admin_portal_with_a_code(client, admin_factory, password):
    staff = admin_factory("administrator")
    device = totp_enrolled(staff)
    response = client.post(
        reverse("admin:login"),
        {"username": staff.email, "password": password, "next": reverse("admin:index")},
    )
    assert response["Location"] == reverse("console:mfa_verify")
    with totp_clock(T0):
        done = client.post(reverse("console:mfa_verify"), {"code": rfc6238(device.bin_key, T0)})
    assert done["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_staff_without_factor_or_setting_sign_in_as_before(
    client, settings, admin_factory, password
):
    settings.TESSERA_MFA_REQUIRED_FOR_STAFF = False
    staff = admin_factory("administrator")
    response = client.post(
        reverse("admin:login"),
        {"username": staff.email, "password": password, "next": reverse("admin:index")},
    )
    assert response["Location"] == reverse("admin:index")


@pytest.mark.django_db
def test_the_user_page_shows_factors_but_no_secret(admin_client, user_factory):
    user = user_factory()
    device = totp_enrolled(user)
    codes = recovery_codes_generate(user=user, count=3)
    page = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert page.status_code == 200
    assert "Authenticator app" in page.text and "Recovery codes" in page.text
    assert device.key not in page.text
    assert not any(code in page.text for code in codes)


@pytest.mark.django_db
def test_an_administrator_resets_a_users_factors_and_ends_their_sessions(
    admin_client, user_factory, group_factory, password
):
    user = user_factory()
    group_factory(members=[user], mfa_required=True)
    device = totp_enrolled(user)
    recovery_codes_generate(user=user, count=3)
    # The user is signed in (password and code) in a browser of their own.
    browser = Client()
    browser.post(reverse("console:login"), {"email": user.email, "password": password})
    with totp_clock(T0):
        browser.post(reverse("console:mfa_verify"), {"code": rfc6238(device.bin_key, T0)})
    assert browser.get(reverse("console:home")).status_code == 200
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_mfa", ACTION_CHECKBOX_NAME: [user.pk]},
    )
    assert response.status_code == 302
    assert not user.totpdevice_set.exists()
    event = AuditEvent.objects.get(action="mfa.reset")
    assert event.details == {"removed": 2, "sessions_ended": 1}
    assert event.target_id == str(user.pk)
    # A session signed in with the lost factor does not outlive the reset.
    assert browser.get(reverse("console:home"))["Location"].startswith(reverse("console:login"))
    # The administrator who reset it is still signed in.
    assert admin_client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_read_only_cannot_reset_factors(read_only_client, user_factory):
    user = user_factory()
    totp_enrolled(user)
    read_only_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_mfa", ACTION_CHECKBOX_NAME: [user.pk]},
    )
    assert user.totpdevice_set.exists()


@pytest.mark.django_db
def test_totp_and_passkey_admins_of_the_libraries_are_hidden(admin_client):
    from django.contrib import admin
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_otp_webauthn.models import WebAuthnCredential

    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(WebAuthnCredential)
