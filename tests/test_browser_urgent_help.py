"""The urgent-help card and the breadcrumbs as a person sees them: on a phone, a desktop and on paper."""

import json
import re
import shutil
import subprocess

import pytest
from django.core.management import call_command

from tests.browser import SCREENSHOTS, axe_violations, csp_violations, new_context, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.urls"), pytest.mark.django_db(transaction=True)]

DEMO = "/conditions/bone-pain-from-cancer/"


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))


def test_on_a_phone_the_urgent_card_is_on_the_first_screen_and_again_under_symptoms(live_server, browser, demo):
    context = new_context(browser, viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + DEMO)
    cards = page.locator(".care-card")
    assert cards.count() == 2
    top = cards.first
    assert top.bounding_box()["y"] < 740  # seen without scrolling, not 13 screens down
    # Screen readers hear the word "Urgent" first: the card does not rely on its colour.
    heading = top.get_by_role("heading", level=2, name=re.compile(r"^Urgent ?: Get help straight away if:$"))
    assert " ".join(heading.text_content().split()) == "Urgent: Get help straight away if:"
    assert "legs" in top.locator("li").first.inner_text()
    assert top.get_by_role("link", name="999").get_attribute("href") == "tel:999"
    assert page.locator("#symptoms .care-card").get_by_role("heading", level=3).count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == [] and csp_violations(page) == []
    screenshot(page, "urgent-condition-phone")
    top.screenshot(path=SCREENSHOTS / "urgent-card-phone.png")
    context.close()


def test_on_a_desktop_the_card_and_breadcrumbs_pass_axe(live_server, page, demo):
    page.goto(live_server.url + DEMO)
    nav = page.get_by_role("navigation", name="Breadcrumb")
    assert nav.get_by_role("link").all_inner_texts() == ["Home", "Conditions", "Bone pain from cancer"]
    assert nav.locator("[aria-current=page]").inner_text() == "Bone pain from cancer"
    blocks = [json.loads(text) for text in page.locator('script[type="application/ld+json"]').all_text_contents()]
    [data] = [block for block in blocks if block["@type"] == "BreadcrumbList"]
    assert [item["name"] for item in data["itemListElement"]] == ["Home", "Conditions", "Bone pain from cancer"]
    assert data["itemListElement"][-1]["item"] == live_server.url + DEMO
    assert axe_violations(page) == [] and csp_violations(page) == []
    page.set_viewport_size({"width": 1280, "height": 1400})
    page.screenshot(path=SCREENSHOTS / "urgent-condition-desktop.png")

    page.goto(live_server.url + "/procedures/vertebroplasty/")
    nav = page.get_by_role("navigation", name="Breadcrumb")
    assert nav.get_by_role("link").all_inner_texts() == ["Home", "Procedures", "Cementoplasty", "Vertebroplasty"]
    assert axe_violations(page) == [] and csp_violations(page) == []
    page.screenshot(path=SCREENSHOTS / "breadcrumbs-procedure-desktop.png")
    nav.get_by_role("link", name="Cementoplasty").click()
    assert page.url.endswith("/procedures/cementoplasty/")


def test_the_card_prints_framed_in_black_with_its_words(live_server, browser, demo, tmp_path):
    context = new_context(browser, viewport={"width": 800, "height": 1100})
    page = context.new_page()
    page.goto(live_server.url + DEMO)
    page.emulate_media(media="print")
    card = page.locator(".care-card").first
    assert card.is_visible() and not page.locator(".breadcrumbs").is_visible()
    style = card.evaluate("card => getComputedStyle(card)")
    assert style["borderTopColor"] == "rgb(0, 0, 0)" and style["breakInside"] == "avoid"
    heading = card.locator(".care-card-heading").evaluate("h => getComputedStyle(h).color")
    assert heading == "rgb(0, 0, 0)"  # readable where the printer drops the red band
    pdf = tmp_path / "condition.pdf"
    page.pdf(path=pdf, format="A4", print_background=False)
    context.close()
    if shutil.which("pdftoppm"):
        SCREENSHOTS.mkdir(exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", pdf, SCREENSHOTS / "urgent-condition-print"],
            check=True,
        )
    assert pdf.stat().st_size > 10_000
