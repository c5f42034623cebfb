"""The seed's add-configure-authorise flow in real Chromium, by keyboard alone (issue 16).

Only Tab, Shift+Tab, Enter, Space and typing: no clicks, no arrow keys, no URL typed after
the sign-in page. The Tab presses are counted and printed (pytest -s shows them); the
audit found about 330 for this flow.
"""

import pytest

from accounts.tests.factories import DEFAULT_PASSWORD
from sso_apps.models import Application
from sso_apps.services.catalog import catalog_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A generous cap per step: more than this many Tabs means the target is unreachable.
MAX_TABS_PER_STEP = 150


class Keyboard:
    """Presses keys on a page and counts the Tabs (and Shift+Tabs) pressed."""

    def __init__(self, page):
        self.page = page
        self.tabs = 0
        self.steps: list[tuple[str, int]] = []

    def focused(self, script: str) -> bool:
        return self.page.evaluate(
            f"(() => {{ const el = document.activeElement; return !!el && ({script}); }})()"
        )

    def tab_to(self, script: str, *, shift: bool = False, what: str = "") -> None:
        """Press Tab (or Shift+Tab) until the focused element matches the JS condition."""
        start = self.tabs
        for _ in range(MAX_TABS_PER_STEP):
            self.page.keyboard.press("Shift+Tab" if shift else "Tab")
            self.tabs += 1
            if self.focused(script):
                self.steps.append((what or script, self.tabs - start))
                return
        raise AssertionError(f"{what or script} not reached in {MAX_TABS_PER_STEP} Tabs")

    def tab_to_name(self, text: str, *, tag: str = "", shift: bool = False) -> None:
        condition = f"(el.innerText || el.value || '').trim() === {text!r}"
        if tag:
            condition += f" && el.tagName === {tag.upper()!r}"
        self.tab_to(condition, shift=shift, what=text)

    def tab_to_id(self, element_id: str, *, shift: bool = False) -> None:
        self.tab_to(f"el.id === {element_id!r}", shift=shift, what=element_id)

    def skip_to_content(self) -> None:
        """Use the admin's "Skip to main content" link, the first Tab stop of every page."""
        self.tab_to_name("Skip to main content", tag="a")
        self.press("Enter")

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)


def test_admin_adds_configures_and_authorises_gotoassist_by_keyboard_alone(
    portal, new_context, admin_factory, group_factory, user_factory, screenshot
):
    catalog_load()
    admin_factory("administrator", email="it.admin@example.com")
    group_factory(name="Support", members=[user_factory(email="grace@example.com")])
    page = new_context(viewport={"width": 1366, "height": 900}).new_page()
    keys = Keyboard(page)

    page.goto(f"{portal}/admin/login/?next=/admin/")
    keys.tab_to_id("id_username")
    keys.type("it.admin@example.com")
    keys.tab_to_id("id_password")
    keys.type(DEFAULT_PASSWORD)
    keys.press("Enter")
    page.get_by_role("heading", name="Dashboard").wait_for()
    signed_in_at = keys.tabs

    # USER AUTHENTICATION > SSO Applications, + Add New Application.
    keys.tab_to_name("SSO applications", tag="a")
    keys.press("Enter")
    page.wait_for_url("**/admin/sso_apps/application/")
    keys.skip_to_content()
    keys.tab_to_name("+ Add New Application", tag="a")
    keys.press("Enter")
    page.wait_for_url("**/application/add/**")

    # Type the name in the Search field and select it, then Next.
    keys.skip_to_content()
    keys.tab_to("el.name === 'q' && !!el.closest('[data-catalog-search]')", what="Search")
    keys.type("GoToAssist")
    keys.press("Enter")
    page.get_by_text("matching “GoToAssist”").wait_for()
    keys.skip_to_content()
    keys.tab_to("el.name === 'connector' && el.value === 'gotoassist'", what="GoToAssist card")
    keys.press("Space")
    keys.tab_to_name("Next", tag="button")
    keys.press("Enter")

    # Display Label, Save Application, then Configure Application.
    page.get_by_label("Display Label").wait_for()
    keys.skip_to_content()
    keys.tab_to("el.name === 'display_label'", what="Display Label")
    keys.type("GoToAssist Support")
    keys.tab_to(
        "el.value === 'Save Application' || el.innerText === 'Save Application'",
        what="Save Application",
    )
    keys.press("Enter")
    page.get_by_role("link", name="Configure Application").or_(
        page.get_by_role("button", name="Configure Application")
    ).wait_for()
    keys.skip_to_content()
    keys.tab_to_name("Configure Application")
    keys.press("Enter")

    # SSO tab: Domain, one attribute, Save.
    page.get_by_role("heading", name="Identity provider details").wait_for()
    sso_tab_from = keys.tabs
    keys.skip_to_content()
    keys.tab_to_id("id_domain")
    keys.type("acme")
    keys.tab_to(
        "el.name && el.name.startsWith('attr-') && el.name.endsWith('-name')", what="attribute name"
    )
    keys.type("email")
    keys.tab_to("el.type === 'submit' && el.value === 'Save'", shift=True, what="Save")
    keys.press("Enter")
    page.get_by_text("SSO settings saved for GoToAssist Support.").wait_for()
    sso_tab_tabs = keys.tabs - sso_tab_from
    keys.skip_to_content()
    application = Application.objects.get(display_label="GoToAssist Support")
    assert application.saml.domain == "acme"
    assert list(application.saml.attributes.values_list("name", "source")) == [("email", "email")]

    # IDP Certificate Valid ▾ > Download certificate, Escape closes the menu.
    keys.tab_to("el.tagName === 'SUMMARY' && el.closest('[data-menu]')", what="certificate menu")
    keys.press("Enter")
    keys.tab_to_name("Download certificate", tag="a")
    with page.expect_download() as download:
        keys.press("Enter")
    assert download.value.suggested_filename == "certificate.pem"

    # User Groups tab: tick Support, Save.
    keys.tab_to_name("User Groups", tag="a", shift=True)
    keys.press("Enter")
    page.wait_for_url("**/groups/")
    keys.skip_to_content()
    keys.tab_to("el.type === 'checkbox' && el.name === 'checked'", what="Support's check box")
    keys.press("Space")
    keys.tab_to("el.type === 'submit' && el.value === 'Save'", what="Save")
    keys.press("Enter")
    page.get_by_text("User Groups saved").wait_for()
    keys.skip_to_content()
    assert list(application.authorized_groups.values_list("name", flat=True)) == ["Support"]

    # Back on the SSO tab: SSO is active (a complete configuration goes live on save);
    # if it were not, Activate SSO in the bar would be the next key press.
    keys.tab_to_name("SSO", tag="a")
    keys.press("Enter")
    page.get_by_role("heading", name="Identity provider details").wait_for()
    application.refresh_from_db()
    if not application.sso_active:
        keys.skip_to_content()
        keys.tab_to_name("Activate SSO", tag="button")
        keys.press("Enter")
        page.get_by_text("SSO activated").wait_for()
        application.refresh_from_db()
    assert application.sso_active
    screenshot(page, "keyboard-flow-done")
    print("\n".join(f"{count:4d}  {what}" for what, count in keys.steps))
    print(
        f"\nKeyboard-only seed flow: {keys.tabs} Tab presses in all "
        f"({signed_in_at} to sign in, {sso_tab_tabs} on the SSO tab)"
    )
