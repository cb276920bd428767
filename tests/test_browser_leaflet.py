"""A patient downloads the demo page's leaflet in Chromium; the link and the "removed" page pass axe."""

import io
import re
import subprocess

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from conditions.models import Condition
from tests.browser import SCREENSHOTS, axe_violations, new_context, screenshot
from tests.conftest import make_staff
from tests.test_browser_workflow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.urls"), pytest.mark.django_db(transaction=True)]

DEMO = "/conditions/bone-pain-from-cancer/"


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))


def test_a_patient_downloads_the_leaflet_of_the_page_they_read(live_server, page, demo):
    page.goto(live_server.url + DEMO)
    link = page.get_by_role("link", name="Download leaflet (PDF)")
    assert axe_violations(page) == []
    with page.expect_download() as download:
        link.click()
    pdf = download.value.path().read_bytes()
    text = "\n".join(leaflet_page.extract_text() for leaflet_page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Bone pain from cancer" in text and "Case study" in text and "IR-BON-001 v1, approved" in text
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / "leaflet-demo.pdf").write_bytes(pdf)
    # Rendered to look at, as printed.
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(SCREENSHOTS / "leaflet-demo.pdf"), str(SCREENSHOTS / "leaflet-demo")],
        check=True,
    )


def test_the_leaflet_link_fits_a_phone(live_server, browser, demo):
    context = new_context(browser, viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
    phone = context.new_page()
    phone.goto(live_server.url + "/procedures/cementoplasty/")
    assert phone.get_by_role("link", name="Download leaflet (PDF)").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(phone) == []
    screenshot(phone, "procedure-leaflet-link-phone")
    phone.emulate_media(media="print")
    assert not phone.get_by_role("link", name="Download leaflet (PDF)").is_visible()
    context.close()


def test_a_deleted_pages_address_passes_axe(live_server, page, demo):
    Condition.objects.get(slug="bone-pain-from-cancer").delete()
    response = page.goto(live_server.url + DEMO)
    assert response.status == 410
    assert page.locator("h1").inner_text() == "This page has been removed"
    assert axe_violations(page) == []
    screenshot(page, "page-removed-desktop")


def test_an_editor_finds_every_leaflet_version_of_a_page(live_server, browser, roles, demo):
    make_staff("editor", "Editors")
    page = log_in(browser, live_server, "editor")
    condition = Condition.objects.get(slug="bone-pain-from-cancer")
    page.goto(live_server.url + condition.get_admin_url())
    page.get_by_role("link", name="Leaflet versions").click()
    listing = page.locator("#result_list").inner_text()
    assert "Bone pain from cancer" in listing and "Consultant interventional radiologist" in listing
    assert "Nerve block" not in listing  # this page's versions only
    screenshot(page, "admin-leaflet-versions")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"Download v\d+ \(PDF\)")).first.click()
    assert download.value.path().read_bytes().startswith(b"%PDF-")
    page.context.close()
