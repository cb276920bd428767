"""The "temporarily unavailable" pages, in Chromium: accessible, readable on a phone, and an editor's text kept."""

import pytest

from tests.browser import axe_violations, csp_violations, new_context, screenshot
from tests.servers import free_port, gunicorn_server, throwaway_postgres

pytestmark = pytest.mark.browser
USERNAME, PASSWORD = "outage-browser", "a long enough password 2"


@pytest.fixture(scope="module")
def postgres():
    with throwaway_postgres() as postgres:
        yield postgres


@pytest.fixture(scope="module")
def site(postgres):
    with gunicorn_server(free_port(), {"DATABASE_URL": postgres.url}) as site:
        site.create_superuser(USERNAME, PASSWORD)
        yield site


def test_a_visitor_on_a_phone_gets_an_accessible_unavailable_page(browser, site, postgres):
    context = new_context(browser, viewport={"width": 360, "height": 740})
    page = context.new_page()
    postgres.stop()
    try:
        response = page.goto(site.origin + "/search/?q=cement")
        assert response.status == 503
        assert page.locator("h1").inner_text() == "Sorry, this page is temporarily unavailable"
        assert axe_violations(page) == [] and csp_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
        screenshot(page, "outage-phone")
    finally:
        postgres.start()
        context.close()


def test_an_editor_who_saves_during_the_outage_sees_their_text_and_can_try_again(browser, site, postgres):
    context = new_context(browser, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(site.origin + "/admin/login/?next=/admin/conditions/condition/add/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.fill("#id_name", "Spinal cord compression")
    page.fill("#id_summary", "Typed while the database was down: new weakness in the legs needs help at once.")
    postgres.stop()
    try:
        page.click("input[name=_save]")
        assert page.locator("h1").inner_text() == "The staff admin is temporarily unavailable"
        kept = [box.input_value() for box in page.locator("textarea[readonly]").all()]
        assert "Typed while the database was down: new weakness in the legs needs help at once." in kept
        assert "spinal-cord-compression" in kept and "<p>&nbsp;</p>" not in kept  # the slug, but no empty boxes
        assert not page.get_by_text("__prefix__").count()
        assert axe_violations(page) == []
        screenshot(page, "outage-admin-kept-form")
        postgres.start()
        page.get_by_role("button", name="Try saving again").click()
        assert "was added successfully" in page.locator(".messagelist").inner_text()
    finally:
        if not postgres.running:
            postgres.start()
        context.close()
