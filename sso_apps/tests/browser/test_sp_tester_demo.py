"""The one-command start's promise: a demo user clicks the tester's tile and sees SSO work."""

import shutil

import pytest

from accounts.demo import demo_directory_seed
from accounts.models import UserGroup
from sso_apps.demo import demo_saml_tester_seed
from sso_apps.services.catalog import CATALOG_DIR, catalog_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-password"


@pytest.fixture
def seeded(portal, settings, tmp_path):
    """The demo data seed_demo creates, with the tester on at the live server's address."""
    settings.SP_TESTER_ENABLED = True
    settings.SP_TESTER_KEY_FILE = str(tmp_path / "sp-tester.pem")
    # The shipped custom-saml.yaml, as scripts/start loads it (its nulls once broke this).
    shutil.copy(CATALOG_DIR / "custom-saml.yaml", tmp_path / "custom-saml.yaml")
    catalog_load(directory=tmp_path)
    demo_directory_seed(password=PASSWORD)
    return demo_saml_tester_seed(groups=[UserGroup.objects.get(name="Engineering")])


def test_demo_user_clicks_the_tester_tile_and_sees_a_validated_assertion(
    seeded, portal, new_context, screenshot
):
    page = new_context().new_page()
    page.goto(f"{portal}/userconsole/login/")
    page.get_by_label("Email").fill("ada.lovelace@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Tessera SAML Tester").click()
    page.wait_for_url(f"{portal}/sp-tester/acs")
    outcome = page.get_by_test_id("sp-tester-outcome")
    assert outcome.inner_text().startswith("Valid: python3-saml accepted this Response")
    assert page.get_by_test_id("sp-tester-nameid").inner_text() == "ada.lovelace@example.com"
    assert page.get_by_role("cell", name="memberOf").is_visible()
    screenshot(page, "sp-tester-validated-assertion")
