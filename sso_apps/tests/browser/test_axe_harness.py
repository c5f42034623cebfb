"""The accessibility harness itself: it must see what it checks, or its passes mean nothing."""

import pytest

from sso_apps.tests.browser.axe import (
    PHONE_WIDTH,
    AxeReport,
    Look,
    axe_violations,
    horizontal_overflow,
    look_context,
)

pytestmark = pytest.mark.browser

BROKEN_PAGE = (
    "<!doctype html><html lang=en><head><title>broken</title></head><body>"
    "<div><input type=text></div>"
    "<p style='color:#777;background:#888'>low contrast</p>"
    "<div style='width:600px'>too wide for a phone</div>"
    "</body></html>"
)
GOOD_PAGE = (
    "<!doctype html><html lang=en><head><title>fine</title></head><body>"
    "<main><h1>Fine</h1><label for=q>Search</label> <input id=q type=text></main>"
    "</body></html>"
)


def open_page(new_context, html, scheme="light"):
    page = look_context(new_context, Look(scheme, PHONE_WIDTH)).new_page()
    # A routed URL rather than set_content: init scripts (axe) run on navigations only.
    page.route("http://axe.test/", lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto("http://axe.test/")
    return page


def test_harness_reports_labels_contrast_structure_and_sideways_scroll(new_context):
    page = open_page(new_context, BROKEN_PAGE)
    found = {violation["id"] for violation in axe_violations(page)}
    assert {
        "label",
        "color-contrast",
        "landmark-one-main",
        "region",
        "page-has-heading-one",
    } <= found
    assert horizontal_overflow(page) == 8 + 600 - PHONE_WIDTH  # body's 8px left margin
    report = AxeReport()
    report.check(page, "broken page", phone=True)
    with pytest.raises(AssertionError, match=r"(?s)\[critical\] label.*sideways scroll"):
        report.assert_clean()


def test_harness_passes_a_clean_page_in_both_schemes(new_context):
    for scheme in ("light", "dark"):
        page = open_page(new_context, GOOD_PAGE, scheme)
        assert page.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches") is (
            scheme == "dark"
        )
        assert page.evaluate("() => localStorage.getItem('theme')") == "auto"
        assert axe_violations(page) == []
        assert horizontal_overflow(page) == 0
