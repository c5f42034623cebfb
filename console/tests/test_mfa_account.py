"""Managing factors from the account page: password first, list, remove, new recovery codes."""

from unittest import mock

import pytest
from django.urls import reverse

from accounts import sessions
from accounts.mfa.services import recovery_codes_generate
from accounts.models.recovery_codes import RecoveryCode
from console.tests.mfa_helpers import totp_enrolled
from sso_apps.models import AuditEvent

ACCOUNT = reverse("console:account")
SETUP = reverse("console:mfa_setup")


def _later(seconds):
    """Move the session clock on, as if the user signed in `seconds` ago."""
    real = sessions._unix_now()
    return mock.patch.object(sessions, "_unix_now", return_value=real + seconds)


@pytest.mark.django_db
def test_the_account_page_lists_factors_without_secrets(client, user_factory):
    user = user_factory()
    device = totp_enrolled(user)
    recovery_codes_generate(user=user, count=4)
    client.force_login(user)
    page = client.get(ACCOUNT)
    assert "Two-factor authentication" in page.text
    assert "Authenticator app" in page.text and "4 of 4 unused" in page.text
    assert device.key not in page.text


@pytest.mark.django_db
def test_changing_factors_asks_for_the_password_again_after_a_while(client, user_factory, password):
    user = user_factory()
    client.force_login(user)
    assert client.get(SETUP).status_code == 200
    with _later(3600):
        response = client.get(SETUP)
        assert response["Location"].startswith(reverse("console:mfa_confirm_password"))
        wrong = client.post(
            reverse("console:mfa_confirm_password"), {"password": "nope", "next": SETUP}
        )
        assert wrong.status_code == 200 and "That is not your password" in wrong.text
        right = client.post(
            reverse("console:mfa_confirm_password"), {"password": password, "next": SETUP}
        )
        assert right["Location"] == SETUP
        assert client.get(SETUP).status_code == 200


@pytest.mark.django_db
def test_a_user_removes_their_own_factor_and_it_is_audited(client, user_factory):
    user = user_factory()
    device = totp_enrolled(user)
    client.force_login(user)
    response = client.post(
        reverse("console:mfa_factor_remove"), {"kind": "totp", "factor_id": device.pk}
    )
    assert response["Location"] == ACCOUNT
    assert not user.totpdevice_set.exists()
    event = AuditEvent.objects.get(action="mfa.factor_remove")
    assert event.details["kind"] == "totp" and event.target_id == str(user.pk)


@pytest.mark.django_db
def test_nobody_removes_another_users_factor(client, user_factory):
    victim_device = totp_enrolled(user_factory())
    client.force_login(user_factory())
    response = client.post(
        reverse("console:mfa_factor_remove"), {"kind": "totp", "factor_id": victim_device.pk}
    )
    assert response.status_code == 404
    assert type(victim_device).objects.filter(pk=victim_device.pk).exists()


@pytest.mark.django_db
def test_new_recovery_codes_replace_the_old_and_are_shown_once(client, user_factory):
    user = user_factory()
    totp_enrolled(user)
    old = recovery_codes_generate(user=user, count=10)
    client.force_login(user)
    page = client.post(reverse("console:mfa_recovery_codes"), {"generate": "1"})
    assert page.status_code == 200
    new = page.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert RecoveryCode.objects.filter(device__user=user).count() == 10
    assert client.get(ACCOUNT).text.count(new[0]) == 0
