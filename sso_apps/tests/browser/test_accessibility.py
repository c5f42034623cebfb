"""WCAG 2.2 AA (axe-core) on every page of the seed workflow, light and dark, 390 and 1366 px.

Each test walks one area in one Look (colour scheme × width) in one browser context, signed
in once, and reports every page's critical/serious violations together, so one run shows all
that is wrong rather than the first page that fails. At phone width each page must also fit
the viewport (no sideways scroll). A new page in the workflow gets a `report.check` here.

Ownership (issue 16): the SSO tab's own template, CSS and JS belong to the "ssotab" work;
`test_sso_tab_is_accessible` is its case, kept separate so a failure there is plainly its.
"""

import base64
import re
import time

import pytest

from accounts.tests.factories import DEFAULT_PASSWORD
from accounts.tests.mfa.helpers import rfc6238
from sso_apps.models import ConnectorTemplate
from sso_apps.services import applications as app_services
from sso_apps.services import saml_configs
from sso_apps.services.catalog import catalog_load
from sso_apps.services.saml_configs import AcsUrlInput, AttributeInput
from sso_apps.tests.browser.axe import LOOKS, PHONE_WIDTH, AxeReport, Look, look_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

looks = pytest.mark.parametrize("look", LOOKS, ids=[look.id for look in LOOKS])


@pytest.fixture
def seed(portal, test_sp, user_factory, group_factory, admin_factory):
    """GoToAssist configured for the test SP and authorised for "Support", as the seed ends."""
    catalog_load()
    admin_factory("administrator", email="it.admin@example.com")
    admin_factory("read_only", email="reader@example.com")
    application = app_services.application_create(
        connector=ConnectorTemplate.objects.get(slug="gotoassist"),
        display_label="GoToAssist",
        description="Remote support",
    )
    saml_configs.saml_config_update(
        application=application,
        changes=saml_configs.SamlConfigInput(
            domain="acme",
            sp_entity_id=test_sp.entity_id,
            allow_http_sp_urls=True,  # the test SP listens on http://127.0.0.1
            sp_logout_url=test_sp.slo_url,
            sp_logout_binding="post",
        ),
        acs_urls=[AcsUrlInput(url=test_sp.acs_url, is_default=True)],
        attributes=[AttributeInput(name="email", source="email")],
    )
    app_services.application_sso_activate(application=application)
    grace = user_factory(email="grace@example.com", first_name="Grace", last_name="Hopper")
    support = group_factory(name="Support", members=[grace])
    app_services.application_groups_set(application=application, groups=[support])
    user_factory(email="outsider@example.com", first_name="Out", last_name="Sider")
    return {"application": application, "group": support, "user": grace}


def admin_sign_in(page, portal, email, report=None, where="admin sign-in"):
    page.goto(f"{portal}/admin/login/?next=/admin/")
    if report:
        report.check(page, where, phone=page.viewport_size["width"] == PHONE_WIDTH)
        # A screen-reader user jumping by heading lands on the page's one <h1>.
        assert page.get_by_role("heading", level=1).all_inner_texts() == ["Log in"]
    page.fill("#id_username", email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{portal}/admin/")


def console_sign_in(page, origin, email):
    page.goto(f"{origin}/userconsole/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


class Walk:
    """Visit pages in one context and check each with axe (and for overflow on a phone)."""

    def __init__(self, page, base: str, look: Look):
        self.page = page
        self.base = base
        self.look = look
        self.report = AxeReport()

    @property
    def phone(self) -> bool:
        return self.look.width == PHONE_WIDTH

    def check(self, where: str):
        self.report.check(self.page, f"{where} [{self.look.id}]", phone=self.phone)

    def visit(self, path: str, where: str):
        self.page.goto(f"{self.base}{path}")
        self.check(where)


@looks
def test_admin_pages_are_accessible(look, seed, portal, new_context):
    application, group, user = seed["application"], seed["group"], seed["user"]
    page = look_context(new_context, look).new_page()
    walk = Walk(page, portal, look)
    admin_sign_in(page, portal, "it.admin@example.com", walk.report, f"admin sign-in [{look.id}]")
    walk.check("admin index")
    walk.visit("/admin/sso_apps/application/", "SSO Applications list")
    walk.visit("/admin/sso_apps/application/add/", "Add New Application catalog")
    # The seed's steps 4-8: pick a connector, Next, the General Info form, Save Application.
    page.locator("[data-connector='gotoassist']").click()
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_label("Display Label").wait_for()
    walk.check("new application form (General Info)")
    page.get_by_label("Display Label").fill("GoToAssist Sales")
    page.get_by_role("button", name="Save Application").click()
    page.get_by_role("link", name="Configure Application").wait_for()
    walk.check("application saved (Configure Application / Close)")

    app = f"/admin/sso_apps/application/{application.pk}"
    walk.visit(f"{app}/change/", "application General tab")
    walk.visit(f"{app}/groups/", "application User Groups tab")
    walk.visit(f"{app}/sso/deactivate/", "deactivate SSO confirmation")
    walk.visit(f"{app}/delete/", "delete confirmation")
    walk.visit("/admin/accounts/usergroup/", "user groups list")
    walk.visit(f"/admin/accounts/usergroup/{group.pk}/change/", "user group page")
    walk.visit(f"/admin/accounts/usergroup/{group.pk}/applications/", "user group Applications tab")
    walk.visit("/admin/accounts/user/", "users list")
    walk.visit(f"/admin/accounts/user/{user.pk}/change/", "user page")
    walk.visit("/admin/sso_apps/notification/", "notifications list")
    walk.visit("/admin/sso_apps/auditevent/", "audit events list")
    walk.visit("/admin/sso_apps/connectortemplate/", "connector catalog list")

    # A Read Only admin's 403, in its own context (same test: one seed per Look).
    reader = look_context(new_context, look).new_page()
    admin_sign_in(reader, portal, "reader@example.com")
    response = reader.goto(f"{portal}/admin/sso_apps/application/add/")
    assert response.status == 403
    walk.report.check(reader, f"Read Only admin's 403 page [{look.id}]", phone=walk.phone)
    walk.report.assert_clean()


@looks
def test_sso_tab_is_accessible(look, seed, portal, new_context):
    """Owned by "ssotab" (issue 16): the SSO tab's template, CSS and JS are its work."""
    page = look_context(new_context, look).new_page()
    walk = Walk(page, portal, look)
    admin_sign_in(page, portal, "it.admin@example.com")
    walk.visit(f"/admin/sso_apps/application/{seed['application'].pk}/sso/", "SSO tab")
    walk.report.assert_clean()


@looks
def test_console_pages_are_accessible(look, seed, portal, new_context):
    suffix = seed["application"].idp_suffix
    page = look_context(new_context, look).new_page()
    walk = Walk(page, portal, look)
    walk.visit("/userconsole/login/", "console sign-in")
    console_sign_in(page, portal, "grace@example.com")
    page.get_by_role("heading", name="Your applications").wait_for()
    walk.check("console home with tiles")
    walk.visit("/userconsole/account/", "account page")
    # Nothing grabs focus on arrival (it was "Old password", mid-page).
    assert page.evaluate("() => document.activeElement === document.body")
    walk.visit(f"/saml2/{suffix}/init", "SAML launch (Continue to GoToAssist)")
    # An AuthnRequest that is not one: the SAML error page, with its 4xx status.
    response = page.goto(f"{portal}/saml2/{suffix}?SAMLRequest=not-a-request")
    assert 400 <= response.status < 500
    walk.check("SAML error page")
    walk.visit("/userconsole/login/again/", "re-authentication (password again)")
    walk.visit("/userconsole/logout/", "sign-out confirmation")
    page.goto(f"{portal}/userconsole/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/userconsole/(signed-out|login)/"))
    walk.visit("/userconsole/signed-out/", "signed-out page")

    # A user no authorised group includes: the implicit-deny 403.
    console_sign_in(page, portal, "outsider@example.com")
    page.get_by_role("heading", name="Your applications").wait_for()
    response = page.goto(f"{portal}/saml2/{suffix}/init")
    assert response.status == 403
    walk.check("403 page (not authorised for the app)")
    walk.report.assert_clean()


@looks
def test_mfa_pages_are_accessible(look, portal, user_factory, group_factory, new_context):
    # An IP address cannot be a WebAuthn RP ID, and the setup page offers passkeys.
    origin = portal.replace("127.0.0.1", "localhost")
    user = user_factory(email="mfa.app@example.com", first_name="Ada", last_name="Byron")
    group_factory(name="Finance", members=[user], mfa_required=True)
    page = look_context(new_context, look).new_page()
    walk = Walk(page, origin, look)
    console_sign_in(page, origin, user.email)
    page.wait_for_url(re.compile(r"/userconsole/mfa/setup/"))
    walk.check("MFA enrolment (set up two-factor)")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Name for this app").fill("Work phone")
    page.get_by_label("6-digit code from your authenticator app").fill(rfc6238(key, time.time()))
    page.get_by_role("button", name="Confirm and add").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    walk.check("MFA recovery codes")
    page.get_by_role("link", name="I have saved them, continue").click()
    page.get_by_role("heading", name="Your applications").wait_for()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/userconsole/(signed-out|login)/"))
    console_sign_in(page, origin, user.email)
    page.wait_for_url(re.compile(r"/userconsole/mfa/verify/"))
    walk.check("MFA verify at sign-in")
    walk.report.assert_clean()


THEME_TOGGLES = [
    # (what the system says, what the admin toggle says, the --link-fg that must result)
    Look("light", 1366, admin_theme="dark"),
    Look("dark", 1366, admin_theme="light"),
]


@pytest.mark.parametrize("look", THEME_TOGGLES, ids=[look.id for look in THEME_TOGGLES])
def test_admin_theme_toggle_overrides_the_system_scheme_with_our_brand_colours(
    look, seed, portal, new_context
):
    """Django admin's toggle (localStorage "theme") beats prefers-color-scheme, brand included."""
    page = look_context(new_context, look).new_page()
    walk = Walk(page, portal, look)
    admin_sign_in(page, portal, "it.admin@example.com")
    assert page.evaluate("() => document.documentElement.dataset.theme") == look.admin_theme
    link = page.evaluate(
        "() => getComputedStyle(document.documentElement).getPropertyValue('--link-fg').trim()"
    )
    assert link == {"dark": "#9db5ff", "light": "#2451d6"}[look.admin_theme]
    walk.check("admin index")
    walk.visit("/admin/sso_apps/application/", "SSO Applications list")
    walk.report.assert_clean()
