"""An editor whose session ends while they type presses Save, logs in again and keeps their text (Chromium)."""

import pytest
from django.conf import settings

from conditions.models import Condition
from tests.browser import csp_violations, new_context, screenshot
from tests.conftest import make_condition, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long enough password 1"  # as make_staff sets
TYPED = "Typed while the session ended: nothing is lost."


def log_in(page, username):
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_an_editor_whose_session_ended_while_typing_saves_their_text_after_logging_in(live_server, browser, roles):
    make_staff("edna", "Editors")
    change_form = live_server.url + make_condition(status="draft").get_admin_url()
    context = new_context(browser, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(change_form)
    log_in(page, "edna")
    assert page.url == change_form

    # Every response renews the session cookie, so let the form's own requests finish first.
    page.wait_for_load_state("networkidle")
    context.clear_cookies(name=settings.SESSION_COOKIE_NAME)  # what 30 minutes without a request does
    page.locator("#id_summary").fill(TYPED)
    page.get_by_role("button", name="Save", exact=True).first.click()
    page.wait_for_url("**/admin/login/**")
    assert "They are kept: log in again to save them." in page.locator(".messagelist").inner_text()

    log_in(page, "edna")
    assert page.url == change_form
    assert page.get_by_role("heading", name="Your session had ended").is_visible()
    assert "They are kept: nothing you typed is lost." in page.locator("#content-main").inner_text()
    assert csp_violations(page) == []
    screenshot(page, "admin-unsaved-changes")

    page.get_by_role("button", name="Save my changes").click()
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    assert Condition.objects.get().summary == TYPED
    page.goto(change_form)
    assert page.locator("#id_summary").input_value() == TYPED
    context.close()
