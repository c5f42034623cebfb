"""Per-app MFA and the step-up: python3-saml SPs see the AuthnContext the session earned.

An app requiring MFA, an SP asking for the MFA class, or ForceAuthn of a user with a
factor sends a password-only session through the console's step-up page; the waiting
request (or IdP-initiated launch) goes on afterwards. TOTP codes are computed by the test
against a controlled clock.
"""

import base64
import datetime
import time
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from lxml import etree

from accounts.mfa.services import recovery_codes_generate
from accounts.sessions import authentication_record
from accounts.tests.mfa.helpers import rfc6238, totp_clock
from console.tests.mfa_helpers import totp_enrolled
from sso_apps.models import AuditEvent
from sso_apps.saml.constants import (
    AC_MOBILE_TWO_FACTOR_CONTRACT,
    AC_PASSWORD_PROTECTED_TRANSPORT,
    AC_REFEDS_MFA,
    STATUS_NO_AUTHN_CONTEXT,
    STATUS_NO_PASSIVE,
    STATUS_RESPONDER,
)
from sso_apps.services import saml_configs
from sso_apps.tests.idp.flows import onelogin_sp, response_fields, sso_redirect
from sso_apps.tests.idp.sp_harness import SP_ACS_URL, path_and_query, posted_form

NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
}
STEP_UP = reverse("console:mfa_step_up")
SETUP = reverse("console:mfa_setup")


def _statement(fields) -> etree._Element:
    root = etree.fromstring(base64.b64decode(fields["SAMLResponse"]))
    statement = root.find("saml:Assertion/saml:AuthnStatement", NS)
    assert statement is not None
    return statement


def _class_ref(fields) -> str:
    return _statement(fields).find("saml:AuthnContext/saml:AuthnContextClassRef", NS).text


def _authn_instant(fields) -> datetime.datetime:
    value = _statement(fields).get("AuthnInstant")
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _status(fields) -> tuple[str, str | None]:
    root = etree.fromstring(base64.b64decode(fields["SAMLResponse"]))
    top = root.find("samlp:Status/samlp:StatusCode", NS)
    second = top.find("samlp:StatusCode", NS)
    return top.get("Value"), None if second is None else second.get("Value")


def _require_mfa(application, *, mfa_context=None):
    saml_configs.saml_config_update(
        application=application,
        changes=saml_configs.SamlConfigInput(mfa_required=True, mfa_context=mfa_context),
    )
    application.refresh_from_db()


def _step_up_redirect(response) -> str:
    """Assert the response sends the user to the step-up page; return its `next`."""
    assert response.status_code == 302, response
    parts = urlsplit(response["Location"])
    assert parts.path == STEP_UP
    return parse_qs(parts.query)["next"][0]


def _code(client, device, *, at: float, url: str = STEP_UP):
    """Give the TOTP code of `device` at Unix time `at` on the step-up page."""
    device.refresh_from_db()
    with totp_clock(at):
        return client.post(url, {"code": rfc6238(device.bin_key, at)})


@pytest.fixture
def now():
    # Real time: AuthnInstant and the request's age are compared with the session record.
    return time.time()


@pytest.mark.django_db
def test_python3_saml_sees_password_before_the_step_up_and_mfa_after_it(
    client, saml_app, member, now
):
    signed_in = datetime.datetime.now(datetime.UTC).replace(microsecond=0) - datetime.timedelta(
        hours=2
    )
    with mock.patch("accounts.middleware._clock", return_value=signed_in):
        client.force_login(member)  # a password sign-in, two hours ago
    device = totp_enrolled(member, at=now - 3600)
    sp = onelogin_sp(client, saml_app, requested_authn_context=False)

    url, request_id = sp.login_url()
    fields = response_fields(sso_redirect(client, url))
    auth = sp.acs(fields, request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.get_last_authn_contexts() == [AC_PASSWORD_PROTECTED_TRANSPORT]
    assert _authn_instant(fields) == signed_in

    # The app now requires MFA: the existing session is asked at its next SSO.
    _require_mfa(saml_app)
    url, request_id = sp.login_url()
    continue_url = client.get(path_and_query(url))["Location"]
    next_url = _step_up_redirect(client.get(continue_url))
    assert next_url == continue_url
    page = client.get(f"{STEP_UP}?next={next_url}")
    assert page.status_code == 200 and "asks for your second factor" in page.text
    before_step_up = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    done = _code(client, device, at=now)
    assert done["Location"] == continue_url
    fields = response_fields(client.get(continue_url))
    auth = sp.acs(fields, request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.get_last_authn_contexts() == [AC_REFEDS_MFA]
    # AuthnInstant is the step-up's: the last time the user proved who they are.
    assert _authn_instant(fields) >= before_step_up
    methods, _ = authentication_record(done.wsgi_request)
    assert methods == {"pwd", "otp"}
    event = AuditEvent.objects.filter(action="sso.login").order_by("-pk").first()
    assert event.details["authn_context"] == AC_REFEDS_MFA
    assert AuditEvent.objects.filter(action="sso.step_up").count() == 1


@pytest.mark.django_db
def test_a_session_signed_in_with_a_second_factor_states_the_apps_mfa_class(
    client, saml_app, member, password, now
):
    saml_configs.saml_config_update(
        application=saml_app,
        changes=saml_configs.SamlConfigInput(mfa_context="mobile-two-factor"),
    )
    device = totp_enrolled(member, at=now - 3600)
    client.post(reverse("console:login"), {"email": member.email, "password": password})
    _code(client, device, at=now, url=reverse("console:mfa_verify"))
    sp = onelogin_sp(client, saml_app, requested_authn_context=False)
    url, request_id = sp.login_url()
    # No step-up for an app that does not require one, and the truth is still told.
    fields = response_fields(sso_redirect(client, url))
    auth = sp.acs(fields, request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.get_last_authn_contexts() == [AC_MOBILE_TWO_FACTOR_CONTRACT]


@pytest.mark.django_db
def test_a_user_without_a_factor_enrols_then_the_waiting_request_goes_on(
    client, saml_app, member, now
):
    _require_mfa(saml_app)
    client.force_login(member)
    sp = onelogin_sp(client, saml_app, requested_authn_context=False)
    url, request_id = sp.login_url()
    continue_url = client.get(path_and_query(url))["Location"]
    next_url = _step_up_redirect(client.get(continue_url))
    assert client.get(f"{STEP_UP}?next={next_url}")["Location"] == SETUP
    setup = client.get(SETUP)
    assert setup.status_code == 200
    device = member.totpdevice_set.get(confirmed=False)
    with totp_clock(now):
        enrolled = client.post(SETUP, {"code": rfc6238(device.bin_key, now), "name": "Phone"})
    # A first factor shows its recovery codes once, then the login continues.
    assert enrolled["Location"] == reverse("console:mfa_recovery_codes_new")
    codes_page = client.get(enrolled["Location"])
    assert codes_page.status_code == 200 and continue_url in codes_page.text
    fields = response_fields(client.get(continue_url))
    auth = sp.acs(fields, request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.get_last_authn_contexts() == [AC_REFEDS_MFA]


@pytest.mark.django_db
def test_the_pending_request_waits_through_a_wrong_code(client, saml_app, member, now):
    _require_mfa(saml_app)
    client.force_login(member)
    device = totp_enrolled(member, at=now - 3600)
    sp = onelogin_sp(client, saml_app, requested_authn_context=False)
    url, request_id = sp.login_url()
    continue_url = client.get(path_and_query(url))["Location"]
    client.get(f"{STEP_UP}?next={_step_up_redirect(client.get(continue_url))}")
    with totp_clock(now):
        wrong = client.post(STEP_UP, {"code": "000000"})
    assert wrong.status_code == 200 and "That code is not valid" in wrong.text
    failure = AuditEvent.objects.get(action="mfa.verify")
    assert failure.outcome == AuditEvent.Outcome.FAILURE
    # Going back to the app without the factor only asks again.
    _step_up_redirect(client.get(continue_url))
    device.refresh_from_db()
    device.throttle_reset()  # django-otp's own one-second backoff, not under test here
    assert _code(client, device, at=now)["Location"] == continue_url
    auth = sp.acs(response_fields(client.get(continue_url)), request_id)
    assert auth.is_authenticated()


@pytest.mark.django_db
def test_a_recovery_code_steps_up_once(client, saml_app, member, now):
    _require_mfa(saml_app)
    totp_enrolled(member, at=now - 3600)
    codes = recovery_codes_generate(user=member, count=2)
    sp = onelogin_sp(client, saml_app, requested_authn_context=False)
    for attempt, expected in ((1, 302), (2, 200)):
        browser = Client()
        browser.force_login(member)
        url, _ = sp.login_url()
        continue_url = browser.get(path_and_query(url))["Location"]
        browser.get(f"{STEP_UP}?next={_step_up_redirect(browser.get(continue_url))}")
        answer = browser.post(STEP_UP, {"recovery_code": codes[0]})
        assert answer.status_code == expected, attempt
    assert "That code is not valid" in answer.text


@pytest.mark.django_db
def test_idp_initiated_launch_continues_after_the_step_up(client, saml_app, member, now):
    _require_mfa(saml_app)
    client.force_login(member)
    device = totp_enrolled(member, at=now - 3600)
    launch = reverse("saml:init", args=[saml_app.idp_suffix])
    next_url = _step_up_redirect(client.post(launch))
    assert next_url == launch
    # Before the factor, the launch URL only shows its button again: nothing is sent.
    assert "SAMLResponse" not in client.get(launch).text
    client.get(f"{STEP_UP}?next={next_url}")
    assert _code(client, device, at=now)["Location"] == launch
    action, fields = posted_form(client.get(launch).text)
    assert action == SP_ACS_URL
    assert _class_ref(fields) == AC_REFEDS_MFA
    # The kept launch was used once: a later GET shows the button, no second Response.
    assert "SAMLResponse" not in client.get(launch).text


@pytest.mark.django_db
def test_an_idp_initiated_launch_kept_too_long_is_not_resumed(client, saml_app, member, now):
    _require_mfa(saml_app)
    client.force_login(member)
    device = totp_enrolled(member, at=now - 3600)
    launch = reverse("saml:init", args=[saml_app.idp_suffix])
    long_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    with mock.patch("sso_apps.idp.detours._now", return_value=long_ago):
        client.post(launch)
    client.get(f"{STEP_UP}?next={launch}")
    _code(client, device, at=now)
    assert "SAMLResponse" not in client.get(launch).text


@pytest.mark.django_db
def test_a_user_without_access_is_refused_before_any_step_up(client, saml_app, user_factory, now):
    _require_mfa(saml_app)
    outsider = user_factory(email="eve@example.com")
    client.force_login(outsider)
    sp = onelogin_sp(client, saml_app, requested_authn_context=False)
    url, _ = sp.login_url()
    continue_url = client.get(path_and_query(url))["Location"]
    assert client.get(continue_url).status_code == 403


@pytest.mark.django_db
def test_is_passive_needing_a_step_up_answers_no_passive(client, saml_app, member, now):
    _require_mfa(saml_app)
    client.force_login(member)
    totp_enrolled(member, at=now - 3600)
    sp = onelogin_sp(client, saml_app, requested_authn_context=False)
    url, request_id = sp.login_url(is_passive=True)
    page = sso_redirect(client, url)
    fields = response_fields(page)  # the POST form to the ACS, no step-up page
    assert fields["action"] == SP_ACS_URL
    assert _status(fields) == (STATUS_RESPONDER, STATUS_NO_PASSIVE)
    assert not sp.acs(fields, request_id).is_authenticated()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("comparison", "requested", "mfa_context", "stated"),
    [
        ("exact", [AC_REFEDS_MFA], None, AC_REFEDS_MFA),
        ("minimum", [AC_REFEDS_MFA], None, AC_REFEDS_MFA),
        # REFEDS MFA, the default, ranks above MobileTwoFactorContract.
        ("minimum", [AC_MOBILE_TWO_FACTOR_CONTRACT], None, AC_REFEDS_MFA),
        (
            "exact",
            [AC_MOBILE_TWO_FACTOR_CONTRACT],
            "mobile-two-factor",
            AC_MOBILE_TWO_FACTOR_CONTRACT,
        ),
        ("better", [AC_PASSWORD_PROTECTED_TRANSPORT], None, AC_REFEDS_MFA),
    ],
)
def test_a_request_for_the_mfa_class_steps_the_user_up_instead_of_refusing(
    client, saml_app, member, now, comparison, requested, mfa_context, stated
):
    if mfa_context:
        saml_configs.saml_config_update(
            application=saml_app, changes=saml_configs.SamlConfigInput(mfa_context=mfa_context)
        )
    client.force_login(member)
    device = totp_enrolled(member, at=now - 3600)
    sp = onelogin_sp(
        client,
        saml_app,
        requested_authn_context=requested,
        requested_authn_context_comparison=comparison,
    )
    url, request_id = sp.login_url()
    continue_url = client.get(path_and_query(url))["Location"]
    client.get(f"{STEP_UP}?next={_step_up_redirect(client.get(continue_url))}")
    _code(client, device, at=now)
    fields = response_fields(client.get(continue_url))
    auth = sp.acs(fields, request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.get_last_authn_contexts() == [stated]


@pytest.mark.django_db
def test_an_mfa_class_the_app_does_not_state_is_no_authn_context(client, saml_app, member):
    # The app states REFEDS MFA after a second factor; no step-up can make it exact Mobile.
    client.force_login(member)
    sp = onelogin_sp(
        client,
        saml_app,
        requested_authn_context=[AC_MOBILE_TWO_FACTOR_CONTRACT],
        requested_authn_context_comparison="exact",
    )
    url, request_id = sp.login_url()
    page = client.get(path_and_query(url))
    fields = response_fields(page)
    assert _status(fields) == (STATUS_RESPONDER, STATUS_NO_AUTHN_CONTEXT)


@pytest.mark.django_db
def test_force_authn_asks_for_the_password_and_then_the_factor(
    client, saml_app, member, password, now
):
    device = totp_enrolled(member, at=now - 3600)
    client.post(reverse("console:login"), {"email": member.email, "password": password})
    # Signed in with both factors two minutes before the request comes.
    with mock.patch("accounts.sessions._unix_now", return_value=int(now) - 120):
        _code(client, device, at=now - 60, url=reverse("console:mfa_verify"))
    sp = onelogin_sp(client, saml_app, requested_authn_context=False)
    url, request_id = sp.login_url(force_authn=True)
    continue_url = client.get(path_and_query(url))["Location"]
    reauth = client.get(continue_url)
    assert reauth["Location"].startswith(reverse("console:reauthenticate"))
    right = client.post(reauth["Location"], {"password": password, "next": continue_url})
    assert _step_up_redirect(right) == continue_url
    # Skipping the factor does not help: the factor from before the request is not fresh.
    assert _step_up_redirect(client.get(continue_url)) == continue_url
    client.get(f"{STEP_UP}?next={continue_url}")
    assert _code(client, device, at=now)["Location"] == continue_url
    fields = response_fields(client.get(continue_url))
    auth = sp.acs(fields, request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.get_last_authn_contexts() == [AC_REFEDS_MFA]


@pytest.mark.django_db
def test_a_group_newly_requiring_mfa_applies_at_the_next_sso(client, saml_app, member, now):
    client.force_login(member)
    totp_enrolled(member, at=now - 3600)
    sp = onelogin_sp(client, saml_app, requested_authn_context=False)
    url, _ = sp.login_url()
    assert sso_redirect(client, url).status_code == 200
    group = saml_app.authorized_groups.get()
    group.mfa_required = True
    group.save()
    url, _ = sp.login_url()
    continue_url = client.get(path_and_query(url))["Location"]
    _step_up_redirect(client.get(continue_url))


@pytest.mark.django_db
def test_requiring_mfa_is_audited_and_refused_for_an_unknown_class(saml_app):
    _require_mfa(saml_app)
    event = AuditEvent.objects.filter(action="application.sso_update").order_by("-pk").first()
    assert event.details == {"mfa_required": True}
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    with pytest.raises(ValidationError):
        saml_configs.saml_config_update(
            application=saml_app, changes=saml_configs.SamlConfigInput(mfa_context="sms")
        )
    from sso_apps.models import SamlConfig

    with pytest.raises(IntegrityError), transaction.atomic():
        SamlConfig.objects.filter(pk=saml_app.pk).update(mfa_context="sms")
