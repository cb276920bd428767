"""Public pages come from a cache of their rendered HTML, and every change reaches exactly the pages that show it."""

import datetime
import io
import logging
import time
import uuid

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from reversion.models import Version

from conditions.models import CaseStudy, Condition
from procedures.models import ImagingModality, Procedure, ProcedureCategory
from publishing import page_cache, workflow
from publishing.models import ApprovedVersion
from tests.conftest import (
    approve_in_admin,
    change_form_data,
    link,
    make_case,
    make_condition,
    make_procedure,
)
from tests.images import png_bytes
from tests.services import require_redis

pytestmark = pytest.mark.django_db

CONDITION = "/conditions/bone-pain-from-cancer/"
PROCEDURE = "/procedures/vertebroplasty/"
OTHER = "/procedures/cryoablation/"
PUBLIC_URLS = ["/", "/conditions/", "/procedures/", CONDITION, PROCEDURE, OTHER]


@pytest.fixture
def site(db):
    condition = make_condition(what_it_is="<p>Stop aspirin a week before.</p>")
    link(condition, make_procedure())
    make_procedure(name="Cryoablation", category=ProcedureCategory.objects.create(name="Tumour ablation", slug="ta"))
    make_case(condition, images=1)
    return condition


def fetch(url, **headers):
    """An anonymous visitor's GET, and whether it was served from the cache (no database query at all)."""
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(url, headers=headers)
    return response, not queries.captured_queries


def cache_every_page():
    for url in PUBLIC_URLS:
        assert fetch(url)[0].status_code == 200


def still_cached(*urls):
    return all(fetch(url)[1] for url in urls)


def test_a_second_visit_to_a_public_page_is_served_from_the_cache(site):
    for url in PUBLIC_URLS:
        first, cached = fetch(url)
        assert first.status_code == 200 and not cached
        second, cached = fetch(url)
        assert cached and second.content == first.content


def test_anonymous_pages_set_no_cookie_and_tell_caches_how_long_to_keep_them(site, settings):
    settings.HTTP_MAX_AGE_SECONDS, settings.HTTP_STALE_WHILE_REVALIDATE_SECONDS = 120, 30
    for url in PUBLIC_URLS:
        for response, _ in (fetch(url), fetch(url)):  # rendered, then from the cache
            assert not response.cookies and "Set-Cookie" not in response.headers
            assert "cookie" not in response.get("Vary", "").lower()
            assert response["Cache-Control"] == "public, max-age=120, stale-while-revalidate=30, stale-if-error=86400"
            assert response["ETag"].startswith('"')
            assert response["Content-Security-Policy"] and response["X-Frame-Options"] == "DENY"


def test_a_page_sends_its_approval_time_as_last_modified(site):
    for response, _ in (fetch(CONDITION), fetch(CONDITION)):
        assert response["Last-Modified"] == http_date(Condition.objects.get().updated_at.timestamp())


def test_a_conditional_get_of_an_unchanged_page_answers_304(site):
    for url in PUBLIC_URLS:
        response, _ = fetch(url)
        for _ in range(2):  # from the cache, then rendered once the cache is emptied
            not_modified, _ = fetch(url, if_none_match=response["ETag"])
            assert not_modified.status_code == 304 and not not_modified.content
            assert not_modified["ETag"] == response["ETag"]
            cache.clear()
    response, _ = fetch(CONDITION)
    assert fetch(CONDITION, if_modified_since=response["Last-Modified"])[0].status_code == 304
    assert fetch(CONDITION, if_none_match='"something-else"')[0].status_code == 200


def test_staff_are_never_served_the_cached_page_and_nothing_may_keep_theirs(site, editor_client):
    url = site.get_admin_url()
    editor_client.post(url, change_form_data(editor_client, url, what_it_is="<p>Stop warfarin.</p>"))
    cache_every_page()
    preview = editor_client.get(CONDITION)
    assert "warfarin" in preview.content.decode()
    assert "no-store" in preview["Cache-Control"] and "private" in preview["Cache-Control"]
    live = editor_client.get(PROCEDURE)
    assert "no-store" in live["Cache-Control"] and "public" not in live["Cache-Control"]
    assert "aspirin" in fetch(CONDITION)[0].content.decode()


def test_search_the_admin_and_addresses_with_a_query_are_never_cached(site, editor_client):
    for url in ["/search/?q=bone", f"{CONDITION}?version=live", f"{CONDITION}?utm_source=leaflet"]:
        fetch(url)
        response, cached = fetch(url)
        assert response.status_code == 200 and not cached
        assert "public" not in response.get("Cache-Control", "")
    assert "no-store" in editor_client.get("/admin/")["Cache-Control"]


def test_an_editors_save_changes_no_cached_page(site, editor_client):
    cache_every_page()
    url = site.get_admin_url()
    assert editor_client.post(url, change_form_data(editor_client, url, name="Renamed, pending")).status_code == 302
    procedure_url = Procedure.objects.get(slug="vertebroplasty").get_admin_url()
    data = change_form_data(editor_client, procedure_url, summary="Pending summary.")
    assert editor_client.post(procedure_url, data).status_code == 302
    assert still_cached(*PUBLIC_URLS)


def test_approving_new_body_text_refreshes_only_that_page(site, editor_client, reviewer_client):
    url = site.get_admin_url()
    editor_client.post(url, change_form_data(editor_client, url, what_it_is="<p>Stop warfarin five days before.</p>"))
    cache_every_page()
    assert approve_in_admin(reviewer_client, site).status_code == 302
    response, cached = fetch(CONDITION)
    assert not cached and "warfarin" in response.content.decode()
    assert still_cached("/", "/conditions/", "/procedures/", PROCEDURE, OTHER)


def test_approving_a_new_name_refreshes_every_page_that_shows_it(site, editor_client, reviewer_client):
    url = site.get_admin_url()
    editor_client.post(url, change_form_data(editor_client, url, name="Cancer bone pain"))
    cache_every_page()
    approve_in_admin(reviewer_client, site)
    for page in ["/", "/conditions/", CONDITION, PROCEDURE]:  # the procedure lists the conditions it treats
        assert "Cancer bone pain" in fetch(page)[0].content.decode(), page
    assert still_cached("/procedures/", OTHER)


def test_a_procedures_new_summary_reaches_the_condition_pages_linking_it(site, editor_client, reviewer_client):
    procedure = Procedure.objects.get(slug="vertebroplasty")
    url = procedure.get_admin_url()
    editor_client.post(url, change_form_data(editor_client, url, summary="Cement makes the bone strong again."))
    cache_every_page()
    approve_in_admin(reviewer_client, procedure)
    for page in ["/", "/procedures/", CONDITION, PROCEDURE]:
        assert "Cement makes the bone strong again." in fetch(page)[0].content.decode(), page
    assert still_cached("/conditions/", OTHER)


def test_unpublishing_takes_the_page_and_every_link_to_it_down_at_once(site, reviewer):
    cache_every_page()
    workflow.take_down(site, reviewer)
    assert fetch(CONDITION)[0].status_code == 404
    for page in ["/", "/conditions/", PROCEDURE]:
        assert "Bone pain from cancer" not in fetch(page)[0].content.decode(), page
    assert still_cached("/procedures/", OTHER)


def test_a_scheduled_version_reaches_the_page_when_it_goes_live(site, editor_client, reviewer_client):
    url = site.get_admin_url()
    editor_client.post(url, change_form_data(editor_client, url, summary="Scheduled summary."))
    soon = timezone.localtime() + datetime.timedelta(hours=1)
    approve_in_admin(reviewer_client, site, go_live_at=soon.strftime("%Y-%m-%dT%H:%M"))
    cache_every_page()
    assert still_cached(*PUBLIC_URLS)
    ApprovedVersion.objects.filter(went_live_at__isnull=True).update(go_live_at=timezone.now())
    call_command("publish_scheduled")
    for page in ["/", "/conditions/", CONDITION]:
        assert "Scheduled summary." in fetch(page)[0].content.decode(), page


def test_a_page_is_never_served_from_the_cache_after_it_expires(site):
    # An expiry needs no change to happen: the clock passes it, before publish_scheduled runs.
    Condition.objects.update(expires_at=timezone.now() + datetime.timedelta(seconds=1))
    cache_every_page()
    assert still_cached(CONDITION, "/conditions/")
    time.sleep(1.1)
    assert fetch(CONDITION)[0].status_code == 404
    assert "Bone pain from cancer" not in fetch("/conditions/")[0].content.decode()


def test_a_category_rename_reaches_the_lists_and_its_procedures(site, staff_client):
    category = ProcedureCategory.objects.get(slug="cementoplasty")
    url = f"/admin/procedures/procedurecategory/{category.pk}/change/"
    cache_every_page()
    assert staff_client.post(url, change_form_data(staff_client, url, name="Bone cement")).status_code == 302
    for page in ["/", "/procedures/", PROCEDURE]:
        assert "Bone cement" in fetch(page)[0].content.decode(), page
    assert still_cached("/conditions/", CONDITION, OTHER)


def test_withdrawing_consent_takes_the_case_off_the_page_at_once(site, reviewer_client):
    case = CaseStudy.objects.get()
    url = f"/admin/conditions/casestudy/{case.pk}/change/"
    cache_every_page()
    data = change_form_data(reviewer_client, url)
    data.pop("consent_recorded")
    assert reviewer_client.post(url, data).status_code == 302
    assert case.title not in fetch(CONDITION)[0].content.decode()
    assert still_cached("/", "/conditions/", PROCEDURE)


def test_a_new_description_of_a_picture_reaches_the_page_once_approved(site, editor_client, reviewer_client):
    case = CaseStudy.objects.get()
    url = f"/admin/conditions/casestudy/{case.pk}/change/"
    data = change_form_data(editor_client, url, **{"images-0-alt_text": "A clearer description of scan A."})
    cache_every_page()
    assert editor_client.post(url, data).status_code == 302
    assert still_cached(CONDITION)
    approve_in_admin(reviewer_client, site)
    assert "A clearer description of scan A." in fetch(CONDITION)[0].content.decode()
    assert still_cached("/", PROCEDURE)


def test_a_new_picture_reaches_the_page_once_approved(site, editor_client, reviewer_client):
    case = CaseStudy.objects.get()
    url = f"/admin/conditions/casestudy/{case.pk}/change/"
    data = {
        **change_form_data(editor_client, url),
        "images-TOTAL_FORMS": "2",
        **{f"images-1-{k}": v for k, v in {"label": "B", "stage": "after", "caption": "After.", "order": "5"}.items()},
        "images-1-alt_text": "Scan B, after treatment.",
        "images-1-image": png_bytes(name="b.png"),
    }
    cache_every_page()
    assert editor_client.post(url, data).status_code == 302
    assert still_cached(CONDITION)
    approve_in_admin(reviewer_client, site, **{f"consent_{case.pk}": "on"})
    assert "Scan B, after treatment." in fetch(CONDITION)[0].content.decode()


def test_deleting_a_procedure_takes_it_off_every_page_linking_it(site, staff_client):
    procedure = Procedure.objects.get(slug="vertebroplasty")
    cache_every_page()
    url = f"/admin/procedures/procedure/{procedure.pk}/delete/"
    assert staff_client.post(url, {"post": "yes"}).status_code == 302
    assert fetch(PROCEDURE)[0].status_code == 410  # gone, saying so (publishing/redirects.py)
    for page in ["/", "/procedures/", CONDITION]:
        assert "Vertebroplasty" not in fetch(page)[0].content.decode(), page
    assert still_cached("/conditions/", OTHER)


def test_an_image_guidance_rename_reaches_the_pages_naming_it(site, staff_client):
    procedure = Procedure.objects.get(slug="vertebroplasty")
    ct = ImagingModality.objects.get(slug="ct")
    procedure.imaging_guidance.add(ct)
    cache_every_page()
    url = f"/admin/procedures/imagingmodality/{ct.pk}/change/"
    assert staff_client.post(url, {"name": "Computed tomography (CT)", "slug": "ct"}).status_code == 302
    for page in [PROCEDURE, CONDITION]:
        assert "Computed tomography (CT)" in fetch(page)[0].content.decode(), page
    assert still_cached("/", "/conditions/", "/procedures/", OTHER)


def test_linking_procedures_reaches_both_pages_once_approved(site, editor_client, reviewer_client):
    procedure, other = Procedure.objects.get(slug="vertebroplasty"), Procedure.objects.get(slug="cryoablation")
    url = procedure.get_admin_url()
    editor_client.post(url, change_form_data(editor_client, url, related=[other.pk]))
    cache_every_page()
    assert still_cached(PROCEDURE, OTHER)
    approve_in_admin(reviewer_client, procedure)
    assert "Cryoablation" in fetch(PROCEDURE)[0].content.decode()
    assert "Vertebroplasty" in fetch(OTHER)[0].content.decode()
    assert still_cached("/", "/procedures/", "/conditions/", CONDITION)


def test_a_new_condition_reaches_the_lists_once_approved(site, reviewer):
    cache_every_page()
    draft = make_condition(name="Spinal fracture", slug="spinal-fracture", status="draft")
    assert still_cached(*PUBLIC_URLS)
    workflow.approve(draft, reviewer, last_reviewed=datetime.date(2026, 3, 1), reviewed_by="Radiologist")
    for page in ["/", "/conditions/"]:
        assert "Spinal fracture" in fetch(page)[0].content.decode(), page
    assert still_cached("/procedures/", CONDITION, PROCEDURE)


@pytest.fixture
def redis_cache(settings):
    url = require_redis()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # this test's own keys on the shared Redis
        }
    }


def test_pages_are_cached_and_invalidated_in_redis(site, redis_cache, editor_client, reviewer_client):
    cache_every_page()
    assert still_cached(*PUBLIC_URLS)
    url = site.get_admin_url()
    editor_client.post(url, change_form_data(editor_client, url, name="Cancer bone pain"))
    assert still_cached(*PUBLIC_URLS)
    approve_in_admin(reviewer_client, site)
    assert "Cancer bone pain" in fetch("/conditions/")[0].content.decode()
    assert still_cached("/procedures/", OTHER)


@pytest.fixture(autouse=True)
def _cache_up():
    """Each test starts with a cache this process believes is up and told of every change."""
    page_cache._down_until = 0.0
    page_cache._unsent.clear()


def test_with_the_cache_down_pages_are_rendered_and_changes_still_saved(site, settings, reviewer, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    with caplog.at_level(logging.ERROR, logger="publishing.page_cache"):
        for url in PUBLIC_URLS:
            response, cached = fetch(url)
            assert response.status_code == 200 and not cached
            assert response["Cache-Control"].startswith("public")
        workflow.take_down(site, reviewer)
        assert fetch(CONDITION)[0].status_code == 404
    assert "could not be told of a change" in caplog.text
    # One failed lookup, then a few seconds without asking: a hung Redis must not slow every page.
    assert caplog.text.count("The page cache is unavailable") == 1


def test_a_change_missed_while_the_cache_was_down_is_sent_when_it_is_back(site, settings, reviewer):
    cache_every_page()
    working = settings.CACHES
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    workflow.take_down(site, reviewer)
    settings.CACHES = working
    page_cache._down_until = 0.0  # its few seconds have passed
    assert fetch(CONDITION)[0].status_code == 404
    assert not fetch("/conditions/")[1]


def test_a_revert_reaches_the_page_once_approved_like_any_edit(site, editor_client, reviewer_client):
    url = site.get_admin_url()
    for words in ["<p>Stop warfarin.</p>", "<p>Stop heparin.</p>"]:
        editor_client.post(url, change_form_data(editor_client, url, what_it_is=words))
        approve_in_admin(reviewer_client, site)
    warfarin = next(v for v in Version.objects.get_for_object(site).order_by("pk") if "warfarin" in v.serialized_data)
    revert = reverse("admin:conditions_condition_revision", args=[site.pk, warfarin.pk])
    cache_every_page()
    assert reviewer_client.post(revert, change_form_data(reviewer_client, revert)).status_code == 302
    assert still_cached(CONDITION)  # the revert waits for approval, like any edit
    approve_in_admin(reviewer_client, site)
    assert "warfarin" in fetch(CONDITION)[0].content.decode()
    assert still_cached("/", "/conditions/", PROCEDURE)


def test_clear_page_cache_renders_every_page_afresh_after_a_release_or_a_restore(site):
    cache_every_page()
    Condition.objects.filter(pk=site.pk).update(summary="Restored from last night's backup.")  # no signal, as a restore
    assert "Restored from" not in fetch(CONDITION)[0].content.decode()
    out = io.StringIO()
    call_command("clear_page_cache", stdout=out)
    assert "rendered afresh" in out.getvalue()
    response, cached = fetch(CONDITION)
    assert not cached and "Restored from" in response.content.decode()
    assert not any(fetch(url)[1] for url in PUBLIC_URLS if url != CONDITION)
    assert still_cached(*PUBLIC_URLS)


def test_clear_page_cache_says_so_when_the_cache_is_down(site, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    with pytest.raises(CommandError, match="could not be cleared"):
        call_command("clear_page_cache")
