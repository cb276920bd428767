"""'Was this page helpful?' in Chromium on a phone: sent without JavaScript, and accessible in every state."""

import pytest
from playwright.sync_api import expect

from feedback.models import Feedback
from tests.browser import SCREENSHOTS, axe_violations, csp_violations, new_context, screenshot
from tests.conftest import make_condition

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.urls"), pytest.mark.django_db(transaction=True)]

CONDITION = "/conditions/bone-pain-from-cancer/"
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True}


@pytest.fixture
def condition(db):
    return make_condition()


def test_a_reader_sends_feedback_from_a_phone_without_javascript(live_server, browser, condition):
    context = new_context(browser, java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto(live_server.url + CONDITION)
    form = page.locator("section.feedback")
    form.scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    SCREENSHOTS.mkdir(exist_ok=True)
    form.screenshot(path=SCREENSHOTS / "feedback-form-phone.png")
    page.get_by_role("group", name="Was this page helpful?").get_by_label("No").check()
    page.get_by_label("What was unclear or missing? (optional)").fill("I did not understand ‘pelvis’.")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your feedback")
    assert page.url == live_server.url + CONDITION + "feedback/thanks/"
    screenshot(page, "feedback-thanks-phone")
    assert context.cookies() == []
    feedback = Feedback.objects.get()
    assert feedback.helpful is False and feedback.comment == "I did not understand ‘pelvis’."
    page.get_by_role("link", name="Back to Bone pain from cancer").click()
    assert page.url == live_server.url + CONDITION
    context.close()


def test_the_form_its_errors_and_the_thank_you_page_pass_axe(live_server, browser, condition):
    context = new_context(browser, **PHONE)
    page = context.new_page()
    page.goto(live_server.url + CONDITION)
    assert axe_violations(page) == [] and csp_violations(page) == []
    page.emulate_media(media="print")
    assert not page.locator("section.feedback").is_visible()  # a printed leaflet has no form to fill in
    page.emulate_media(media="screen")

    # Sent with no answer and HTML in the comment: the form comes back saying what to change.
    page.get_by_label("What was unclear or missing? (optional)").fill("<b>Too</b> long")
    page.get_by_role("button", name="Send feedback").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Choose yes or no to say whether this page was helpful.")
    expect(alert).to_contain_text("Please write your comment as plain text")
    assert page.title().startswith("Error: ")
    expect(page.get_by_label("What was unclear or missing? (optional)")).to_have_value("<b>Too</b> long")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == [] and csp_violations(page) == []
    screenshot(page, "feedback-error-phone")
    # The summary's links lead to the fields.
    alert.get_by_role("link", name="Choose yes or no").click()
    assert page.url.endswith("#feedback-helpful-yes")

    page.get_by_label("Yes").check()
    page.get_by_label("What was unclear or missing? (optional)").fill("Too long")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your feedback")
    assert axe_violations(page) == [] and csp_violations(page) == []
    assert Feedback.objects.get().comment == "Too long"
    context.close()


def test_a_refusal_passes_axe(live_server, browser, condition, settings):
    settings.FEEDBACK_RATE_LIMIT = 1
    context = new_context(browser, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    for expected in ["Thank you for your feedback", "Your feedback was not sent"]:
        page.goto(live_server.url + CONDITION)
        page.get_by_label("Yes").check()
        page.get_by_role("button", name="Send feedback").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(expected)
    expect(page.get_by_role("alert")).to_contain_text("Please try again in")
    assert axe_violations(page) == []
    screenshot(page, "feedback-refused-desktop")
    page.goto(live_server.url + CONDITION)
    page.locator("section.feedback").screenshot(path=SCREENSHOTS / "feedback-form-desktop.png")
    context.close()


def test_staff_read_the_counts_and_comments_in_the_admin(live_server, page, condition, django_user_model):
    django_user_model.objects.create_superuser("nurse", "nurse@example.org", "a long enough password 1")
    for helpful, comment in [(True, ""), (True, "Clear, thank you."), (False, "What does ‘metastasis’ mean?")]:
        Feedback.record(condition, helpful, comment)
    page.goto(live_server.url + "/admin/feedback/feedback/")
    page.get_by_label("Username").fill("nurse")
    page.get_by_label("Password").fill("a long enough password 1")
    page.get_by_role("button", name="Log in").click()
    counts = page.locator("#feedback-counts tbody tr")
    expect(counts).to_have_count(1)
    assert counts.first.inner_text().split("\t") == ["Bone pain from cancer (condition)", "2", "1", "2"]
    expect(page.locator("#result_list")).to_contain_text("What does ‘metastasis’ mean?")
    screenshot(page, "feedback-admin-desktop")
