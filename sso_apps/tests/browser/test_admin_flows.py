"""Seed workflow, the admin's side, clicked through the Admin Portal in real Chromium."""

import re
from pathlib import Path

import pytest
from cryptography import x509

from accounts.tests.factories import DEFAULT_PASSWORD
from sso_apps.models import Application, ConnectorTemplate
from sso_apps.services import applications as app_services
from sso_apps.services import saml_configs
from sso_apps.services.catalog import catalog_load
from sso_apps.services.saml_configs import AcsUrlInput
from sso_apps.tests.browser.test_user_flows import console_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin_page(portal, new_context, admin_factory):
    """A signed-in Administrator in the Admin Portal."""
    admin_factory("administrator", email="it.admin@example.com")
    catalog_load()
    page = new_context().new_page()
    page.goto(f"{portal}/admin/")
    page.fill("#id_username", "it.admin@example.com")
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Dashboard").wait_for()
    return page


def test_admin_adds_gotoassist_configures_it_and_authorises_a_group(
    admin_page, portal, test_sp, group_factory, user_factory, new_context, screenshot
):
    page = admin_page
    group_factory(name="Support", members=[user_factory(email="grace@example.com")])
    screenshot(page, "1-admin-dashboard")
    # USER AUTHENTICATION > SSO Applications, + Add New Application.
    page.get_by_role("link", name="SSO applications").first.click()
    page.get_by_role("link", name="+ Add New Application").click()
    page.get_by_label("Search").fill("GoToAssist")
    page.get_by_label("Search").press("Enter")
    page.locator("[data-connector='gotoassist']").click()
    screenshot(page, "1-catalog-search")
    page.get_by_role("button", name="Next").click()
    # General Info: Display Label, then Save Application.
    page.get_by_label("Display Label").fill("GoToAssist Support")
    screenshot(page, "1-general-info")
    page.get_by_role("button", name="Save Application").click()
    page.get_by_role("link", name="Configure Application").wait_for()
    assert page.get_by_role("link", name="Close").is_visible()
    screenshot(page, "1-saved")
    page.get_by_role("link", name="Configure Application").click()

    # SSO tab: replace YOURDOMAIN, point the SP fields at the test SP, add an attribute.
    page.get_by_role("textbox", name="Domain:").fill("acme")
    page.get_by_role("textbox", name="SP Entity ID:").fill(test_sp.entity_id)
    page.locator("input[name='acs-0-url']").fill(test_sp.acs_url)
    page.get_by_role("textbox", name="SP Logout URL:").fill(test_sp.slo_url)
    # The test SP listens on http://127.0.0.1, which the admin must allow explicitly.
    page.get_by_label("Allow http:// SP URLs (local testing only)").check()
    page.get_by_role("combobox", name="SP Logout binding:").select_option("post")
    page.get_by_role("button", name="+ Add attribute").click()
    page.locator("[data-attribute-row] input[name$='-name']").last.fill("email")
    page.locator("[data-attribute-row] select[name$='-source']").last.select_option("email")
    page.locator("input[type=submit][value='Save']").click()
    page.get_by_text("IdP URL").first.wait_for()
    screenshot(page, "1-sso-tab-saved")
    application = Application.objects.get(display_label="GoToAssist Support")
    config = application.saml
    assert "YOURDOMAIN" not in config.sp_entity_id + config.sp_logout_url
    assert config.acs_urls.get(is_default=True).url == test_sp.acs_url
    assert application.sso_active

    # IDP Certificate Valid > Download certificate.
    page.locator("summary.sso-menu__button").click()
    with page.expect_download() as download_info:
        page.locator(".sso-menu__items").get_by_role("link", name="Download certificate").click()
    download = download_info.value
    assert download.suggested_filename == "certificate.pem"
    certificate = x509.load_pem_x509_certificate(Path(download.path()).read_bytes())
    assert certificate.not_valid_after_utc > certificate.not_valid_before_utc

    # Copy the IdP URL and IdP Entity ID into the vendor (here: the test SP).
    idp_url = page.locator("#idp-sso-url").inner_text()
    idp_entity_id = page.locator("#idp-entity-id").inner_text()
    assert idp_url == f"{portal}/saml2/{application.idp_suffix}"
    assert idp_entity_id == config.idp_entity_id
    test_sp.configure(page.locator("#idp-metadata-url").inner_text())
    assert test_sp.settings["idp"]["singleSignOnService"]["url"] == idp_url
    assert test_sp.settings["idp"]["entityId"] == idp_entity_id

    # User Groups tab: tick the group, save.
    page.get_by_role("link", name="User Groups", exact=True).click()
    page.get_by_role("row", name=re.compile("Support")).get_by_role("checkbox").check()
    page.locator("input[type=submit][value='Save']").click()
    page.get_by_role("row", name=re.compile("Support")).get_by_role("checkbox").wait_for()
    screenshot(page, "1-user-groups")
    assert list(application.authorized_groups.values_list("name", flat=True)) == ["Support"]

    # And the configured app works for a user of that group.
    user_page = new_context().new_page()
    console_sign_in(user_page, portal, "grace@example.com")
    user_page.get_by_role("button", name="GoToAssist Support").click()
    user_page.wait_for_url(f"{test_sp.base_url}/")
    assert user_page.get_by_role("heading").inner_text() == "Signed in as grace@example.com"


@pytest.fixture
def live_app(portal, test_sp, user_factory, group_factory):
    application = app_services.application_create(
        connector=ConnectorTemplate.objects.get(slug="gotoassist"), display_label="GoToAssist"
    )
    saml_configs.saml_config_update(
        application=application,
        changes=saml_configs.SamlConfigInput(
            sp_entity_id=test_sp.entity_id,
            allow_http_sp_urls=True,  # the test SP listens on http://127.0.0.1
            sp_logout_url=test_sp.slo_url,
        ),
        acs_urls=[AcsUrlInput(url=test_sp.acs_url, is_default=True)],
    )
    member = user_factory(email="grace@example.com")
    app_services.application_groups_set(
        application=application, groups=[group_factory(name="Support", members=[member])]
    )
    test_sp.configure(f"{portal}/saml2/{application.idp_suffix}/metadata")
    application.refresh_from_db()
    assert application.sso_active
    return application


def test_deactivating_sso_removes_the_tile_and_refuses_sp_initiated_login(
    admin_page, live_app, portal, test_sp, new_context, screenshot
):
    page = admin_page
    page.goto(f"{portal}/admin/sso_apps/application/{live_app.pk}/sso/")
    page.get_by_role("button", name="Deactivate SSO").click()
    screenshot(page, "5-deactivate-confirm")
    page.get_by_role("button", name="Deactivate SSO").click()
    page.get_by_text(
        f"SSO deactivated for {live_app.display_label}. A confirmation notification was sent."
    ).wait_for()
    screenshot(page, "5-deactivated")
    live_app.refresh_from_db()
    assert not live_app.sso_active

    user = new_context().new_page()
    console_sign_in(user, portal, "grace@example.com")
    assert user.get_by_role("button", name="GoToAssist").count() == 0
    user.goto(test_sp.base_url)
    user.get_by_role("link", name="Sign in with Tessera").click()
    user.get_by_role("heading", name="Access denied").wait_for()
    screenshot(user, "5-sp-initiated-refused")


def test_bulk_delete_refuses_a_wrong_count_then_deletes_with_the_right_one(
    admin_page, portal, screenshot
):
    connector = ConnectorTemplate.objects.get(slug="bookmark")
    for label in ("Old Wiki", "Old Intranet", "Keep Me"):
        app_services.application_create(
            connector=connector, display_label=label, bookmark_url="https://intranet.example.com/"
        )
    page = admin_page
    page.goto(f"{portal}/admin/sso_apps/application/")
    screenshot(page, "6-list")
    for label in ("Old Wiki", "Old Intranet"):
        page.get_by_role("row", name=re.compile(label)).get_by_role("checkbox").check()
    page.get_by_role("button", name="Delete", exact=True).click()
    count = page.get_by_label("Enter the number of the applications you are deleting")
    count.fill("3")
    screenshot(page, "6-delete-wrong-count")
    # The button stays disabled on a wrong count; the server re-checks it anyway.
    assert page.get_by_role("button", name="Delete Application").is_disabled()
    page.evaluate("document.querySelector('[data-delete-button]').disabled = false")
    page.get_by_role("button", name="Delete Application").click()
    page.get_by_text("enter 2 to delete them").wait_for()
    assert Application.objects.count() == 3
    page.get_by_label("Enter the number of the applications you are deleting").fill("2")
    page.get_by_role("button", name="Delete Application").click()
    page.get_by_text("Deleted 2 applications. A confirmation notification was sent.").wait_for()
    screenshot(page, "6-deleted")
    assert list(Application.objects.values_list("display_label", flat=True)) == ["Keep Me"]
