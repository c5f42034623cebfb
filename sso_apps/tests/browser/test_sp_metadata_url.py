"""SP metadata URL on the SSO tab, clicked through in real Chromium against a local HTTPS SP."""

import pytest

from sso_apps.models import SamlConfig
from sso_apps.services.catalog import catalog_load
from sso_apps.tests.browser.test_admin_flows import admin_page  # noqa: F401 - fixture
from sso_apps.tests.factories import ApplicationFactory
from sso_apps.tests.metadata_server import Route
from sso_apps.tests.sp_metadata_documents import (
    ACS_MAIN,
    ACS_OTHER,
    ENTITY,
    metadata_xml,
    sp_certificates,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_sets_a_metadata_url_refreshes_it_and_sees_a_failure_warning(
    admin_page,  # noqa: F811 - the fixture imported above
    portal,
    metadata_https_server,
    settings,
    screenshot,
):
    settings.SSO_APPS_METADATA_CA_FILE = metadata_https_server.ca_file
    settings.SSO_APPS_METADATA_ALLOW_PRIVATE_ADDRESSES = True  # it listens on 127.0.0.1
    settings.SSO_APPS_METADATA_TIMEOUT_SECONDS = 1
    metadata_https_server.routes["/metadata"] = Route(body=metadata_xml())
    catalog_load()
    application = ApplicationFactory(display_label="Wiki")
    page = admin_page
    page.goto(f"{portal}/admin/sso_apps/application/{application.pk}/sso/")

    page.get_by_text("Import SP metadata").click()
    page.get_by_label("SP metadata URL").fill(metadata_https_server.url("/metadata"))
    page.get_by_role("button", name="Save and fetch").click()
    page.get_by_text("SP metadata fetched from").wait_for()
    screenshot(page, "spmeta-1-fetched")
    assert page.locator("input[name='acs-0-url']").input_value() == ACS_MAIN
    assert page.locator("input[name='acs-0-index']").input_value() == "1"
    assert page.locator("input[name='acs-1-url']").input_value() == ACS_OTHER
    assert page.locator("input[name='acs-1-index']").input_value() == "4"
    assert SamlConfig.objects.get(pk=application.pk).sp_entity_id == ENTITY

    # The SP rotates its certificate; the admin does not wait for the daily run.
    metadata_https_server.routes["/metadata"] = Route(
        body=metadata_xml(certificate_pem=sp_certificates()[1])
    )
    page.get_by_text("Import SP metadata").click()
    page.get_by_role("button", name="Refresh metadata now").click()
    page.get_by_text("SP metadata refreshed; changed: SP certificate.").wait_for()

    # The SP's server breaks: the tab warns and the last good values stay.
    metadata_https_server.routes["/metadata"] = Route(status=503)
    page.get_by_text("Import SP metadata").click()
    page.get_by_role("button", name="Refresh metadata now").click()
    page.get_by_text("could not be refreshed; the last good values stay").wait_for()
    page.locator("#metadata-url-warning").wait_for()
    assert "HTTP 503" in page.locator("#metadata-url-warning").inner_text()
    screenshot(page, "spmeta-2-failure-warning")
    assert page.locator("input[name='acs-0-url']").input_value() == ACS_MAIN
