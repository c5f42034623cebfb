"""Admin Portal feedback and navigation in real Chromium: the bell's dropdown, Delete from the
app's page, the live "selected in total", all checked with axe where they add a page state."""

import re

import pytest
from django.utils import timezone

from sso_apps.models import Application, Notification
from sso_apps.services import applications as app_services
from sso_apps.tests.browser.axe import LOOKS, PHONE_WIDTH, AxeReport, look_context
from sso_apps.tests.browser.test_accessibility import admin_sign_in
from sso_apps.tests.browser.test_admin_flows import admin_page  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BELL = ".notification-bell"


def notify(recipient, *titles):
    now = timezone.now()
    for title in titles:
        Notification.objects.create(
            recipient=recipient,
            kind="application.deactivated",
            title=title,
            body=f"Someone deactivated SSO for {title}.",
            channels=["in_app"],
            in_app_delivered_at=now,
            status=Notification.Status.DELIVERED,
        )


@pytest.fixture
def it_admin(admin_factory):
    return admin_factory("administrator", email="it.admin@example.com")


def test_the_bell_opens_a_dropdown_that_marks_read_and_closes_with_escape(
    portal, new_context, it_admin, screenshot
):
    notify(it_admin, "SSO deactivated: Slack", "SSO deactivated: Zoom")
    page = new_context().new_page()
    admin_sign_in(page, portal, it_admin.email)

    bell = page.get_by_role("button", name="Notifications, 2 unread")
    assert bell.get_attribute("aria-expanded") == "false"
    bell.click()
    panel = page.get_by_role("region", name="Notifications")
    panel.get_by_role("link", name="Unread: SSO deactivated: Zoom").wait_for()
    assert bell.get_attribute("aria-expanded") == "true"
    # Focus moved into the panel, on its heading.
    assert page.evaluate("document.activeElement.textContent") == "Notifications"
    screenshot(page, "notifications-dropdown")

    panel.get_by_role("button", name="Mark read: SSO deactivated: Zoom").click()
    page.get_by_role("button", name="Notifications, 1 unread").wait_for()
    assert page.locator(f"{BELL} .notification-count").inner_text() == "1"
    assert panel.get_by_role("link", name="SSO deactivated: Zoom", exact=True).is_visible()
    assert Notification.objects.filter(read_at__isnull=True).count() == 1

    panel.get_by_role("button", name="Mark all as read").click()
    page.get_by_role("button", name="Notifications, 0 unread").wait_for()
    assert page.locator(f"{BELL} .notification-count").count() == 0
    assert not Notification.objects.filter(read_at__isnull=True).exists()

    page.keyboard.press("Escape")
    assert panel.is_hidden()
    # Found by its class now: its name changed with the count.
    assert page.locator(f"button{BELL}").get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('notification-bell')")


def test_the_dropdown_works_by_keyboard_and_links_to_the_full_list(portal, new_context, it_admin):
    notify(it_admin, "SSO deactivated: Slack")
    page = new_context().new_page()
    admin_sign_in(page, portal, it_admin.email)

    page.locator(BELL).focus()
    page.keyboard.press("Enter")
    page.get_by_role("link", name="See all notifications").wait_for()
    page.keyboard.press("Tab")  # from the heading: Mark all as read
    page.keyboard.press("Tab")  # the notification
    page.keyboard.press("Tab")  # its Mark read
    page.keyboard.press("Tab")  # See all notifications
    assert page.evaluate("document.activeElement.textContent") == "See all notifications"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/admin/sso_apps/notification/$"))
    assert page.get_by_role("link", name=re.compile("SSO deactivated: Slack")).is_visible()


def test_without_javascript_the_bell_is_a_link_to_the_list(portal, new_context, it_admin):
    page = new_context(java_script_enabled=False).new_page()
    admin_sign_in(page, portal, it_admin.email)

    page.get_by_role("link", name="Notifications, 0 unread").click()

    page.wait_for_url(re.compile(r"/admin/sso_apps/notification/$"))


def test_clicking_outside_closes_the_dropdown(portal, new_context, it_admin):
    page = new_context().new_page()
    admin_sign_in(page, portal, it_admin.email)
    page.locator(BELL).click()
    panel = page.get_by_role("region", name="Notifications")
    panel.get_by_text("No notifications yet.").wait_for()

    page.locator("#content").click(position={"x": 5, "y": 5})

    assert panel.is_hidden()


@pytest.mark.parametrize("look", LOOKS, ids=[look.id for look in LOOKS])
def test_the_open_dropdown_is_accessible(look, portal, new_context, it_admin):
    notify(it_admin, "SSO deactivated: Slack", "Application deleted: Zoom")
    page = look_context(new_context, look).new_page()
    admin_sign_in(page, portal, it_admin.email)
    page.locator(BELL).click()
    page.get_by_role("link", name="See all notifications").wait_for()

    # The header and the open panel; the rest of the page is test_accessibility's walk.
    report = AxeReport()
    report.check(
        page,
        f"notifications dropdown [{look.id}]",
        exclude=("#nav-sidebar", "#content"),
        phone=look.width == PHONE_WIDTH,
    )
    report.assert_clean()


def test_delete_from_the_apps_own_page_asks_for_the_typed_count(
    admin_page,  # noqa: F811
    portal,
    application_factory,
):
    page = admin_page
    app = application_factory(display_label="Doomed")
    page.goto(f"{portal}/admin/sso_apps/application/{app.pk}/change/")

    page.get_by_role("link", name="Delete").click()
    page.get_by_role("heading", name="Delete 1 application?").wait_for()
    delete = page.get_by_role("button", name="Delete Application")
    assert delete.is_disabled()
    assert page.get_by_text(app.idp_suffix, exact=True).is_visible()
    page.keyboard.type("1")  # the count field has focus
    assert delete.is_enabled()
    delete.click()

    page.get_by_text("Deleted 1 application. A confirmation notification was sent.").wait_for()
    assert not Application.objects.filter(pk=app.pk).exists()


def test_cancel_on_the_apps_delete_screen_goes_back_to_the_app(
    admin_page,  # noqa: F811
    portal,
    application_factory,
):
    page = admin_page
    app = application_factory(display_label="Kept")
    page.goto(f"{portal}/admin/sso_apps/application/{app.pk}/delete/")

    page.get_by_role("link", name="Cancel").focus()
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(rf"/application/{app.pk}/change/$"))


def test_the_selected_total_recounts_as_boxes_are_ticked(
    admin_page,  # noqa: F811
    portal,
    application_factory,
    group_factory,
):
    page = admin_page
    app = application_factory(display_label="Slack")
    groups = [group_factory(name=f"Group {index}") for index in range(3)]
    app_services.application_groups_set(application=app, groups=groups[:1])
    page.goto(f"{portal}/admin/sso_apps/application/{app.pk}/groups/")
    total = page.locator("[data-selected-total]")
    assert total.inner_text() == "1 selected in total."

    page.get_by_label("Group 1").check()
    assert total.inner_text() == "2 selected in total."
    page.get_by_label("Group 0").uncheck()
    page.get_by_label("Group 1").uncheck()
    assert total.inner_text() == "0 selected in total."
    page.get_by_label("Select all on this page").check()
    assert total.inner_text() == "3 selected in total."
    page.get_by_role("button", name="Save").click()
    page.get_by_text("User Groups saved: 3 groups are authorised.").wait_for()
