"""The second sign-in step of the User Console: TOTP, recovery codes, policy, throttling."""

import pytest
from django.urls import reverse

from accounts.mfa.services import recovery_codes_generate
from accounts.models.recovery_codes import RecoveryCodeDevice
from accounts.sessions import authentication_record
from accounts.tests.mfa.helpers import T0, rfc6238, totp_clock
from console.tests.mfa_helpers import totp_enrolled
from sso_apps.models import AuditEvent

VERIFY = reverse("console:mfa_verify")
SETUP = reverse("console:mfa_setup")


def _password(client, user, password, next_url=""):
    data = {"email": user.email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("console:login"), data)


@pytest.mark.django_db
def test_a_user_with_an_app_gives_a_code_after_the_password(client, user_factory, password):
    user = user_factory()
    device = totp_enrolled(user)
    response = _password(client, user, password, next_url=reverse("console:account"))
    assert response["Location"] == VERIFY
    # Not signed in yet: every page still asks for the sign-in.
    assert client.get(reverse("console:home"))["Location"].startswith(reverse("console:login"))
    page = client.get(VERIFY)
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.text and 'inputmode="numeric"' in page.text
    with totp_clock(T0):
        done = client.post(VERIFY, {"code": rfc6238(device.bin_key, T0)})
    assert done["Location"] == reverse("console:account")
    signed_in = client.get(reverse("console:home"))
    assert signed_in.status_code == 200 and signed_in.wsgi_request.user == user
    methods, at = authentication_record(signed_in.wsgi_request)
    assert methods == {"pwd", "otp"} and at is not None
    device.refresh_from_db()
    assert device.last_used_at is not None


@pytest.mark.django_db
def test_a_wrong_code_is_refused_and_audited(client, user_factory, password):
    user = user_factory()
    totp_enrolled(user)
    _password(client, user, password)
    with totp_clock(T0):
        response = client.post(VERIFY, {"code": "000000"})
    assert response.status_code == 200
    assert "That code is not valid" in response.text
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="mfa.verify")
    assert event.outcome == AuditEvent.Outcome.FAILURE and event.target_id == str(user.pk)


@pytest.mark.django_db
def test_wrong_codes_lock_out_like_wrong_passwords(client, settings, user_factory, password):
    settings.AXES_FAILURE_LIMIT = 3
    user = user_factory()
    device = totp_enrolled(user)
    _password(client, user, password)
    with totp_clock(T0):
        statuses = []
        for _ in range(3):
            device.refresh_from_db()
            device.throttle_reset()  # django-otp's own one-second backoff, not under test here
            statuses.append(client.post(VERIFY, {"code": "000000"}).status_code)
    assert statuses == [200, 200, 429]
    # Giving the password again does not reset the count: the account stays locked.
    again = _password(client, user, password)
    assert again.status_code == 429
    assert "too many failed sign-in attempts" in again.text.lower()


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once(client, user_factory, password):
    user = user_factory()
    totp_enrolled(user)
    code = recovery_codes_generate(user=user, count=2)[0]
    _password(client, user, password)
    response = client.post(VERIFY, {"recovery_code": code})
    assert response["Location"] == reverse("console:home")
    assert AuditEvent.objects.filter(action="mfa.recovery_code_use").count() == 1
    client.post(reverse("console:logout"))
    RecoveryCodeDevice.objects.get(user=user).throttle_reset()
    _password(client, user, password)
    refused = client.post(VERIFY, {"recovery_code": code})
    assert refused.status_code == 200 and "That code is not valid" in refused.text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_user_without_factor_or_policy_signs_in_with_the_password(client, user_factory, password):
    user = user_factory()
    assert _password(client, user, password)["Location"] == reverse("console:home")
    request = client.get(reverse("console:home")).wsgi_request
    assert authentication_record(request)[0] == {"pwd"}


@pytest.mark.django_db
def test_a_member_of_an_mfa_group_enrols_before_reaching_anything(
    client, user_factory, group_factory, password
):
    user = user_factory()
    group_factory(members=[user], mfa_required=True)
    assert (
        _password(client, user, password, next_url=reverse("console:account"))["Location"] == SETUP
    )
    assert client.get(reverse("console:home"))["Location"].startswith(reverse("console:login"))
    # The verify page has nothing to ask yet and sends the user to enrolment.
    assert client.get(VERIFY)["Location"] == SETUP
    page = client.get(SETUP)
    assert page.status_code == 200 and "Authenticator app" in page.text
    secret = page.context["secret"].replace(" ", "")
    import base64

    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    with totp_clock(T0):
        enrolled = client.post(SETUP, {"code": rfc6238(key, T0), "name": "My phone"})
    assert enrolled["Location"] == reverse("console:mfa_recovery_codes_new")
    codes_page = client.get(enrolled["Location"])
    assert codes_page.status_code == 200
    assert len(codes_page.context["codes"]) == 10
    assert codes_page.context["continue_url"] == reverse("console:account")
    # Shown once: the page does not come back.
    assert client.get(reverse("console:mfa_recovery_codes_new"))["Location"] == reverse(
        "console:account"
    )
    assert client.get(reverse("console:account")).status_code == 200
    assert AuditEvent.objects.filter(action="mfa.factor_add").count() == 2  # app + codes


@pytest.mark.django_db
def test_a_stale_half_sign_in_must_start_again(client, settings, user_factory, password):
    user = user_factory()
    totp_enrolled(user)
    _password(client, user, password)
    settings.TESSERA_MFA_PENDING_SECONDS = -1
    response = client.get(VERIFY)
    assert response["Location"] == reverse("console:login")


@pytest.mark.django_db
def test_the_next_url_must_be_on_this_site(client, user_factory, password):
    user = user_factory()
    device = totp_enrolled(user)
    _password(client, user, password, next_url="https://evil.example/")
    with totp_clock(T0):
        done = client.post(VERIFY, {"code": rfc6238(device.bin_key, T0)})
    assert done["Location"] == reverse("console:home")


@pytest.mark.django_db
def test_cancel_forgets_the_half_sign_in(client, user_factory, password):
    user = user_factory()
    totp_enrolled(user)
    _password(client, user, password)
    client.post(reverse("console:mfa_cancel"))
    assert client.get(VERIFY)["Location"] == reverse("console:login")


@pytest.mark.django_db
def test_a_post_without_any_code_is_shown_again_not_counted(client, user_factory, password):
    user = user_factory()
    totp_enrolled(user)
    _password(client, user, password)
    response = client.post(VERIFY, {})
    assert response.status_code == 200 and "Enter a code" in response.text
    assert not AuditEvent.objects.filter(action="mfa.verify").exists()


@pytest.mark.django_db
def test_a_passkey_step_without_a_half_signed_in_session_is_refused_and_audited(client):
    response = client.post(
        reverse("otp_webauthn:credential-authentication-begin"), content_type="application/json"
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", outcome="denied").exists()


@pytest.mark.django_db
def test_a_half_signed_in_user_gets_passkey_options_for_their_own_credentials(
    client, user_factory, password
):
    user = user_factory()
    totp_enrolled(user)
    _password(client, user, password)
    response = client.post(
        reverse("otp_webauthn:credential-authentication-begin"), content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["rpId"] == "testserver"
    assert response.json()["allowCredentials"] == []


@pytest.mark.django_db
def test_only_a_half_signed_in_user_without_factor_may_register_a_passkey(
    client, user_factory, group_factory, password
):
    begin = reverse("otp_webauthn:credential-registration-begin")
    newcomer = user_factory()
    group_factory(members=[newcomer], mfa_required=True)
    _password(client, newcomer, password)
    options = client.post(begin, content_type="application/json")
    assert options.status_code == 200 and options.json()["rp"]["id"] == "testserver"
    # Someone who already has a factor must pass the second step with it first.
    client.post(reverse("console:mfa_cancel"))
    enrolled = user_factory()
    totp_enrolled(enrolled)
    _password(client, enrolled, password)
    assert client.post(begin, content_type="application/json").status_code == 403
