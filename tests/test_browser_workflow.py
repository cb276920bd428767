"""The editorial workflow as two people click through it in Chromium: write, review, preview, approve, send back."""

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


def test_an_edit_to_a_live_page_waits_for_approval_and_can_be_sent_back(live_server, browser, roles):
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
    # It is approved on its review screen, which shows everything as new.
    reviewer.goto(live_server.url + Condition.objects.get().get_admin_url("review"))
    reviewer.locator("#id_reviewed_by").fill("Consultant interventional radiologist")
    reviewer.get_by_role("button", name="Approve").click()
    reviewer.wait_for_load_state()
    assert "version 1 is now what patients read" in reviewer.locator(".messagelist").inner_text()

    # Patients can read it.
    public.goto(live_server.url + PUBLIC)
    assert public.locator(".preview-banner").count() == 0
    assert public.locator("#what-it-is").inner_text().endswith("A bone in the spine has cracked.")

    # The editor changes the live page; patients keep the approved text, byte for byte.
    approved_html = public.content()
    editor.goto(live_server.url + Condition.objects.get().get_admin_url())
    write_in_editor(editor, "what_it_is", "Stop taking warfarin five days before.")
    save(editor)
    assert "Patients still see the approved version" in editor.locator(".messagelist").inner_text()
    editor.goto(live_server.url + Condition.objects.get().get_admin_url())
    assert "changes awaiting review" in editor.locator("#workflow-banner").inner_text()
    public.reload()
    assert public.content() == approved_html
    # The editor sends the changes for review; the reviewer sees them as words, not HTML.
    editor.get_by_role("button", name="Send the changes for review").click()
    editor.wait_for_load_state()
    reviewer.goto(live_server.url + "/admin/")
    reviewer.locator("#waiting-panel").get_by_role("link", name="Painful spinal fracture").click()
    added = reviewer.locator("table.diff tbody ins").first.inner_text()
    assert "warfarin" in added and "<p>" not in reviewer.locator("table.diff").inner_text()
    screenshot(reviewer, "admin-review")

    # Sent back with a comment, which the editor reads on the form.
    reviewer.locator("#send-back-form textarea").fill("Say which medicines, please.")
    reviewer.get_by_role("button", name="Send back to the editor").click()
    reviewer.wait_for_load_state()
    editor.goto(live_server.url + Condition.objects.get().get_admin_url())
    assert "Say which medicines, please." in editor.locator("#workflow-banner").inner_text()
    public.reload()
    assert public.content() == approved_html

    # Sent again and approved: now patients read the new text.
    editor.get_by_role("button", name="Send the changes for review").click()
    editor.wait_for_load_state()
    reviewer.goto(live_server.url + Condition.objects.get().get_admin_url("review"))
    reviewer.get_by_role("button", name="Approve").click()
    reviewer.wait_for_load_state()
    public.reload()
    assert "Stop taking warfarin five days before." in public.locator("#what-it-is").inner_text()
    assert Condition.objects.get().live_version().number == 2
