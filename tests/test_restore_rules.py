"""Reverting and recovering cannot get round who may publish, and cannot bring back what must stay gone."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from reversion.models import Version

from conditions.models import CaseImage, CaseStudy, Condition
from publishing.models import Status
from tests.conftest import approve_in_admin, change_form_data, make_case, make_category, make_condition, public_html

pytestmark = pytest.mark.django_db


def publish_then_unpublish(reviewer_client, condition):
    """Return the revision in which a reviewer published condition, which is a draft again now."""
    url = condition.get_admin_url()
    assert approve_in_admin(reviewer_client, condition, reviewed_by="Dr").status_code == 302
    published = Version.objects.get_for_object(condition).first()
    assert published.revision.get_comment().startswith("Published")
    assert reviewer_client.post(url, change_form_data(reviewer_client, url, status="draft")).status_code == 302
    return published


def unreviewed_condition():
    return make_condition(status=Status.REVIEW, last_reviewed=None, next_review_due=None, reviewed_by="")


def test_a_category_recover_address_cannot_restore_a_condition(editor_client, reviewer_client, client):
    category = make_category()
    condition = unreviewed_condition()
    published = publish_then_unpublish(reviewer_client, condition)
    url = reverse("admin:procedures_procedurecategory_recover", args=[published.pk])
    data = {"name": category.name, "slug": category.slug, "order": "0", "summary": ""}
    assert editor_client.post(url, data).status_code == 404
    assert reviewer_client.post(url, data).status_code == 404
    condition.refresh_from_db()
    assert condition.status == Status.DRAFT
    assert client.get(condition.get_absolute_url()).status_code == 404


def test_a_case_study_revert_address_cannot_restore_a_condition(editor_client, reviewer_client):
    condition = unreviewed_condition()
    case = make_case(condition, images=0)
    published = publish_then_unpublish(reviewer_client, condition)
    url = reverse("admin:conditions_casestudy_revision", args=[case.pk, published.pk])
    data = change_form_data(reviewer_client, reverse("admin:conditions_casestudy_change", args=[case.pk]))
    assert editor_client.post(url, data).status_code in (403, 404)
    assert reviewer_client.post(url, data).status_code == 404
    condition.refresh_from_db()
    assert condition.status == Status.DRAFT


def test_editors_cannot_recover_a_case_study_deleted_for_withdrawn_consent(
    editor_client, reviewer_client, client, django_capture_on_commit_callbacks
):
    condition = make_condition(treatments="<p>Options.</p>")
    case = make_case(condition, images=0, title="Withdrawn case")
    make_case(condition, images=0, title="Another case")
    with django_capture_on_commit_callbacks(execute=True):
        reviewer_client.post(f"/admin/conditions/casestudy/{case.pk}/delete/", {"post": "yes"})
    url = reverse("admin:conditions_casestudy_recover", args=[Version.objects.get_deleted(CaseStudy).get().pk])
    assert editor_client.get("/admin/conditions/casestudy/recover/").status_code == 403
    assert editor_client.post(url, {}).status_code == 403
    assert list(CaseStudy.objects.values_list("title", flat=True)) == ["Another case"]
    page = public_html(client, condition.get_absolute_url())
    assert "Case study: Another case" in page and "Withdrawn case" not in page


def shown(client, condition):
    """The condition's public page, which must be there and show its consented case."""
    page = public_html(client, condition.get_absolute_url())
    assert "Case study: Consented case" in page
    return page


def test_only_clinical_reviewers_record_consent(editor_client, reviewer_client, client):
    condition = make_condition(treatments="<p>Options.</p>")
    case = make_case(condition, images=0, title="Fresh case", consent_recorded=False)
    make_case(condition, images=0, title="Consented case")
    url = reverse("admin:conditions_casestudy_change", args=[case.pk])
    assert 'name="consent_recorded"' not in editor_client.get(url).content.decode()
    data = {**change_form_data(editor_client, url), "consent_recorded": "on", "summary": "Edited by an editor."}
    assert editor_client.post(url, data).status_code == 302
    # The condition is published, so the edit waits for review, and the crafted consent went nowhere.
    form = editor_client.get(url).context["adminform"].form
    assert form.initial["summary"] == "Edited by an editor."
    assert "consent_recorded" not in form.fields
    assert condition.pending().data.count('"consent_recorded": true') == 1  # the other case's
    assert "Fresh case" not in shown(client, condition)

    data = {**change_form_data(reviewer_client, url), "consent_recorded": "on"}
    assert reviewer_client.post(url, data).status_code == 302
    assert "Fresh case" not in shown(client, condition)
    assert approve_in_admin(reviewer_client, condition).status_code == 302
    assert "Case study: Fresh case" in shown(client, condition)


def test_a_recovered_condition_leaves_out_case_images_whose_pictures_were_deleted(
    reviewer_client, client, django_capture_on_commit_callbacks
):
    condition = make_condition(treatments="<p>Options.</p>")
    make_case(condition, images=1, title="Kept case")
    with django_capture_on_commit_callbacks(execute=True):
        reviewer_client.post(f"/admin/conditions/condition/{condition.pk}/delete/", {"post": "yes"})
    url = reverse("admin:conditions_condition_recover", args=[Version.objects.get_deleted(Condition).get().pk])
    response = reviewer_client.post(url, change_form_data(reviewer_client, url), follow=True)
    assert "came back without their pictures" in response.content.decode()
    assert CaseStudy.objects.get().title == "Kept case"
    assert not CaseImage.objects.exists()
    # Brought back in review: only a new approval publishes it.
    assert Condition.objects.get().status == Status.REVIEW
    assert client.get(condition.get_absolute_url()).status_code == 404
    assert approve_in_admin(reviewer_client, condition).status_code == 302
    page = client.get(condition.get_absolute_url()).content.decode()
    assert "Kept case" in page and "<img" not in page


def test_a_revert_that_publishes_or_unpublishes_is_recorded_as_such(reviewer, reviewer_client):
    condition = unreviewed_condition()
    url = condition.get_admin_url()
    assert reviewer_client.post(url, change_form_data(reviewer_client, url, summary="In review.")).status_code == 302
    in_review = Version.objects.get_for_object(condition).first()
    assert approve_in_admin(reviewer_client, condition, reviewed_by="Dr").status_code == 302

    revert = reverse("admin:conditions_condition_revision", args=[condition.pk, in_review.pk])
    assert reviewer_client.post(revert, change_form_data(reviewer_client, revert)).status_code == 302
    condition.refresh_from_db()
    assert condition.status == Status.REVIEW
    newest = Version.objects.get_for_object(condition).first().revision
    assert newest.get_comment().startswith("Unpublished (now in review).") and newest.user == reviewer
    entry = LogEntry.objects.filter(object_id=str(condition.pk)).latest("pk")
    assert entry.get_change_message() == "Unpublished (now in review)." and entry.user == reviewer
