"""Playwright driving Debian's Chromium, with no browser download.

Browser tests skip when Chromium is missing, unless REQUIRE_BROWSER_TESTS is set (CI sets it),
in which case they fail: CI must never pass by skipping them.
"""

import os
import shutil
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        reason = f"Chromium not found at {CHROMIUM}; install it with `apt-get install chromium`."
        if os.environ.get("REQUIRE_BROWSER_TESTS"):
            pytest.fail(reason + " REQUIRE_BROWSER_TESTS is set, so browser tests may not skip.")
        pytest.skip(reason)
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are ordinary synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Records what the Content-Security-Policy blocked; Playwright runs it in each new document, outside the policy.
_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline code"}`);
});
"""


def new_context(browser, **options):
    """A browser context whose pages record Content-Security-Policy violations."""
    context = browser.new_context(**options)
    context.add_init_script(_CSP_LISTENER)
    return context


def csp_violations(page):
    """What the Content-Security-Policy blocked on the current page."""
    return page.evaluate("window.__cspViolations")


@pytest.fixture
def page(browser):
    context = new_context(browser, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def axe_violations(page):
    """Run axe-core on the page and return its violations, readable in a failure message."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])} nodes: "
        f"{[node['target'] for node in violation['nodes']][:3]})"
        for violation in results.response["violations"]
    ]


def screenshot(page, name):
    """Keep a full-page screenshot to look at (screenshots/ is git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
