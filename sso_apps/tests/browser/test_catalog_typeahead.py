"""The catalog type-ahead in real Chromium: it keeps the admin's choice and keeps updating."""

import contextlib

import pytest
from playwright.sync_api import Error as PlaywrightError

from sso_apps.selectors import connector_search
from sso_apps.services.catalog import catalog_load
from sso_apps.tests.browser.test_admin_flows import admin_page  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNT = ".sso-catalog-count"


def is_search(url: str) -> bool:
    return "/application/add/?" in url and "q=" in url


def open_catalog(page, portal):
    page.goto(f"{portal}/admin/sso_apps/application/add/")
    page.get_by_role("heading", name="Add New Application").wait_for()


def reach_general_info(page, name: str):
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_label("Display Label").wait_for()
    assert page.locator(".sso-connector-summary h2").inner_text() == name


def hold_searches(page, first: int) -> list:
    """Hold the first type-ahead requests until the test lets them go; pass the others."""
    held = []

    def hold(route):
        if len(held) < first:
            held.append(route)
        else:
            route.continue_()

    page.route(is_search, hold)
    return held


def wait_until(page, condition, message: str):
    for _ in range(300):
        if condition():
            return
        page.wait_for_timeout(20)
    raise AssertionError(message)


def test_a_card_clicked_before_the_results_arrive_stays_chosen(admin_page, portal):  # noqa: F811
    page = admin_page
    open_catalog(page, portal)
    held = hold_searches(page, first=1)

    page.get_by_label("Search").fill("Dropbox")
    page.locator("#catalog-results [data-connector='dropbox']").click()
    # The click happened while the search was still on its way: only now may it answer.
    wait_until(page, lambda: held, "the type-ahead sent no request")
    assert page.locator("#catalog-results [data-connector='dropbox'] input").is_checked()
    held[0].continue_()

    page.locator(COUNT, has_text="matching “Dropbox”").wait_for()
    assert page.locator("input[name=connector]:checked").get_attribute("value") == "dropbox"
    assert page.locator("#catalog-choice").is_hidden()
    reach_general_info(page, "Dropbox")


def test_typing_at_normal_speed_keeps_updating_the_list(admin_page, portal):  # noqa: F811
    page = admin_page
    catalog_load()
    expected = sorted(connector_search(query="zoom").values_list("slug", flat=True))
    open_catalog(page, portal)

    page.get_by_label("Search").focus()
    page.keyboard.type("z")
    page.locator(COUNT, has_text="matching “z”").wait_for()
    page.keyboard.type("oom", delay=60)

    page.locator(COUNT, has_text="matching “zoom”").wait_for()
    cards = page.locator("#catalog-results .sso-card")
    shown = sorted(cards.evaluate_all("cards => cards.map(card => card.dataset.connector)"))
    assert shown == expected and "zoom" in shown
    count = page.locator(COUNT).inner_text().strip()
    noun = "application" if len(expected) == 1 else "applications"
    assert count == f"{len(expected)} {noun} matching “zoom”"
    assert page.locator(COUNT).get_attribute("aria-live") == "polite"
    assert "q=zoom" in page.url


def test_typing_fast_ends_on_the_whole_word(admin_page, portal):  # noqa: F811
    page = admin_page
    catalog_load()
    expected = sorted(connector_search(query="zoom").values_list("slug", flat=True))
    open_catalog(page, portal)

    page.get_by_label("Search").focus()
    page.keyboard.type("zoom", delay=30)

    page.locator(COUNT, has_text="matching “zoom”").wait_for()
    # Let any slower answer to an earlier keystroke arrive: it must not win.
    page.wait_for_timeout(500)
    assert "matching “zoom”" in page.locator(COUNT).inner_text()
    cards = page.locator("#catalog-results .sso-card")
    shown = sorted(cards.evaluate_all("cards => cards.map(card => card.dataset.connector)"))
    assert shown == expected
    # The count is announced: it is the text of a polite status region.
    assert page.locator(COUNT).get_attribute("role") == "status"


def test_a_late_answer_to_an_older_search_is_ignored(admin_page, portal):  # noqa: F811
    page = admin_page
    open_catalog(page, portal)
    held = hold_searches(page, first=1)

    page.get_by_label("Search").fill("Slack")
    wait_until(page, lambda: held, "the type-ahead sent no request")
    page.get_by_label("Search").fill("zoom")
    page.locator(COUNT, has_text="matching “zoom”").wait_for()
    # The first search answers last (if the browser still waits for it at all).
    with contextlib.suppress(PlaywrightError):  # Chromium may have dropped it already
        held[0].continue_()
    page.wait_for_timeout(400)

    assert "matching “zoom”" in page.locator(COUNT).inner_text()
    assert page.locator("#catalog-results [data-connector='slack']").count() == 0


def test_a_choice_the_new_results_leave_out_stays_selected(
    admin_page,  # noqa: F811
    portal,
    screenshot,
):
    page = admin_page
    open_catalog(page, portal)

    held = hold_searches(page, first=1)
    search = page.get_by_label("Search")
    search.fill("Dropbox")
    # Clicked before "Dropbox" answers (held, so the card cannot move under the pointer).
    page.locator("#catalog-results [data-connector='dropbox']").click()
    wait_until(page, lambda: held, "the type-ahead sent no request")
    held[0].continue_()
    search.press("Control+a")
    page.keyboard.type("zoom", delay=60)

    page.locator(COUNT, has_text="matching “zoom”").wait_for()
    assert page.locator("#catalog-results [data-connector='dropbox']").count() == 0
    pinned = page.locator("#catalog-choice [data-connector='dropbox']")
    assert pinned.is_visible() and pinned.locator("input").is_checked()
    assert page.get_by_text("Your choice is not among these results").is_visible()
    assert "connector=dropbox" in page.url
    screenshot(page, "catalog-choice-kept")
    reach_general_info(page, "Dropbox")


def test_choosing_another_card_drops_the_pinned_one(admin_page, portal):  # noqa: F811
    page = admin_page
    open_catalog(page, portal)

    page.locator("#catalog-results [data-connector='dropbox']").click()
    page.get_by_label("Search").fill("zoom")
    page.locator("#catalog-choice [data-connector='dropbox']").wait_for()
    page.locator("#catalog-results [data-connector='zoom']").click()

    assert page.locator("#catalog-choice").is_hidden()
    reach_general_info(page, "Zoom")


def test_back_from_general_info_then_clear_keeps_the_choice(admin_page, portal):  # noqa: F811
    page = admin_page
    page.goto(f"{portal}/admin/sso_apps/application/add/?q=zoom&connector=dropbox")
    assert page.locator("#catalog-choice [data-connector='dropbox'] input").is_checked()

    page.get_by_role("link", name="Clear").click()

    wait_until(
        page,
        lambda: page.locator("#catalog-results [data-connector='dropbox']").count() == 1,
        "Clear did not bring back the whole catalog",
    )
    assert page.locator("#catalog-results [data-connector='dropbox'] input").is_checked()
    assert page.locator("#catalog-choice").is_hidden()
    assert "matching" not in page.locator(COUNT).inner_text()
    reach_general_info(page, "Dropbox")


def test_the_next_page_keeps_a_choice_from_the_first(admin_page, portal):  # noqa: F811
    page = admin_page
    open_catalog(page, portal)

    page.locator("#catalog-results [data-connector='dropbox']").click()
    page.get_by_role("link", name="Next page ›").click()

    page.get_by_text("Page 2 of 2").wait_for()
    assert page.locator("#catalog-choice [data-connector='dropbox'] input").is_checked()
    assert "p=2" in page.url and "connector=dropbox" in page.url
    page.locator("#catalog-results [data-connector='zoom']").wait_for()
    reach_general_info(page, "Dropbox")


def test_search_with_enter_carries_the_choice(admin_page, portal):  # noqa: F811
    page = admin_page
    open_catalog(page, portal)

    page.locator("#catalog-results [data-connector='dropbox']").click()
    page.get_by_label("Search").fill("zoom")
    with page.expect_navigation():
        page.get_by_label("Search").press("Enter")

    assert "q=zoom" in page.url and "connector=dropbox" in page.url
    assert page.locator("#catalog-choice [data-connector='dropbox'] input").is_checked()
    reach_general_info(page, "Dropbox")
