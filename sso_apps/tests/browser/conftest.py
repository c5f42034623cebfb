"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright against a live portal."""

import os
from pathlib import Path

import pytest

from sso_apps.tests.browser.sp_server import TestServiceProvider

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests (and
# pytest-django's flushes) make are still plain synchronous code, so Django's async guard
# does not apply. Subprocess helpers drop this variable from the environments they pass on.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


# Package scope: the browser (and its event loop) is gone before other tests run.
@pytest.fixture(scope="package")
def chromium():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(chromium):
    """Return a function opening a fresh browser context (its own cookies); all closed after.

    The test fails if any page logged a Content-Security-Policy violation: the policy is
    enforced, so a violation is a script, style or form submission that did not happen.
    """
    contexts = []
    violations = []

    def record(message):
        if "Content Security Policy" in message.text:
            violations.append(f"{message.location.get('url', '?')}: {message.text}")

    def make(**options):
        options = {"accept_downloads": True, "viewport": {"width": 1280, "height": 900}, **options}
        context = chromium.new_context(**options)
        context.set_default_timeout(15_000)
        context.on("console", record)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert violations == [], "CSP violations:\n" + "\n".join(violations)


@pytest.fixture
def screenshot():
    """Return a function saving a full-page screenshot under test-artifacts/screenshots."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def portal(live_server, settings):
    """The portal on a real 127.0.0.1 port, building IdP URLs from that address."""
    settings.TESSERA_BASE_URL = live_server.url
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    return live_server.url


@pytest.fixture
def test_sp():
    sp = TestServiceProvider().start()
    yield sp
    sp.stop()


@pytest.fixture
def axe_check():
    """Return a function failing the test on the page's critical/serious axe violations.

    Open the page's context with `axe.look_context` (axe-core is injected there). With
    `phone=True` it also fails when the document scrolls sideways.
    """
    from sso_apps.tests.browser.axe import AxeReport

    def check(page, where: str, *, exclude: tuple[str, ...] = (), phone: bool = False):
        report = AxeReport()
        report.check(page, where, exclude=exclude, phone=phone)
        report.assert_clean()

    return check
