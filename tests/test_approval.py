"""What patients read is an approved version: edits to a published page wait for a clinical reviewer."""

import datetime
import importlib
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from conditions.models import CaseImage, CaseStudy, Condition
from procedures.models import Procedure
from publishing import versions, workflow
from publishing.models import ApprovedVersion, Status
from tests.conftest import (
    approve_in_admin,
    case_image_form,
    change_form_data,
    link,
    make_case,
    make_condition,
    make_procedure,
    public_html,
    review_url,
)
from tests.images import png_bytes

pytestmark = pytest.mark.django_db

PUBLIC_URLS = ["/", "/conditions/", "/procedures/", "/conditions/bone-pain-from-cancer/", "/procedures/vertebroplasty/"]


@pytest.fixture
def live_page(db):
    condition = make_condition(what_it_is="<p>Stop aspirin a week before.</p>")
    link(condition, make_procedure())
    make_case(condition, images=1)
    return condition


def public_pages(client):
    return {url: client.get(url).content for url in [*PUBLIC_URLS, "/search/?q=bone"]}


def public_case(client, condition):
    """The one case study on the condition's public page, which must be there to show it."""
    html = public_html(client, condition.get_absolute_url())
    assert html.count('class="case-study"') == 1
    return html.split('class="case-study"')[1].split("</figure>")[0]


def stem(image):
    """The random part of an image's file name, which its address and its renditions' carry."""
    return Path(image.image.name).stem


def pending_images(page):
    """The case images in the page's pending version."""
    return [item.object for item in versions.deserialize(page.pending().data) if isinstance(item.object, CaseImage)]


def test_an_editors_change_to_a_live_page_shows_nowhere_public_until_approved(
    live_page, editor_client, reviewer_client, client
):
    before = public_pages(client)
    url = live_page.get_admin_url()
    data = change_form_data(editor_client, url, what_it_is="<p>Stop warfarin five days before.</p>")
    assert editor_client.post(url, data).status_code == 302
    procedure_url = Procedure.objects.get().get_admin_url()
    data = change_form_data(editor_client, procedure_url, name="Vertebroplasty (renamed)", summary="Pending words.")
    assert editor_client.post(procedure_url, data).status_code == 302
    assert public_pages(client) == before  # byte for byte, everywhere
    cache.clear()  # rendered afresh too, not only the copies the page cache kept
    assert public_pages(client) == before
    assert workflow.state(Condition.objects.get()) == "Published · changes awaiting review"
    assert "warfarin" in reviewer_client.get(live_page.get_absolute_url()).content.decode()  # the staff preview
    live = reviewer_client.get(live_page.get_absolute_url() + "?version=live").content.decode()
    assert "aspirin" in live and "Live version." in live

    assert approve_in_admin(reviewer_client, live_page).status_code == 302
    assert "Stop warfarin five days before." in client.get(live_page.get_absolute_url()).content.decode()
    assert "Pending words." not in client.get("/conditions/bone-pain-from-cancer/").content.decode()


def test_editor_changes_to_a_consented_case_wait_and_new_pictures_need_consent_confirmed(
    live_page, editor_client, reviewer_client, client
):
    case = live_page.case_studies.get()
    image = case.images.get()
    url = reverse("admin:conditions_casestudy_change", args=[case.pk])
    page = client.get(live_page.get_absolute_url()).content
    data = {
        **change_form_data(editor_client, url),
        "images-0-caption": "A new caption.",
        "images-0-alt_text": "New alt text.",
        "images-TOTAL_FORMS": "2",
        **{
            f"images-1-{k}": v
            for k, v in {
                "label": "D",
                "stage": "after",
                "caption": "Added.",
                "alt_text": "Added picture.",
                "order": "5",
            }.items()
        },
        "images-1-image": png_bytes(name="d.png"),
    }
    assert editor_client.post(url, data).status_code == 302
    assert client.get(live_page.get_absolute_url()).content == page
    cache.clear()  # rendered afresh too, not only the copy the page cache kept
    assert client.get(live_page.get_absolute_url()).content == page
    assert CaseImage.objects.get().pk == image.pk  # the live row is untouched
    assert image.image.storage.exists(image.image.name)
    shown = public_case(client, live_page)
    assert "Image A caption." in shown and 'alt="Schematic image A."' in shown and stem(image) in shown
    assert "A new caption." not in shown and "New alt text." not in shown and "Added picture." not in shown

    response = approve_in_admin(reviewer_client, live_page)
    assert response.status_code == 200
    assert "Consent covers the new pictures of" in response.content.decode()
    assert client.get(live_page.get_absolute_url()).content == page
    assert approve_in_admin(reviewer_client, live_page, **{f"consent_{case.pk}": "on"}).status_code == 302
    shown = public_case(client, live_page)
    assert "A new caption." in shown and 'alt="New alt text."' in shown and "Added picture." in shown
    assert "Image A caption." not in shown


def test_an_editors_new_file_for_a_consented_picture_waits_and_needs_consent_confirmed(
    live_page, editor_client, reviewer_client, client
):
    case = live_page.case_studies.get()
    image = case.images.get()
    url = reverse("admin:conditions_casestudy_change", args=[case.pk])
    data = change_form_data(editor_client, url, **{"images-0-image": png_bytes(size=(80, 60), name="other.png")})
    assert editor_client.post(url, data).status_code == 302
    (replacement,) = pending_images(live_page)
    assert replacement.pk == image.pk and stem(replacement) != stem(image)
    shown = public_case(client, live_page)
    assert stem(image) in shown and 'alt="Schematic image A."' in shown
    assert stem(replacement) not in shown

    response = approve_in_admin(reviewer_client, live_page)
    assert response.status_code == 200
    assert "Consent covers the new pictures of" in response.content.decode()
    shown = public_case(client, live_page)
    assert stem(image) in shown and stem(replacement) not in shown
    assert approve_in_admin(reviewer_client, live_page, **{f"consent_{case.pk}": "on"}).status_code == 302
    shown = public_case(client, live_page)
    assert stem(replacement) in shown and 'alt="Schematic image A."' in shown
    assert stem(image) not in shown


def test_a_case_study_on_a_published_page_cannot_be_moved(live_page, editor_client, client):
    other = make_condition(name="Another condition")
    case = live_page.case_studies.get()
    url = reverse("admin:conditions_casestudy_change", args=[case.pk])
    response = editor_client.post(url, {**change_form_data(editor_client, url), "condition": other.pk})
    assert "cannot be moved to another condition" in str(response.context["adminform"].form.errors)
    assert live_page.case_studies.count() == 1
    assert "Cryoablation of a spinal tumour" in public_case(client, live_page)
    response = client.get(other.get_absolute_url())
    assert response.status_code == 200 and "Another condition" in response.content.decode()
    assert "Cryoablation of a spinal tumour" not in response.content.decode()
    assert live_page.pending() is None and other.pending() is None


def test_an_editors_move_of_a_consented_case_to_another_procedure_waits_for_approval(
    editor_client, reviewer_client, client
):
    condition = make_condition()
    case = make_case(condition, procedure=make_procedure(name="Cementoplasty"))
    other = make_procedure(name="Microwave ablation")
    url = reverse("admin:conditions_casestudy_change", args=[case.pk])
    assert editor_client.post(url, change_form_data(editor_client, url, procedure=other.pk)).status_code == 302
    assert CaseStudy.objects.get().procedure.name == "Cementoplasty"  # the live row is untouched
    shown = public_case(client, condition)
    assert 'Read more about <a href="/procedures/cementoplasty/">cementoplasty</a>.' in shown
    assert "microwave" not in shown.lower()

    # The pictures are the same, so the consent already recorded covers them.
    assert approve_in_admin(reviewer_client, condition).status_code == 302
    shown = public_case(client, condition)
    assert 'Read more about <a href="/procedures/microwave-ablation/">microwave ablation</a>.' in shown
    assert "cementoplasty" not in shown.lower()


def test_an_unconsented_case_study_blocks_approval(live_page, editor, reviewer_client):
    with versions.editing([live_page], editor):
        make_case(live_page, images=0, title="No consent yet", consent_recorded=False)
    assert not live_page.case_studies.filter(title="No consent yet").exists()
    assert "has no recorded consent" in approve_in_admin(reviewer_client, live_page).content.decode()


@pytest.mark.parametrize("action", ["approve", "send_back"])
def test_an_editors_crafted_review_post_is_refused(live_page, editor_client, action):
    url = live_page.get_admin_url()
    editor_client.post(url, change_form_data(editor_client, url, summary="Pending summary."))
    data = {action: "1", "last_reviewed": "2026-03-01", "reviewed_by": "Me", "comment": "No."}
    response = editor_client.post(review_url(live_page), data, follow=True)
    assert "Only clinical reviewers" in response.content.decode()
    live_page.refresh_from_db()
    assert live_page.summary != "Pending summary." and live_page.pending().sent_back_at is None


def test_sending_for_review_emails_every_active_reviewer(
    live_page, editor, editor_client, reviewer, django_capture_on_commit_callbacks
):
    url = live_page.get_admin_url()
    editor_client.post(url, change_form_data(editor_client, url, summary="Pending summary."))
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(live_page.get_admin_url("request_review"), follow=True)
    assert "sent for review" in response.content.decode()
    assert [message.to for message in mail.outbox] == [[reviewer.email]]
    assert reverse("admin:conditions_condition_review", args=[live_page.pk]) in mail.outbox[0].body
    assert "Waiting for your review" in editor_client.get("/admin/").content.decode()


def test_sending_back_keeps_the_comment_for_the_editor_and_the_history(live_page, editor_client, reviewer_client):
    url = live_page.get_admin_url()
    editor_client.post(url, change_form_data(editor_client, url, summary="Pending summary."))
    response = reviewer_client.post(review_url(live_page), {"send_back": "1", "comment": "Use plainer words."})
    assert response.status_code == 302
    assert "Use plainer words." in editor_client.get(url).content.decode()
    history = editor_client.get(live_page.get_admin_url("history")).content.decode()
    assert "Sent back" in history and "Use plainer words." in history
    blank = reviewer_client.post(review_url(live_page), {"send_back": "1", "comment": " "})
    assert "Say what needs changing" in blank.content.decode()


def test_a_scheduled_approval_goes_live_with_publish_scheduled(live_page, editor_client, reviewer_client, client):
    url = live_page.get_admin_url()
    editor_client.post(url, change_form_data(editor_client, url, summary="Scheduled summary."))
    soon = timezone.localtime() + datetime.timedelta(hours=1)
    response = approve_in_admin(reviewer_client, live_page, go_live_at=soon.strftime("%Y-%m-%dT%H:%M"))
    assert response.status_code == 302
    assert "Scheduled summary." not in client.get("/conditions/").content.decode()
    call_command("publish_scheduled")
    assert "Scheduled summary." not in client.get("/conditions/").content.decode()
    ApprovedVersion.objects.filter(went_live_at__isnull=True).update(go_live_at=timezone.now())
    call_command("publish_scheduled")
    assert "Scheduled summary." in client.get("/conditions/").content.decode()
    past = approve_in_admin(reviewer_client, live_page, go_live_at="2020-01-01T10:00")
    assert "Choose a time in the future" in past.content.decode()


def test_an_expired_page_is_a_404_and_flagged(live_page, client):
    Condition.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert client.get(live_page.get_absolute_url()).status_code == 404
    call_command("publish_scheduled")
    live_page.refresh_from_db()
    assert live_page.expired and live_page.status == Status.DRAFT
    assert workflow.state(live_page) == "Expired"


def test_replaced_pictures_keep_their_files_until_approval(
    live_page, editor_client, reviewer_client, django_capture_on_commit_callbacks
):
    case = live_page.case_studies.get()
    image = case.images.get()
    data = {
        **case_image_form(case, image=png_bytes(name="new.png")),
        "images-INITIAL_FORMS": "1",
        "images-0-id": str(image.pk),
        "images-0-case_study": str(case.pk),
    }
    url = reverse("admin:conditions_casestudy_change", args=[case.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(url, data).status_code == 302
    assert image.image.storage.exists(image.image.name)
    with django_capture_on_commit_callbacks(execute=True):
        assert approve_in_admin(reviewer_client, live_page, **{f"consent_{case.pk}": "on"}).status_code == 302
    assert not image.image.storage.exists(image.image.name)
    assert CaseImage.objects.get().image.all_files_exist()


def test_a_link_added_from_another_page_survives_a_stale_form(reviewer_client):
    first, second = make_procedure(name="First", status="draft"), make_procedure(name="Second", status="draft")
    url = second.get_admin_url()
    stale = change_form_data(reviewer_client, url, summary="Saved from an old form.")
    first.related.add(make_procedure(name="Third", status="draft"), second)
    stale["opened_edit"] = Procedure.objects.get(pk=second.pk).edit_count
    assert reviewer_client.post(url, stale).status_code == 302
    assert first in second.related.all()


def test_the_data_migration_makes_each_published_page_its_own_approved_version(live_page):
    from django.apps import apps

    migration = importlib.import_module("publishing.migrations.0003_published_pages_are_approved")
    draft = make_condition(name="Still a draft", status="draft")
    migration.approve_published_pages(apps, None)
    migration.approve_published_pages(apps, None)  # idempotent
    (version,) = live_page.approved_versions()
    assert version.number == 1 and version.went_live_at and version.reviewed_by == live_page.reviewed_by
    assert versions.same_content(version.data, versions.snapshot(live_page))
    assert not draft.approved_versions().exists() and live_page.live_version() == version


@pytest.mark.parametrize("kind", ["casestudy", "procedurecategory"])
def test_case_studies_and_categories_refuse_a_save_from_a_stale_form(live_page, editor_client, reviewer_client, kind):
    obj = live_page.case_studies.get() if kind == "casestudy" else Procedure.objects.get().category
    url = reverse(f"admin:{obj._meta.app_label}_{kind}_change", args=[obj.pk])
    stale = change_form_data(editor_client, url, summary="Typed long ago.")
    assert reviewer_client.post(url, change_form_data(reviewer_client, url, summary="Saved first.")).status_code == 302
    response = editor_client.post(url, stale)
    assert response.status_code == 200 and "since you opened it" in response.content.decode()
