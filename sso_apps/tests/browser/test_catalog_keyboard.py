"""The catalog grid by keyboard: one radio group, arrows by card and by row, into the results
from the search box (see setUpCatalogKeyboard in static/sso_apps/admin.js for the pattern)."""

import pytest

from sso_apps.services.catalog import catalog_load
from sso_apps.tests.browser.test_admin_flows import admin_page  # noqa: F401 (fixture)
from sso_apps.tests.browser.test_catalog_typeahead import COUNT, open_catalog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def focused_connector(page) -> str | None:
    return page.evaluate(
        "() => document.activeElement && document.activeElement.name === 'connector'"
        " ? document.activeElement.value : null"
    )


def result_slugs(page) -> list[str]:
    return page.locator("#catalog-results input[name=connector]").evaluate_all(
        "radios => radios.map(radio => radio.value)"
    )


def columns(page) -> int:
    tops = page.locator("#catalog-results .sso-card").evaluate_all(
        "cards => cards.map(card => Math.round(card.getBoundingClientRect().top))"
    )
    return tops.count(tops[0])


@pytest.fixture
def catalog(admin_page, portal):  # noqa: F811
    catalog_load()
    open_catalog(admin_page, portal)
    return admin_page


def test_tab_enters_the_grid_and_arrows_move_by_card_and_by_row(catalog):
    page = catalog
    slugs = result_slugs(page)
    per_row = columns(page)
    assert per_row > 1

    page.get_by_label("Search").focus()
    page.keyboard.press("Tab")  # the Search button
    page.keyboard.press("Tab")  # the grid
    assert focused_connector(page) == slugs[0]

    page.keyboard.press("ArrowRight")
    assert focused_connector(page) == slugs[1]
    assert page.locator(f"input[value='{slugs[1]}']").is_checked()
    page.keyboard.press("ArrowDown")
    assert focused_connector(page) == slugs[1 + per_row]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowLeft")
    assert focused_connector(page) == slugs[0]
    page.keyboard.press("End")
    assert focused_connector(page) == slugs[-1]
    page.keyboard.press("Home")
    assert focused_connector(page) == slugs[0]

    # Tab leaves the grid in one step: to the pager, not through every card.
    page.keyboard.press("Tab")
    assert focused_connector(page) is None


def test_arrow_down_from_the_search_box_moves_into_the_new_results(catalog):
    page = catalog
    page.get_by_label("Search").fill("zoom")
    page.locator(COUNT, has_text="matching “zoom”").wait_for()

    page.keyboard.press("ArrowDown")

    assert focused_connector(page) == result_slugs(page)[0]
    page.keyboard.press("ArrowUp")  # above the first row: back to the search box
    assert page.evaluate("document.activeElement.type") == "search"


def test_a_search_sent_with_enter_lands_in_the_results(catalog):
    page = catalog
    page.get_by_label("Search").fill("dropbox")
    with page.expect_navigation():
        page.get_by_label("Search").press("Enter")

    page.wait_for_function("document.activeElement && document.activeElement.name === 'connector'")
    assert focused_connector(page) == "dropbox"


def test_enter_on_a_card_is_next(catalog):
    page = catalog
    page.get_by_label("Search").fill("zoom")
    page.locator(COUNT, has_text="matching “zoom”").wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")

    page.get_by_label("Display Label").wait_for()
    assert page.locator(".sso-connector-summary h2").inner_text() == "Zoom"
