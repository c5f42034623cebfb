"""Chromium signs in to two SPs through Tessera, then the console's Sign out ends both."""

import shutil

import pytest

from accounts.demo import demo_directory_seed
from accounts.models import UserGroup
from sso_apps.demo import demo_saml_tester_seed
from sso_apps.models import ConnectorTemplate, LogoutChainStep, SpSession
from sso_apps.services import applications as app_services
from sso_apps.services import saml_configs
from sso_apps.services.catalog import CATALOG_DIR, catalog_load
from sso_apps.services.saml_configs import AcsUrlInput, AttributeInput

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-password"


@pytest.fixture
def two_apps(portal, settings, tmp_path, test_sp):
    """The built-in tester (Redirect SLO) and the test SP on its own port (POST SLO)."""
    settings.SP_TESTER_ENABLED = True
    settings.SP_TESTER_KEY_FILE = str(tmp_path / "sp-tester.pem")
    shutil.copy(CATALOG_DIR / "custom-saml.yaml", tmp_path / "custom-saml.yaml")
    catalog_load(directory=tmp_path)
    demo_directory_seed(password=PASSWORD)
    engineering = UserGroup.objects.get(name="Engineering")
    tester = demo_saml_tester_seed(groups=[engineering])
    assert tester.saml.sp_logout_url.endswith("/sp-tester/sls")
    other = app_services.application_create(
        connector=ConnectorTemplate.objects.get(slug="custom-saml"), display_label="Test SP"
    )
    saml_configs.saml_config_update(
        application=other,
        changes=saml_configs.SamlConfigInput(
            sp_entity_id=test_sp.entity_id,
            sp_logout_url=test_sp.slo_url,
            sp_logout_binding="post",
            sp_certificate=test_sp.certificate_pem,
            allow_http_sp_urls=True,
        ),
        acs_urls=[AcsUrlInput(url=test_sp.acs_url, is_default=True)],
        # python3-saml insists on an AttributeStatement.
        attributes=[AttributeInput(name="email", source="email")],
    )
    app_services.application_sso_activate(application=other)
    app_services.application_groups_set(application=other, groups=[engineering])
    other.refresh_from_db()
    test_sp.configure(f"{portal}/saml2/{other.idp_suffix}/metadata")
    return tester, other


def test_console_sign_out_ends_the_sessions_at_both_sps(
    two_apps, portal, test_sp, new_context, screenshot
):
    tester, other = two_apps
    page = new_context().new_page()
    page.goto(f"{portal}/userconsole/login/")
    page.get_by_label("Email").fill("ada.lovelace@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Tessera SAML Tester").click()
    page.wait_for_url(f"{portal}/sp-tester/acs")
    assert page.get_by_test_id("sp-tester-outcome").inner_text().startswith("Valid")
    page.goto(test_sp.base_url)
    page.click("#sp-login")
    page.wait_for_url(f"{test_sp.base_url}/**")
    assert not test_sp.last_error, test_sp.last_error
    assert "Signed in as ada.lovelace@example.com" in page.content(), test_sp.last_error
    assert SpSession.objects.count() == 2

    page.goto(f"{portal}/userconsole/")
    page.get_by_role("navigation", name="Account").get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{portal}/userconsole/signed-out/")

    screenshot(page, "logout-everywhere-signed-out")
    assert page.get_by_role("heading", name="Signed out").is_visible()
    assert page.locator("#still-signed-in").count() == 0, page.content()
    statuses = dict(LogoutChainStep.objects.values_list("application__display_label", "status"))
    assert statuses == {"Tessera SAML Tester": "succeeded", "Test SP": "succeeded"}
    # Each SP's own library accepted our LogoutRequest and ended its session.
    assert test_sp.logout_requests == ["ada.lovelace@example.com"], test_sp.last_error
    assert test_sp.sessions == {}
    page.goto(test_sp.base_url)
    assert page.locator("#sp-login").is_visible()
    page.goto(f"{portal}/userconsole/")
    page.wait_for_url(f"{portal}/userconsole/login/?next=/userconsole/")
