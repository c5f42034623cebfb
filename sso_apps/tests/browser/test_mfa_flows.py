"""Two-factor sign-in in Chromium: an authenticator app, recovery codes, a passkey, and the
step-up an application requiring MFA asks of a password-only session.

TOTP codes are computed here with RFC 6238 from the secret the page shows; the passkey lives
in Chromium's virtual authenticator (DevTools WebAuthn domain over Playwright's CDP session).
"""

import base64
import re
import time

import pytest
from django_otp_webauthn.models import WebAuthnCredential

from accounts.tests.factories import DEFAULT_PASSWORD
from accounts.tests.mfa.helpers import rfc6238
from sso_apps.models import AuditEvent, ConnectorTemplate
from sso_apps.saml.constants import AC_REFEDS_MFA
from sso_apps.services import applications as app_services
from sso_apps.services import saml_configs
from sso_apps.services.catalog import catalog_load
from sso_apps.services.saml_configs import AcsUrlInput, AttributeInput

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def origin(portal):
    # NOTE: an IP address cannot be a WebAuthn RP ID, so the browser goes to localhost.
    return portal.replace("127.0.0.1", "localhost")


def sign_in_password(page, origin, email):
    page.goto(f"{origin}/userconsole/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/userconsole/login/"))


def test_enrol_an_app_then_sign_in_with_a_code_and_a_recovery_code_once(
    origin, user_factory, group_factory, new_context, screenshot
):
    user = user_factory(email="mfa.app@example.com", first_name="Ada", last_name="Byron")
    group_factory(name="Finance", members=[user], mfa_required=True)
    page = new_context().new_page()
    sign_in_password(page, origin, user.email)
    page.wait_for_url(re.compile(r"/userconsole/mfa/setup/"))
    page.get_by_role("heading", name="Set up two-factor authentication").wait_for()
    # The user cannot go anywhere else before enrolling.
    page.goto(f"{origin}/userconsole/")
    page.wait_for_url(re.compile(r"/userconsole/login/"))
    page.goto(f"{origin}/userconsole/mfa/setup/")
    screenshot(page, "mfa-1-setup")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Name for this app").fill("Work phone")
    page.get_by_label("6-digit code from your authenticator app").fill(rfc6238(key, time.time()))
    page.get_by_role("button", name="Confirm and add").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    screenshot(page, "mfa-2-recovery-codes")
    page.get_by_role("link", name="I have saved them, continue").click()
    page.get_by_role("heading", name="Your applications").wait_for()
    sign_out(page)

    sign_in_password(page, origin, user.email)
    page.wait_for_url(re.compile(r"/userconsole/mfa/verify/"))
    screenshot(page, "mfa-3-verify")
    # The enrolment used this time step; a code is good once, so give the next step's.
    page.get_by_label("6-digit code from your authenticator app").fill(
        rfc6238(key, time.time() + 30)
    )
    page.get_by_role("button", name="Verify").click()
    page.get_by_role("heading", name="Your applications").wait_for()
    sign_out(page)

    for attempt in ("first", "second"):
        sign_in_password(page, origin, user.email)
        page.wait_for_url(re.compile(r"/userconsole/mfa/verify/"))
        page.get_by_text("Use a recovery code").click()
        page.get_by_label("Recovery code").fill(codes[0])
        page.get_by_role("button", name="Use recovery code").click()
        if attempt == "first":
            page.get_by_text("You used a recovery code; 9 remain").wait_for()
            sign_out(page)
        else:
            page.get_by_text("That code is not valid").wait_for()
            assert "/userconsole/mfa/verify/" in page.url
    assert AuditEvent.objects.filter(action="mfa.recovery_code_use").count() == 1
    assert AuditEvent.objects.filter(action="mfa.verify", outcome="failure").count() == 1


def test_enrol_a_passkey_and_sign_in_with_it(origin, user_factory, new_context, screenshot):
    user = user_factory(email="mfa.passkey@example.com", first_name="Grace", last_name="Hopper")
    context = new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    sign_in_password(page, origin, user.email)
    page.get_by_role("heading", name="Your applications").wait_for()
    page.goto(f"{origin}/userconsole/account/")
    page.get_by_role("link", name="Add an authenticator app or passkey").click()
    page.get_by_role("button", name="Add a passkey or security key").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    page.get_by_role("link", name="I have saved them, continue").click()
    page.get_by_role("heading", name="Two-factor authentication").wait_for()
    assert page.get_by_text("Passkey or security key").count() >= 1
    screenshot(page, "mfa-4-passkey-listed")
    sign_out(page)

    sign_in_password(page, origin, user.email)
    page.wait_for_url(re.compile(r"/userconsole/mfa/verify/"))
    page.get_by_role("button", name="Use a passkey or security key").click()
    page.get_by_role("heading", name="Your applications").wait_for()
    credential = WebAuthnCredential.objects.get(user=user)
    assert credential.last_used_at is not None and credential.sign_count >= 0
    assert AuditEvent.objects.filter(action="mfa.factor_add", details__kind="webauthn").exists()


@pytest.fixture
def mfa_app(origin, test_sp, user_factory, group_factory):
    """A SAML app requiring MFA, pointed at the test SP, authorised for "Payroll"."""
    catalog_load()
    application = app_services.application_create(
        connector=ConnectorTemplate.objects.get(slug="gotoassist"), display_label="Payroll"
    )
    saml_configs.saml_config_update(
        application=application,
        changes=saml_configs.SamlConfigInput(
            domain="acme",
            sp_entity_id=test_sp.entity_id,
            allow_http_sp_urls=True,  # the test SP listens on http://127.0.0.1
            sp_certificate=test_sp.certificate_pem,
            mfa_required=True,
        ),
        acs_urls=[AcsUrlInput(url=test_sp.acs_url, is_default=True)],
        attributes=[AttributeInput(name="email", source="email")],
    )
    app_services.application_sso_activate(application=application)
    member = user_factory(email="mfa.tile@example.com", first_name="Katherine")
    payroll = group_factory(name="Payroll", members=[member])
    app_services.application_groups_set(application=application, groups=[payroll])
    test_sp.configure(f"{origin}/saml2/{application.idp_suffix}/metadata")
    return application


def test_a_tile_of_an_app_requiring_mfa_steps_the_user_up_first(
    origin, mfa_app, test_sp, new_context, screenshot
):
    page = new_context().new_page()
    # A password is enough for the console: no policy covers this user.
    sign_in_password(page, origin, "mfa.tile@example.com")
    page.get_by_role("button", name="Payroll").click()
    # No factor yet: the step-up takes the user to enrolment first.
    page.get_by_role("heading", name="Set up two-factor authentication").wait_for()
    assert test_sp.last_authn_contexts == []
    screenshot(page, "mfa-5-step-up-enrol")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("6-digit code from your authenticator app").fill(rfc6238(key, time.time()))
    page.get_by_role("button", name="Confirm and add").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    page.get_by_role("link", name="I have saved them, continue").click()
    # The launch goes on to the SP, which reads the MFA class.
    page.wait_for_url(f"{test_sp.base_url}/")
    assert page.get_by_role("heading").inner_text() == "Signed in as mfa.tile@example.com"
    assert test_sp.last_authn_contexts == [AC_REFEDS_MFA]
    page.goto(f"{origin}/userconsole/")
    page.get_by_role("button", name="Sign out").click()
    # The app has no SLO URL, so the signed-out page names it as maybe still signed in.
    page.wait_for_url(re.compile(r"/userconsole/signed-out/"))

    # Password and code at sign-in: the tile goes straight to the SP.
    sign_in_password(page, origin, "mfa.tile@example.com")
    page.wait_for_url(re.compile(r"/userconsole/mfa/verify/"))
    page.get_by_label("6-digit code from your authenticator app").fill(
        rfc6238(key, time.time() + 30)
    )
    page.get_by_role("button", name="Verify").click()
    page.get_by_role("heading", name="Your applications").wait_for()
    test_sp.last_authn_contexts = []
    page.get_by_role("button", name="Payroll").click()
    page.wait_for_url(f"{test_sp.base_url}/")
    assert test_sp.last_authn_contexts == [AC_REFEDS_MFA]
    assert AuditEvent.objects.filter(action="sso.step_up").count() == 1


def test_a_tile_launch_asks_a_password_only_session_for_its_code(
    origin, mfa_app, test_sp, new_context, screenshot
):
    from console.tests.mfa_helpers import totp_enrolled

    page = new_context().new_page()
    sign_in_password(page, origin, "mfa.tile@example.com")
    page.get_by_role("heading", name="Your applications").wait_for()
    # Enrolled after this session signed in (e.g. in another browser): the session has
    # only the password, so the app asks for the code before it gets an assertion.
    device = totp_enrolled(mfa_app.authorized_groups.get().members.get(), at=time.time() - 3600)
    page.get_by_role("button", name="Payroll").click()
    page.wait_for_url(re.compile(r"/userconsole/mfa/step-up/"))
    page.get_by_text("This application asks for your second factor").wait_for()
    screenshot(page, "mfa-6-step-up")
    page.get_by_label("6-digit code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Verify").click()
    page.get_by_text("That code is not valid").wait_for()
    page.wait_for_timeout(1500)  # django-otp's backoff after a wrong code (one second)
    page.get_by_label("6-digit code from your authenticator app").fill(
        rfc6238(device.bin_key, time.time())
    )
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{test_sp.base_url}/")
    assert test_sp.last_authn_contexts == [AC_REFEDS_MFA]


def test_a_passkey_steps_up_a_tile_launch(origin, mfa_app, test_sp, new_context, screenshot):
    context = new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    sign_in_password(page, origin, "mfa.tile@example.com")
    page.get_by_role("heading", name="Your applications").wait_for()
    # A passkey added from the account page: this session itself stays password-only.
    page.goto(f"{origin}/userconsole/account/")
    page.get_by_role("link", name="Add an authenticator app or passkey").click()
    page.get_by_role("button", name="Add a passkey or security key").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    page.get_by_role("link", name="I have saved them, continue").click()
    page.goto(f"{origin}/userconsole/")
    page.get_by_role("button", name="Payroll").click()
    page.wait_for_url(re.compile(r"/userconsole/mfa/step-up/"))
    page.get_by_role("button", name="Use a passkey or security key").click()
    page.wait_for_url(f"{test_sp.base_url}/")
    assert page.get_by_role("heading").inner_text() == "Signed in as mfa.tile@example.com"
    assert test_sp.last_authn_contexts == [AC_REFEDS_MFA]
    assert WebAuthnCredential.objects.get().last_used_at is not None
