"""The editorial workflow as two people click through it in Chromium: write, review, preview, publish, revert."""

import pytest

from conditions.models import Condition
from tests.browser import axe_violations, screenshot
from tests.conftest import make_staff

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.urls"), pytest.mark.django_db(transaction=True)]

PASSWORD = "a long enough password 1"  # as make_staff sets
PUBLIC = "/conditions/painful-spinal-fracture/"


def log_in(browser, live_server, username):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return page


def write_in_editor(page, field, text):
    editor = page.locator(f"#id_{field}").locator("xpath=..").locator(".ck-editor__editable")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def save(page):
    page.get_by_role("button", name="Save", exact=True).first.click()
    assert "successfully" in page.locator(".messagelist").inner_text()


def test_an_editor_writes_a_reviewer_publishes_and_reverts_an_edit(live_server, browser, roles):
    make_staff("edna", "Editors")
    make_staff("rita", "Clinical reviewers")
    public = browser.new_context().new_page()

    # The editor writes a page and sends it for review.
    editor = log_in(browser, live_server, "edna")
    editor.goto(live_server.url + "/admin/conditions/condition/add/")
    editor.locator("#id_name").press_sequentially("Painful spinal fracture")
    editor.locator("#id_summary").fill("A broken bone in the spine that causes pain.")
    write_in_editor(editor, "what_it_is", "A bone in the spine has cracked.")
    assert editor.locator("#id_status option").all_inner_texts() == ["Draft", "In review"]
    editor.locator("#id_status").select_option("review")
    save(editor)
    assert public.goto(live_server.url + PUBLIC).status == 404

    # The reviewer previews it at its public address, then publishes it.
    reviewer = log_in(browser, live_server, "rita")
    reviewer.goto(live_server.url + PUBLIC)
    assert reviewer.locator(".preview-banner").inner_text().startswith("Preview — not published.")
    assert reviewer.locator("#what-it-is").inner_text().endswith("A bone in the spine has cracked.")
    assert axe_violations(reviewer) == []
    screenshot(reviewer, "preview-desktop")
    reviewer.get_by_role("link", name="Edit it in the staff admin").click()
    reviewer.locator("#id_status").select_option("published")
    reviewer.locator("#id_last_reviewed").fill("2026-11-02")
    reviewer.locator("#id_reviewed_by").fill("Consultant interventional radiologist")
    save(reviewer)

    # Patients can read it.
    public.goto(live_server.url + PUBLIC)
    assert public.locator(".preview-banner").count() == 0
    assert public.locator("#what-it-is").inner_text().endswith("A bone in the spine has cracked.")

    # The editor changes it; the change is live.
    editor.goto(live_server.url + Condition.objects.get().get_admin_url())
    write_in_editor(editor, "what_it_is", "A careless edit.")
    save(editor)
    public.reload()
    assert "A careless edit." in public.locator("#what-it-is").inner_text()

    # The reviewer reverts the edit from the history, in one step.
    reviewer.goto(live_server.url + Condition.objects.get().get_admin_url())
    reviewer.get_by_role("link", name="History").click()
    screenshot(reviewer, "admin-history")
    published = reviewer.locator("#change-history tbody tr", has_text="Published.")
    published.get_by_role("link", name="Compare with current").click()
    assert "careless" in reviewer.locator("table.diff tbody ins").inner_text()
    screenshot(reviewer, "admin-compare")
    reviewer.get_by_role("link", name="Revert to this revision").click()
    save(reviewer)

    public.reload()
    assert public.locator("#what-it-is").inner_text().endswith("A bone in the spine has cracked.")
    assert "careless" not in public.content()
    assert Condition.objects.get().status == "published"
