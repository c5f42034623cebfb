"""SSO tab → Preview assertion, clicked through in real Chromium (CSP violations fail it)."""

import pytest

from sso_apps.tests.admin.helpers import app_url
from sso_apps.tests.browser.test_admin_flows import admin_page  # noqa: F401 (fixture)
from sso_apps.tests.idp.conftest import (  # noqa: F401 (fixtures)
    _fresh_runtimes,
    saml_app_factory,
    saml_connector,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_preview_assertion_opens_from_the_sso_tab_and_shows_the_nameid(
    admin_page,  # noqa: F811
    portal,
    saml_app_factory,  # noqa: F811
    screenshot,
):
    application = saml_app_factory(label="Preview SP")
    page = admin_page
    page.goto(portal + app_url("sso", application))

    page.get_by_role("link", name="Preview assertion").click()
    page.get_by_role("heading", name="Preview assertion").wait_for()
    page.get_by_role("searchbox", name="User").fill("ada@example.com")
    page.get_by_role("button", name="Preview", exact=True).click()

    page.locator("#preview-nameid").wait_for()
    assert page.locator("#preview-nameid").inner_text() == "ada@example.com"
    assert "Would sign in" in page.locator("#preview-outcome").inner_text()
    assert "FirstName" in page.locator("#preview-attributes").inner_text()
    # The conventional prefixes the response builder writes are kept: they are signed.
    xml = page.locator("#preview-xml").inner_text()
    assert 'Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"' in xml
    assert ">ada@example.com</saml:NameID>" in xml
    screenshot(page, "5-assertion-preview")
