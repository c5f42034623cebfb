"""The SSO tab in real Chromium: layout at phone and desktop widths, keyboard, live regions."""

import pytest

from accounts.tests.factories import DEFAULT_PASSWORD
from sso_apps.models import ConnectorTemplate
from sso_apps.services import applications as app_services
from sso_apps.services import saml_configs
from sso_apps.services.catalog import catalog_load
from sso_apps.services.saml_configs import AcsUrlInput, AttributeInput
from sso_apps.tests.browser.axe import (
    DESKTOP_WIDTH,
    LOOKS,
    PHONE_WIDTH,
    AxeReport,
    horizontal_overflow,
    look_context,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

looks = pytest.mark.parametrize("look", LOOKS, ids=[look.id for look in LOOKS])

FIVE_ATTRIBUTES = [
    AttributeInput(name="email", source="email"),
    AttributeInput(name="firstName", source="first_name"),
    AttributeInput(name="lastName", source="last_name"),
    AttributeInput(name="username", source="username"),
    AttributeInput(name="plan", source="constant", value="enterprise"),
]


@pytest.fixture
def slack(portal, admin_factory):
    """Slack with its Domain filled and five attributes: the tab at its fullest."""
    catalog_load()
    admin_factory("administrator", email="it.admin@example.com")
    application = app_services.application_create(
        connector=ConnectorTemplate.objects.get(slug="slack"), display_label="Slack"
    )
    saml_configs.saml_config_update(
        application=application,
        changes=saml_configs.SamlConfigInput(domain="acme"),
        attributes=FIVE_ATTRIBUTES,
    )
    application.refresh_from_db()
    return application


def sign_in(page, portal):
    page.goto(f"{portal}/admin/login/?next=/admin/")
    page.fill("#id_username", "it.admin@example.com")
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{portal}/admin/")


def sso_tab(page, portal, application):
    page.goto(f"{portal}/admin/sso_apps/application/{application.pk}/sso/")
    page.get_by_role("heading", name="Identity provider details").wait_for()


@looks
def test_sso_tab_has_no_axe_violations_and_no_sideways_scroll(
    look, slack, portal, new_context, screenshot
):
    page = look_context(new_context, look).new_page()
    sign_in(page, portal)
    report = AxeReport()
    phone = look.width == PHONE_WIDTH

    sso_tab(page, portal, slack)
    screenshot(page, f"sso-tab-{look.id}")
    report.check(page, f"SSO tab, 5 attribute rows [{look.id}]", phone=phone)
    page.locator("#signing > summary").click()
    report.check(page, f"SSO tab, Signing and encryption open [{look.id}]", phone=phone)

    page.get_by_role("textbox", name="Domain").fill("https://acme.slack.com")
    page.get_by_role("button", name="Save").click()
    page.locator("#error-summary").wait_for()
    screenshot(page, f"sso-tab-failed-save-{look.id}")
    report.check(page, f"SSO tab after a failed save [{look.id}]", phone=phone)
    report.assert_clean()


@pytest.mark.parametrize("width", [PHONE_WIDTH, DESKTOP_WIDTH])
def test_idp_values_show_whole_and_the_key_table_scrolls_in_its_own_box(
    width, slack, portal, new_context
):
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    sign_in(page, portal)
    sso_tab(page, portal, slack)

    assert horizontal_overflow(page) == 0
    for value_id in ("idp-sso-url", "idp-entity-id", "idp-slo-url", "idp-metadata-url"):
        box = page.locator(f"#{value_id}")
        # Nothing cut off: the element is as wide as its text needs (it wraps instead).
        assert box.evaluate("node => node.scrollWidth <= node.clientWidth"), value_id
    assert page.locator("#idp-sso-url").inner_text() == slack.idp_sso_url
    acs = page.locator("#id_acs-0-url")
    assert acs.evaluate("node => node.getBoundingClientRect().right <= window.innerWidth")
    table_box = page.locator("#certificate .sso-scroll")
    assert table_box.evaluate("node => node.getBoundingClientRect().right <= window.innerWidth")


def test_domain_comes_before_every_other_setting_and_rows_are_labelled(slack, portal, new_context):
    page = new_context().new_page()
    sign_in(page, portal)
    sso_tab(page, portal, slack)

    fields = page.locator("#sso-form input:not([type=hidden]), #sso-form select").evaluate_all(
        "nodes => nodes.filter(n => n.type !== 'submit').map(n => n.id)"
    )
    assert fields[0] == "id_domain"
    for row in range(5):
        for name in ("name", "source", "value", "DELETE"):
            field_id = f"id_attr-{row}-{name}"
            assert page.locator(f"label[for='{field_id}']").count() == 1, field_id
    assert page.get_by_role("textbox", name="ACS URL 1", exact=True).input_value() == (
        "https://acme.slack.com/sso/saml"
    )
    assert "Filled from the Domain: https://YOURDOMAIN.slack.com/sso/saml" in page.inner_text(
        "#acs-urls"
    )


def test_a_failed_save_focuses_a_summary_linking_to_each_field(slack, portal, new_context):
    page = new_context().new_page()
    sign_in(page, portal)
    sso_tab(page, portal, slack)
    page.get_by_role("textbox", name="Domain").fill("acme corp")
    page.get_by_label("Service Provider Attribute Name 5").fill("email")
    page.get_by_role("button", name="Save").click()

    summary = page.locator("#error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert summary.evaluate("node => node.getBoundingClientRect().top < window.innerHeight")
    links = summary.get_by_role("link")
    hrefs = links.evaluate_all("nodes => nodes.map(n => n.getAttribute('href'))")
    assert "#id_domain" in hrefs
    assert "#attributes" in hrefs  # the duplicate name is the formset's own error
    summary.get_by_role("link", name="Domain:").click()
    assert page.evaluate("document.activeElement.id") == "id_domain"


def test_keyboard_escape_closes_the_certificate_menu_and_copy_is_announced(
    slack, portal, new_context
):
    page = new_context().new_page()
    sign_in(page, portal)
    sso_tab(page, portal, slack)

    menu_button = page.locator("#certificate-status summary")
    menu_button.focus()
    page.keyboard.press("Enter")
    assert page.locator("#certificate-status details").evaluate("node => node.open")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Download certificate"
    page.keyboard.press("Escape")
    assert not page.locator("#certificate-status details").evaluate("node => node.open")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"

    page.get_by_role("button", name="Copy IdP URL").focus()
    page.keyboard.press("Space")
    page.locator("#copy-status").get_by_text("Copied IdP URL.").wait_for()
    assert page.locator("#copy-status").get_attribute("aria-live") == "polite"
    # Every action is a real button or link: no <a role="button"> that Space ignores.
    assert page.locator("#content-main a[role=button]").count() == 0


def test_leaving_with_unsaved_changes_asks_first_but_not_after_save(slack, portal, new_context):
    page = new_context().new_page()
    sign_in(page, portal)
    sso_tab(page, portal, slack)
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    page.get_by_role("textbox", name="Domain").fill("globex")
    page.get_by_role("link", name="User Groups", exact=True).click()
    assert dialogs == ["beforeunload"]
    assert page.url.endswith("/sso/")

    page.get_by_role("button", name="Save").click()
    page.get_by_text("SSO settings saved for Slack.").wait_for()
    page.get_by_role("link", name="User Groups", exact=True).click()
    page.wait_for_url("**/groups/")
    assert dialogs == ["beforeunload"]
    slack.saml.refresh_from_db()
    assert slack.saml.sp_login_url == "https://globex.slack.com"


def test_existing_live_app_shows_deactivate_in_the_bar(portal, new_context, test_sp, slack):
    saml_configs.saml_config_update(
        application=slack,
        changes=saml_configs.SamlConfigInput(
            sp_entity_id=test_sp.entity_id, allow_http_sp_urls=True
        ),
        acs_urls=[AcsUrlInput(url=test_sp.acs_url, is_default=True)],
    )
    page = new_context().new_page()
    sign_in(page, portal)
    sso_tab(page, portal, slack)
    bar = page.locator(".sso-actionbar")
    assert "SSO active" in bar.inner_text()
    bar.get_by_role("button", name="Deactivate SSO").click()
    page.get_by_role("heading", name="Deactivate SSO for Slack?").wait_for()


def test_sso_tab_has_fewer_tab_stops_with_domain_near_the_top(slack, portal, new_context):
    """The audit counted 88 Tab stops with Domain at the 47th (5 attribute rows, 1366 px)."""
    page = new_context(viewport={"width": DESKTOP_WIDTH, "height": 900}).new_page()
    sign_in(page, portal)
    sso_tab(page, portal, slack)
    stops = []
    for _ in range(200):
        page.keyboard.press("Tab")
        current = page.evaluate(
            "(() => { const el = document.activeElement; if (el === document.body) return null;"
            " return el.id || el.name || el.textContent.trim(); })()"
        )
        if current is None or (stops and current == stops[0]):
            break
        stops.append(current)

    domain_stop = stops.index("id_domain") + 1
    print(f"\nSSO tab: {len(stops)} Tab stops, Domain at stop {domain_stop}")
    assert domain_stop < 47
    assert len(stops) < 88
