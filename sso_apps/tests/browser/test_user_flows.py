"""Seed workflow, the end user's side: console tile, SP-initiated login, deny, logout."""

import pytest

from accounts.tests.factories import DEFAULT_PASSWORD
from sso_apps.models import ConnectorTemplate
from sso_apps.services import applications as app_services
from sso_apps.services import saml_configs
from sso_apps.services.catalog import catalog_load
from sso_apps.services.saml_configs import AcsUrlInput, AttributeInput

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gotoassist(portal, test_sp, user_factory, group_factory):
    """GoToAssist from the catalog, pointed at the test SP and authorised for "Support"."""
    catalog_load()
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
            sp_certificate=test_sp.certificate_pem,
        ),
        acs_urls=[AcsUrlInput(url=test_sp.acs_url, is_default=True)],
        # "add any desired attributes": python3-saml insists on an AttributeStatement.
        attributes=[AttributeInput(name="email", source="email")],
    )
    app_services.application_sso_activate(application=application)
    member = user_factory(email="grace@example.com", first_name="Grace", last_name="Hopper")
    support = group_factory(name="Support", members=[member])
    app_services.application_groups_set(application=application, groups=[support])
    test_sp.configure(f"{portal}/saml2/{application.idp_suffix}/metadata")
    return application


def console_sign_in(page, portal, email):
    page.goto(f"{portal}/userconsole/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_user_launches_the_tile_and_lands_signed_in_at_the_sp(
    gotoassist, portal, test_sp, new_context, screenshot
):
    page = new_context().new_page()
    console_sign_in(page, portal, "grace@example.com")
    tile = page.get_by_role("button", name="GoToAssist")
    tile.wait_for()
    screenshot(page, "2-console-tiles")
    page.set_viewport_size({"width": 390, "height": 844})
    assert tile.bounding_box()["width"] <= 390
    screenshot(page, "2-console-tiles-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.keyboard.press("Tab")
    tile.focus()
    assert page.evaluate("document.activeElement.classList.contains('tile')")
    tile.click()
    page.wait_for_load_state()
    assert not test_sp.last_error
    page.wait_for_url(f"{test_sp.base_url}/")
    assert page.get_by_role("heading").inner_text() == "Signed in as grace@example.com"
    screenshot(page, "2-idp-initiated-at-sp")


def test_sp_initiated_login_asks_for_credentials_and_returns_to_the_sp(
    gotoassist, portal, test_sp, new_context, screenshot
):
    page = new_context().new_page()
    page.goto(test_sp.base_url)
    page.get_by_role("link", name="Sign in with Tessera").click()
    page.wait_for_url(f"{portal}/userconsole/login/**")
    screenshot(page, "3-sp-initiated-console-sign-in")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{test_sp.base_url}/")
    assert page.get_by_role("heading").inner_text() == "Signed in as grace@example.com"
    screenshot(page, "3-sp-initiated-at-sp")


def test_user_outside_the_group_sees_no_tile_and_is_refused(
    gotoassist, portal, test_sp, new_context, user_factory, screenshot
):
    user_factory(email="outsider@example.com")
    page = new_context().new_page()
    console_sign_in(page, portal, "outsider@example.com")
    assert page.get_by_text("Ask your administrator").is_visible()
    assert page.get_by_role("button", name="GoToAssist").count() == 0
    screenshot(page, "4-console-empty")
    page.goto(test_sp.base_url)
    page.get_by_role("link", name="Sign in with Tessera").click()
    page.wait_for_url(f"{portal}/saml2/**")
    assert page.get_by_role("heading", name="Access denied").is_visible()
    assert page.get_by_text("You do not have access to GoToAssist").is_visible()
    screenshot(page, "4-implicit-deny")


def test_signing_out_at_the_sp_ends_the_console_session(
    gotoassist, portal, test_sp, new_context, screenshot
):
    page = new_context().new_page()
    console_sign_in(page, portal, "grace@example.com")
    page.get_by_role("button", name="GoToAssist").click()
    page.wait_for_url(f"{test_sp.base_url}/")
    page.get_by_role("link", name="Sign out").click()
    page.wait_for_url(f"{test_sp.base_url}/slo")
    assert page.get_by_role("heading").inner_text() == "Signed out"
    screenshot(page, "7-slo-at-sp")
    page.goto(f"{portal}/userconsole/")
    page.wait_for_url(f"{portal}/userconsole/login/**")
    assert page.get_by_role("button", name="Sign in").is_visible()
    screenshot(page, "7-console-signed-out")
