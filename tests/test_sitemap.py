"""/sitemap.xml lists every public page with the date of its approved version; /robots.txt points to it.

The official sitemap XSD (sitemaps.org) is not available offline here, so the protocol's rules are
checked one by one with ElementTree: the namespace, the urlset/url/loc structure, the allowed children
and their order-free uniqueness, absolute and escaped URLs under SITE_URL, W3C datetimes, the limits.
"""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from conditions.models import Condition
from procedures.models import Procedure
from publishing import workflow
from tests.conftest import approve_in_admin, change_form_data, link, make_condition, make_procedure
from tests.test_page_cache import fetch

pytestmark = pytest.mark.django_db

SITE = "https://patientinfo.example.nhs.uk"
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# W3C Datetime (https://www.w3.org/TR/NOTE-datetime), as the sitemap protocol asks for <lastmod>.
W3C_DATETIME = re.compile(r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?")
CHANGEFREQ = {"always", "hourly", "daily", "weekly", "monthly", "yearly", "never"}


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def pages(db):
    condition = make_condition()
    link(condition, make_procedure())
    make_procedure(name="Cryoablation")
    return condition


def sitemap_entries(client):
    """{loc: lastmod} of /sitemap.xml, after checking it against the sitemap protocol."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    body = response.content
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert len(body) <= 50 * 1024 * 1024
    root = ET.fromstring(body)
    assert root.tag == f"{{{NS}}}urlset"
    entries = {}
    for url in root:
        assert url.tag == f"{{{NS}}}url"
        children = [child.tag.removeprefix(f"{{{NS}}}") for child in url if child.tag.startswith(f"{{{NS}}}")]
        assert children.count("loc") == 1 and set(children) <= {"loc", "lastmod", "changefreq", "priority"}
        assert all(children.count(name) <= 1 for name in children)
        loc = url.findtext(f"{{{NS}}}loc")
        assert loc.startswith(SITE + "/") and len(loc) < 2048 and loc not in entries
        assert not re.search(r"\s", loc)
        lastmod = url.findtext(f"{{{NS}}}lastmod")
        if lastmod is not None:
            assert W3C_DATETIME.fullmatch(lastmod), lastmod
        if (changefreq := url.findtext(f"{{{NS}}}changefreq")) is not None:
            assert changefreq in CHANGEFREQ
        if (priority := url.findtext(f"{{{NS}}}priority")) is not None:
            assert 0 <= float(priority) <= 1
        entries[loc] = lastmod
    assert len(entries) <= 50_000
    return entries


def day(moment):
    return timezone.localtime(moment).date().isoformat()


def test_the_sitemap_lists_every_public_page_with_its_last_modified_date(client, pages):
    condition = Condition.objects.get()
    procedures = {procedure.slug: procedure for procedure in Procedure.objects.all()}
    newest = max(page.updated_at for page in [condition, *procedures.values()])
    assert sitemap_entries(client) == {
        f"{SITE}/": day(newest),
        f"{SITE}/conditions/": day(condition.updated_at),
        f"{SITE}/procedures/": day(max(procedure.updated_at for procedure in procedures.values())),
        f"{SITE}/conditions/bone-pain-from-cancer/": day(condition.updated_at),
        f"{SITE}/procedures/cryoablation/": day(procedures["cryoablation"].updated_at),
        f"{SITE}/procedures/vertebroplasty/": day(procedures["vertebroplasty"].updated_at),
    }


def test_without_site_url_the_sitemap_uses_the_address_it_was_asked_at(client, pages, settings):
    settings.SITE_URL = ""
    response = client.get("/sitemap.xml", secure=True)
    assert "<loc>https://testserver/conditions/bone-pain-from-cancer/</loc>" in response.content.decode()


def test_drafts_pages_in_review_and_expired_pages_are_left_out(client, pages):
    make_condition(name="A draft", status="draft")
    make_condition(name="In review", status="review")
    past = timezone.now() - datetime.timedelta(minutes=1)
    make_procedure(name="Expired", expires_at=past)
    make_procedure(name="Expired and recorded", status="draft", expires_at=past, expired=True)
    entries = sitemap_entries(client)
    assert f"{SITE}/conditions/bone-pain-from-cancer/" in entries
    assert not [loc for loc in entries if re.search("draft|review|expired", loc)]


def test_a_pending_new_address_stays_out_until_it_is_approved(client, pages, editor_client, reviewer_client):
    url = pages.get_admin_url()
    data = change_form_data(editor_client, url, slug="cancer-bone-pain", name="Cancer bone pain")
    assert editor_client.post(url, data).status_code == 302
    entries = sitemap_entries(client)
    assert f"{SITE}/conditions/bone-pain-from-cancer/" in entries
    assert f"{SITE}/conditions/cancer-bone-pain/" not in entries
    approve_in_admin(reviewer_client, pages)
    entries = sitemap_entries(client)
    assert f"{SITE}/conditions/cancer-bone-pain/" in entries
    assert f"{SITE}/conditions/bone-pain-from-cancer/" not in entries


def test_the_sitemap_is_cached_and_changes_on_the_next_request_after_an_approval(
    client, pages, editor_client, reviewer_client
):
    procedure = Procedure.objects.get(slug="cryoablation")
    Procedure.objects.filter(pk=procedure.pk).update(updated_at=timezone.now() - datetime.timedelta(days=40))
    first, _ = fetch("/sitemap.xml")
    again, cached = fetch("/sitemap.xml")
    assert cached and again.content == first.content and "public" in again["Cache-Control"]
    # Only the body text changes: the page's own cache entry, and the sitemap's, which dates it.
    url = procedure.get_admin_url()
    editor_client.post(url, change_form_data(editor_client, url, what_it_is="<p>Freezing the tumour.</p>"))
    approve_in_admin(reviewer_client, procedure)
    response, cached = fetch("/sitemap.xml")
    assert not cached
    today = timezone.localdate().isoformat()
    assert f"<loc>{SITE}/procedures/cryoablation/</loc><lastmod>{today}</lastmod>" in response.content.decode()


def test_unpublishing_takes_a_page_out_of_the_cached_sitemap_at_once(client, pages, reviewer):
    assert f"{SITE}/procedures/cryoablation/" in sitemap_entries(client)
    workflow.take_down(Procedure.objects.get(slug="cryoablation"), reviewer)
    assert f"{SITE}/procedures/cryoablation/" not in sitemap_entries(client)


def test_robots_txt_points_to_the_sitemap_and_keeps_the_admin_and_search_out(client, pages):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        f"Sitemap: {SITE}/sitemap.xml",
    ]
    assert not response.cookies


def test_neither_answers_anything_but_get_and_head(client, pages):
    for url in ["/sitemap.xml", "/robots.txt"]:
        assert client.post(url).status_code == 405
        assert client.head(url).status_code == 200
