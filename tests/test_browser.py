"""What a person sees and clicks, in Chromium: the demo page, editing in CKEditor, accessibility."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from conditions.models import Condition
from tests.browser import SCREENSHOTS, axe_violations, csp_violations, new_context, screenshot
from tests.conftest import make_condition, make_procedure

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.urls"), pytest.mark.django_db(transaction=True)]

DEMO = "/conditions/bone-pain-from-cancer/"


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))


def test_demo_condition_page_shows_every_section_and_figure(live_server, page, demo):
    page.goto(live_server.url + DEMO)
    assert page.locator("h1").all_inner_texts() == ["Bone pain from cancer"]
    headings = [" ".join(text.split()) for text in page.locator("main h2").all_text_contents()]
    assert headings[:10] == [
        "Urgent: Get help straight away if:",
        "On this page",
        "What it is",
        "Symptoms",
        "Causes and risk factors",
        "Diagnosis",
        "Treatments",
        "Preparing for the procedure",
        "After the procedure",
        "Other information",
    ]
    assert "How to prevent it" not in headings
    figure = page.locator("figure.case-study")
    assert figure.count() == 1
    images = figure.locator("img")
    assert images.count() == 3
    for index in range(3):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        assert image.get_attribute("alt")
        # The (lazy) image really loads and decodes once it is scrolled into view.
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        # The browser picked a WebP rendition from srcset: about 14rem wide, so the 480-pixel one.
        assert image.evaluate("img => img.currentSrc").endswith("-480w.webp")
    SCREENSHOTS.mkdir(exist_ok=True)
    figure.screenshot(path=SCREENSHOTS / "condition-case-study.png")
    for label in ("A:", "B:", "C:"):
        assert label in figure.inner_text()
    page.get_by_role("link", name="nerve block", exact=True).first.click()
    assert page.url.endswith("/procedures/nerve-block/")
    screenshot(page, "procedure-desktop")
    page.goto(live_server.url + DEMO)
    screenshot(page, "condition-desktop")


def test_condition_page_fits_a_phone_and_prints_as_a_leaflet(live_server, browser, demo):
    context = new_context(browser, viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + DEMO)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "condition-phone")

    assert not page.locator(".print-only").is_visible()
    page.emulate_media(media="print")
    assert "/conditions/bone-pain-from-cancer/" in page.locator(".print-only").inner_text()
    assert not page.locator(".site-header").is_visible()
    assert not page.locator("form[role=search]").first.is_visible()
    assert not page.locator(".on-this-page").is_visible()
    link = page.locator(".rich-text a").first
    after = page.evaluate("a => getComputedStyle(a, '::after').content", link.element_handle())
    assert "/procedures/" in after
    screenshot(page, "condition-print")
    context.close()


@pytest.mark.parametrize(
    "path", ["/", "/conditions/", "/procedures/", DEMO, "/procedures/cementoplasty/", "/search/?q=cement", "/nope/"]
)
def test_public_pages_pass_axe_and_break_no_content_security_rule(live_server, page, demo, path):
    page.goto(live_server.url + path)
    page.wait_for_load_state("load")
    assert axe_violations(page) == []
    assert csp_violations(page) == []


def test_public_pages_pass_axe_on_a_phone(live_server, browser, demo):
    context = new_context(browser, viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    for path in ["/", DEMO, "/procedures/"]:
        page.goto(live_server.url + path)
        assert axe_violations(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    context.close()


def test_on_a_phone_searching_for_the_source_pages_title_word_finds_the_condition(live_server, browser, demo):
    context = new_context(browser, viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + "/")
    search = page.get_by_role("search").first
    search.get_by_role("searchbox").fill("percutaneous")
    search.get_by_role("button").click()
    page.wait_for_url(re.compile(r"/search/\?q=percutaneous"))
    expect(page.get_by_role("link", name="Bone pain from cancer", exact=True)).to_be_visible()
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "search-percutaneous-phone")
    page.get_by_role("link", name="Bone pain from cancer", exact=True).click()
    for section, words, name in [
        ("treatments", "percutaneous", "condition-percutaneous-phone"),
        ("preparation", "the day before", "condition-fasting-phone"),
    ]:
        paragraph = page.locator(f"#{section}").locator("p, li", has_text=words).first
        expect(paragraph).to_be_visible()
        paragraph.screenshot(path=SCREENSHOTS / f"{name}.png")
    context.close()


def test_staff_write_a_condition_in_ckeditor_publish_it_and_read_it(live_server, page, django_user_model):
    django_user_model.objects.create_superuser("nurse", "nurse@example.org", "a long enough password 1")
    procedure = make_procedure(name="Nerve block")

    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill("nurse")
    page.get_by_label("Password").fill("a long enough password 1")
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/admin/conditions/condition/add/")

    page.locator("#id_name").press_sequentially("Painful spinal fracture")
    assert page.locator("#id_slug").input_value() == "painful-spinal-fracture"  # prepopulated as they type
    page.locator("#id_summary").fill("A broken bone in the spine that causes pain.")

    editor = page.locator("#id_what_it_is").locator("xpath=..").locator(".ck-editor__editable")
    editor.click()
    page.keyboard.type("A bone in the spine has cracked. ")
    page.keyboard.press("Control+b")
    page.keyboard.type("It can be treated.")
    page.keyboard.press("Control+b")
    page.keyboard.press("Enter")
    page.keyboard.type("Ask your doctor.")
    toolbar = page.locator("#id_what_it_is").locator("xpath=..").locator(".ck-toolbar")
    assert toolbar.locator("[data-cke-tooltip-text*='Insert image']").count() == 0
    assert csp_violations(page) == []  # the admin's policy lets CKEditor work

    page.locator("#id_condition_procedures-0-order").fill("1")
    page.locator("#id_condition_procedures-0-procedure").locator("xpath=..").locator(".select2-selection").click()
    page.locator(".select2-search__field").fill("Nerve")
    page.locator(".select2-results__option", has_text="Nerve block").click()
    expect(page.locator("#id_condition_procedures-0-procedure")).to_have_value(str(procedure.pk))

    page.locator("#id_status").select_option("review")
    page.locator("#id_last_reviewed").fill("2026-11-02")
    page.locator("#id_reviewed_by").fill("Consultant interventional radiologist")
    # Wait for the page the save answers with, so that its errors (if any) are what is checked.
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).first.click()
    assert page.locator(".errorlist, .errornote").all_inner_texts() == []
    assert "was added successfully" in page.locator(".messagelist").inner_text()

    condition = Condition.objects.get(slug="painful-spinal-fracture")
    assert condition.what_it_is == (
        "<p>A bone in the spine has cracked. <strong>It can be treated.</strong></p><p>Ask your doctor.</p>"
    )
    assert list(condition.procedures.all()) == [procedure]
    page.goto(live_server.url + condition.get_admin_url("review"))
    page.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    assert "is now what patients read" in page.locator(".messagelist").inner_text()

    page.goto(live_server.url + "/conditions/painful-spinal-fracture/")
    assert page.locator("h1").inner_text() == "Painful spinal fracture"
    assert page.locator("#what-it-is strong").inner_text() == "It can be treated."
    assert page.get_by_role("link", name="Nerve block").is_visible()


def test_an_empty_condition_list_is_still_accessible(live_server, page):
    make_condition(status="draft")
    page.goto(live_server.url + "/conditions/")
    assert "No conditions have been published yet." in page.inner_text("main")
    assert axe_violations(page) == []


def test_on_a_phone_a_case_image_opens_full_size_with_its_caption(live_server, browser, demo):
    context = new_context(browser, viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + DEMO)
    figure = page.locator("figure.case-study")
    figure.scroll_into_view_if_needed()
    screenshot(page, "condition-phone-case-study")
    with page.expect_navigation():
        figure.get_by_role("link", name="View image B full size").click()
    assert "/images/" in page.url
    assert page.locator("h1").inner_text().endswith("image B")
    image = page.locator("figure.case-image-full img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert image.evaluate("img => img.currentSrc").endswith("w.webp")
    assert image.bounding_box()["width"] > 300  # the whole width of the phone, not a thumbnail
    assert page.locator("figcaption").inner_text().startswith("B:")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == [] and csp_violations(page) == []
    screenshot(page, "case-image-phone")
    page.get_by_role("link", name="Back to Bone pain from cancer").click()
    assert re.search(re.escape(DEMO) + r"#case-\d+$", page.url)
    context.close()
