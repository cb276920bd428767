"""Roles and review before publishing: editors write, clinical reviewers publish, and the server enforces it."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from reversion.models import Version

from conditions.models import Condition
from procedures.models import ProcedureCategory
from publishing.models import Status
from tests.conftest import (
    approve_in_admin,
    change_form_data,
    condition_admin_form,
    make_category,
    make_condition,
    make_procedure,
)

pytestmark = pytest.mark.django_db

CONDITION_URL = "/admin/conditions/condition/"


def errors(response):
    assert response.status_code == 200, "expected the form back with errors"
    form = response.context["adminform"].form
    return {field: " ".join(messages) for field, messages in form.errors.items()}


def test_a_fresh_install_has_the_two_roles():
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    reviewers = set(Group.objects.get(name="Clinical reviewers").permissions.values_list("codename", flat=True))
    for model in ["condition", "procedure", "casestudy", "caseimage", "procedurecategory"]:
        assert {f"view_{model}", f"add_{model}", f"change_{model}"} <= editors
    assert editors < reviewers
    assert not {"publish_condition", "publish_procedure", "delete_condition", "delete_procedure"} & editors
    assert {"publish_condition", "publish_procedure", "delete_condition", "delete_procedure"} <= reviewers


def test_an_editor_can_write_a_draft_and_send_it_for_review(editor_client):
    assert editor_client.post(CONDITION_URL + "add/", condition_admin_form()).status_code == 302
    condition = Condition.objects.get()
    assert condition.status == Status.DRAFT
    data = change_form_data(editor_client, condition.get_admin_url(), status="review")
    assert editor_client.post(condition.get_admin_url(), data).status_code == 302
    condition.refresh_from_db()
    assert condition.status == Status.REVIEW


def test_an_editor_is_offered_only_draft_and_review_and_read_only_review_fields(editor_client):
    form = editor_client.get(CONDITION_URL + "add/").context["adminform"].form
    assert [value for value, _ in form.fields["status"].choices] == ["draft", "review"]
    for name in ["last_reviewed", "next_review_due", "reviewed_by"]:
        assert form.fields[name].widget.attrs["readonly"]


def test_a_reviewer_can_unpublish_in_the_form_but_publishes_only_by_approving(editor_client, reviewer_client):
    editor_client.get(CONDITION_URL + "add/")  # an editor's limits must not leak into the next form
    form = reviewer_client.get(CONDITION_URL + "add/").context["adminform"].form
    assert [value for value, _ in form.fields["status"].choices] == ["draft", "review"]
    for name in ["last_reviewed", "next_review_due", "reviewed_by"]:
        assert "readonly" not in form.fields[name].widget.attrs
    form = reviewer_client.get(make_condition().get_admin_url()).context["adminform"].form
    assert [value for value, _ in form.fields["status"].choices] == ["draft", "published"]


@pytest.mark.parametrize("client_name", ["editor_client", "reviewer_client"])
def test_a_crafted_post_cannot_publish_a_new_page_from_the_form(request, client_name):
    client = request.getfixturevalue(client_name)
    data = condition_admin_form(status="published", last_reviewed="2026-01-15", reviewed_by="Consultant radiologist")
    found = errors(client.post(CONDITION_URL + "add/", data))
    assert "A page is published by approving it" in found["status"]
    assert not Condition.objects.exists()


def test_a_crafted_post_by_an_editor_cannot_publish_a_page_in_review(editor_client):
    condition = make_condition(status=Status.REVIEW)
    count = condition.edit_count
    data = change_form_data(editor_client, condition.get_admin_url(), status="published", name="Renamed")
    found = errors(editor_client.post(condition.get_admin_url(), data))
    assert "A page is published by approving it" in found["status"]
    condition.refresh_from_db()
    assert (condition.status, condition.name, condition.edit_count) == (Status.REVIEW, "Bone pain from cancer", count)


@pytest.mark.parametrize("status", ["draft", "review"])
def test_a_crafted_post_by_an_editor_cannot_unpublish_a_page(editor_client, status):
    condition = make_condition()
    data = change_form_data(editor_client, condition.get_admin_url(), status=status)
    assert "Only clinical reviewers" in errors(editor_client.post(condition.get_admin_url(), data))["status"]
    condition.refresh_from_db()
    assert condition.status == Status.PUBLISHED


@pytest.mark.parametrize(
    ("field", "value"),
    [("last_reviewed", "2027-01-01"), ("next_review_due", "2030-01-01"), ("reviewed_by", "Me"), ("reviewed_by", "")],
)
def test_a_crafted_post_by_an_editor_cannot_change_review_fields(editor_client, field, value):
    condition = make_condition(status=Status.REVIEW)
    before = getattr(condition, field)
    data = change_form_data(editor_client, condition.get_admin_url(), **{field: value})
    found = errors(editor_client.post(condition.get_admin_url(), data))
    assert "Only clinical reviewers can change the review dates, reviewer and expiry." in found[field]
    condition.refresh_from_db()
    assert getattr(condition, field) == before


def test_a_crafted_post_by_an_editor_cannot_set_review_fields_on_a_new_page(editor_client):
    found = errors(editor_client.post(CONDITION_URL + "add/", condition_admin_form(last_reviewed="2026-01-15")))
    assert "Only clinical reviewers" in found["last_reviewed"]
    assert not Condition.objects.exists()


def test_an_editor_can_correct_a_published_page_which_waits_for_review(editor_client):
    procedure = make_procedure()
    url = procedure.get_admin_url()
    response = editor_client.post(url, change_form_data(editor_client, url, summary="Clearer words."))
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert (procedure.summary, procedure.status) == ("Vertebroplasty explained in plain words.", Status.PUBLISHED)
    assert "Clearer words." in procedure.pending().data


def test_an_editor_cannot_publish_a_procedure_either(editor_client):
    procedure = make_procedure(status=Status.REVIEW)
    url = procedure.get_admin_url()
    found = errors(editor_client.post(url, change_form_data(editor_client, url, status="published")))
    assert "A page is published by approving it" in found["status"]
    assert approve_in_admin(editor_client, procedure).status_code == 302
    procedure.refresh_from_db()
    assert procedure.status == Status.REVIEW


def test_a_reviewer_publishes_a_page_with_its_review_details(reviewer_client):
    condition = make_condition(status=Status.REVIEW, last_reviewed=None, next_review_due=None, reviewed_by="")
    response = approve_in_admin(
        reviewer_client, condition, next_review_due="2028-03-01", reviewed_by="Consultant interventional radiologist"
    )
    assert response.status_code == 302
    condition.refresh_from_db()
    assert condition.status == Status.PUBLISHED
    assert condition.first_published_at is not None
    assert condition.last_reviewed == datetime.date(2026, 3, 1)
    assert condition.next_review_due == datetime.date(2028, 3, 1)
    assert condition.live_version().number == 1


@pytest.mark.parametrize(
    ("missing", "message"),
    [({"last_reviewed": ""}, "This field is required"), ({"reviewed_by": "  "}, "This field is required")],
)
def test_publishing_needs_a_last_review_date_and_a_reviewer(reviewer_client, missing, message):
    condition = make_condition(status=Status.REVIEW, last_reviewed=None, next_review_due=None, reviewed_by="")
    response = approve_in_admin(reviewer_client, condition, **missing)
    assert response.status_code == 200
    assert message in str(response.context["approve_form"].errors)
    condition.refresh_from_db()
    assert condition.status == Status.REVIEW


def test_the_database_refuses_a_published_page_without_review_details():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_condition(last_reviewed=None, next_review_due=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_procedure(reviewed_by="")


def test_next_review_due_defaults_to_the_review_interval_after_the_last_review(settings, reviewer_client):
    settings.REVIEW_INTERVAL_DAYS = 3 * 365
    condition = make_condition(last_reviewed=datetime.date(2026, 3, 1), next_review_due=None)
    assert condition.next_review_due == datetime.date(2029, 2, 28)  # 1,095 days on: 2028 is a leap year
    settings.REVIEW_INTERVAL_DAYS = 30
    procedure = make_procedure(last_reviewed=datetime.date(2026, 3, 1))
    assert procedure.next_review_due == datetime.date(2026, 3, 31)


def test_a_reviewer_can_leave_next_review_due_empty_in_the_admin(settings, reviewer_client):
    settings.REVIEW_INTERVAL_DAYS = 365
    condition = make_condition(status=Status.REVIEW, last_reviewed=None, next_review_due=None, reviewed_by="")
    assert approve_in_admin(reviewer_client, condition, reviewed_by="Consultant").status_code == 302
    condition.refresh_from_db()
    assert condition.next_review_due == datetime.date(2027, 3, 1)


def test_a_chosen_next_review_due_is_kept():
    condition = make_condition(last_reviewed=datetime.date(2026, 3, 1), next_review_due=datetime.date(2027, 1, 1))
    assert condition.next_review_due == datetime.date(2027, 1, 1)


def test_only_reviewers_can_delete_pages(editor_client, reviewer_client):
    condition = make_condition()
    assert editor_client.post(condition.get_admin_url().replace("change", "delete"), {"post": "yes"}).status_code == 403
    assert Condition.objects.exists()
    assert (
        reviewer_client.post(condition.get_admin_url().replace("change", "delete"), {"post": "yes"}).status_code == 302
    )
    assert not Condition.objects.exists()


def test_publishing_and_unpublishing_are_recorded_with_who_and_when(reviewer, reviewer_client):
    procedure = make_procedure(status=Status.REVIEW)
    url = procedure.get_admin_url()
    approve_in_admin(reviewer_client, procedure)
    reviewer_client.post(url, change_form_data(reviewer_client, url, status="draft"))
    revisions = [version.revision for version in Version.objects.get_for_object(procedure).order_by("pk")]
    assert [revision.get_comment().split(":")[0].split(".")[0] for revision in revisions] == [
        "Published",
        "Unpublished (now draft)",
    ]
    assert all(revision.user == reviewer and revision.date_created for revision in revisions)
    log = LogEntry.objects.filter(object_id=str(procedure.pk)).order_by("pk")
    assert [entry.get_change_message().split(":")[0].split(".")[0] for entry in log] == [
        "Published",
        "Unpublished (now draft)",
    ]
    assert all(entry.user == reviewer for entry in log)


def test_sending_for_review_is_recorded_too(editor_client):
    editor_client.post(CONDITION_URL + "add/", condition_admin_form(status="review"))
    version = Version.objects.get_for_model(Condition).get()
    assert version.revision.get_comment().startswith("Status changed to in review.")


def test_category_admin_is_open_to_editors_but_deleting_is_not(editor_client):
    category = make_category(name="Embolisation")
    url = f"/admin/procedures/procedurecategory/{category.pk}/"
    assert editor_client.get(url + "change/").status_code == 200
    assert editor_client.post(url + "delete/", {"post": "yes"}).status_code == 403
    assert ProcedureCategory.objects.filter(pk=category.pk).exists()
