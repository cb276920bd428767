"""Nothing is ever lost: every admin save is a revision; staff compare, revert and recover."""

import pytest
from django.urls import reverse
from reversion.models import Version

from conditions.models import CaseImage, CaseStudy, Condition, ConditionProcedure
from procedures.models import ProcedureCategory
from publishing.diff import word_diff
from publishing.models import Status
from tests.conftest import (
    approve_in_admin,
    change_form_data,
    link,
    make_case,
    make_category,
    make_condition,
    make_procedure,
)
from tests.images import png_bytes

pytestmark = pytest.mark.django_db


def edit(client, obj, url=None, **changes):
    url = url or obj.get_admin_url()
    response = client.post(url, change_form_data(client, url, **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    return response


def versions(obj):
    return list(Version.objects.get_for_object(obj).select_related("revision__user").order_by("pk"))


def history_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])


def revert_url(obj, version):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_revision", args=[obj.pk, version.pk])


def test_every_admin_save_of_a_page_is_a_revision_with_its_author(editor, editor_client):
    condition = make_condition(status=Status.REVIEW)
    procedure = make_procedure(status=Status.REVIEW)
    edit(editor_client, condition, summary="First change.")
    edit(editor_client, condition, summary="Second change.")
    edit(editor_client, procedure, summary="A change.")
    assert [version.field_dict["summary"] for version in versions(condition)] == ["First change.", "Second change."]
    assert len(versions(procedure)) == 1
    assert {version.revision.user for version in versions(condition) + versions(procedure)} == {editor}


def test_a_condition_revision_includes_its_treatment_links(editor_client):
    condition = make_condition(status=Status.REVIEW)
    link(condition, make_procedure(name="Nerve block"))
    edit(editor_client, condition, summary="Changed.")
    revision = versions(condition)[0].revision
    assert revision.version_set.get_for_model(ConditionProcedure).count() == 1


def test_a_case_study_revision_includes_its_images(editor, editor_client):
    case = make_case(make_condition(status=Status.DRAFT), images=2)
    url = reverse("admin:conditions_casestudy_change", args=[case.pk])
    edit(editor_client, case, url=url, **{"title": "Retitled", "images-0-caption": "New caption."})
    (version,) = versions(case)
    assert version.revision.user == editor
    assert version.revision.version_set.get_for_model(CaseImage).count() == 2


def test_category_saves_are_revisions(editor_client):
    category = make_category(name="Embolisation")
    url = reverse("admin:procedures_procedurecategory_change", args=[category.pk])
    edit(editor_client, category, url=url, summary="Blocking blood vessels.")
    assert versions(category)[0].field_dict["summary"] == "Blocking blood vessels."


def test_the_history_lists_revisions_with_compare_and_revert_links(reviewer_client):
    condition = make_condition()
    edit(reviewer_client, condition, summary="Changed.")
    html = reviewer_client.get(history_url(condition)).content.decode()
    version = versions(condition)[0]
    assert "rita" in html and "Changed Summary." in html
    assert f'href="{revert_url(condition, version)}compare/"' in html
    assert f'href="{revert_url(condition, version)}"' in html


def test_compare_shows_what_changed_since_a_revision_word_by_word(reviewer_client):
    condition = make_condition(what_it_is="<p>Cancer has spread to the bones.</p>", status=Status.DRAFT)
    edit(reviewer_client, condition, summary="Old summary.")
    edit(reviewer_client, condition, summary="New summary.", what_it_is="<p>Cancer has reached the bones.</p>")
    html = reviewer_client.get(revert_url(condition, versions(condition)[0]) + "compare/").content.decode()
    assert "<del>Old</del> <ins>New</ins> summary." in html
    assert "has <del>spread to</del> <ins>reached</ins> the" in html
    assert "Name" not in html.split("<tbody>")[1]  # unchanged fields are left out


def test_compare_shows_changes_to_case_images(editor_client):
    case = make_case(make_condition(status=Status.DRAFT), images=1)
    url = reverse("admin:conditions_casestudy_change", args=[case.pk])
    edit(editor_client, case, url=url, title="First")
    CaseImage.objects.update(caption="Edited caption.")
    html = editor_client.get(revert_url(case, versions(case)[0]) + "compare/").content.decode()
    assert "Case images" in html and "A: <del>Image A</del> <ins>Edited</ins> caption." in html


def test_compare_escapes_what_staff_wrote():
    assert word_diff("<script>x</script>", "safe") == "<del>&lt;script&gt;x&lt;/script&gt;</del> <ins>safe</ins>"


def test_a_reviewer_reverts_in_one_step_and_the_revert_is_a_new_revision(reviewer, reviewer_client):
    condition = make_condition(what_it_is="<p>Original.</p>", status=Status.DRAFT)
    edit(reviewer_client, condition, what_it_is="<p>Original.</p>", summary="Reviewed.")
    edit(reviewer_client, condition, what_it_is="<p>A mistake.</p>")
    first = versions(condition)[0]
    url = revert_url(condition, first)
    assert reviewer_client.post(url, change_form_data(reviewer_client, url)).status_code == 302
    condition.refresh_from_db()
    assert condition.what_it_is == "<p>Original.</p>"
    latest = versions(condition)[-1]
    assert len(versions(condition)) == 3
    assert latest.revision.user == reviewer and latest.revision.get_comment().startswith("Reverted to previous version")


def test_a_revert_keeps_counting_edits_so_older_forms_stay_stale(editor_client, reviewer_client):
    condition = make_condition(status=Status.REVIEW)
    edit(reviewer_client, condition, summary="One.")
    stale = change_form_data(editor_client, condition.get_admin_url(), summary="Typed long ago.")
    edit(reviewer_client, condition, summary="Two.")
    edit(reviewer_client, condition, summary="Three.")
    url = revert_url(condition, versions(condition)[0])
    assert reviewer_client.post(url, change_form_data(reviewer_client, url)).status_code == 302
    condition.refresh_from_db()
    assert condition.summary == "One."
    assert condition.edit_count > stale["opened_edit"]
    assert editor_client.post(condition.get_admin_url(), stale).status_code == 200
    condition.refresh_from_db()
    assert condition.summary == "One."


def test_editors_see_history_and_differences_but_cannot_revert_pages(editor_client, reviewer_client):
    condition = make_condition()
    edit(reviewer_client, condition, summary="Changed.")
    version = versions(condition)[0]
    assert editor_client.get(history_url(condition)).status_code == 200
    assert f'href="{revert_url(condition, version)}"' not in editor_client.get(history_url(condition)).content.decode()
    assert editor_client.get(revert_url(condition, version) + "compare/").status_code == 200
    assert editor_client.get(revert_url(condition, version)).status_code == 403
    assert editor_client.post(revert_url(condition, version), {}).status_code == 403
    assert editor_client.get("/admin/conditions/condition/recover/").status_code == 403
    assert "Recover deleted" not in editor_client.get("/admin/conditions/condition/").content.decode()
    assert "Recover deleted conditions" in reviewer_client.get("/admin/conditions/condition/").content.decode()


def test_a_deleted_page_is_recovered_with_its_links_and_case_studies(reviewer, reviewer_client):
    condition = make_condition()
    link(condition, make_procedure(name="Nerve block"))
    make_case(condition, images=2)
    delete_url = condition.get_admin_url().replace("change", "delete")
    assert reviewer_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Condition.objects.exists() and not CaseStudy.objects.exists()

    listing = reviewer_client.get("/admin/conditions/condition/recover/").content.decode()
    assert "Bone pain from cancer" in listing and "rita" in listing and "Deleted." in listing
    deleted = Version.objects.get_deleted(Condition).get()
    assert deleted.revision.user == reviewer and deleted.revision.get_comment() == "Deleted."

    url = reverse("admin:conditions_condition_recover", args=[deleted.pk])
    assert reviewer_client.post(url, change_form_data(reviewer_client, url)).status_code == 302
    condition = Condition.objects.get()
    assert condition.status == Status.REVIEW  # published again only by a new approval
    assert [p.name for p in condition.procedures.all()] == ["Nerve block"]
    assert CaseStudy.objects.get().images.count() == 2


def test_each_page_of_a_bulk_delete_is_recovered_on_its_own(reviewer_client):
    make_condition(name="First")
    make_condition(name="Second")
    response = reviewer_client.post(
        "/admin/conditions/condition/",
        {
            "action": "delete_selected",
            "_selected_action": list(Condition.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    assert response.status_code == 302 and not Condition.objects.exists()
    first = Version.objects.get_deleted(Condition).get(object_repr="First")
    url = reverse("admin:conditions_condition_recover", args=[first.pk])
    assert reviewer_client.post(url, change_form_data(reviewer_client, url)).status_code == 302
    assert list(Condition.objects.values_list("name", flat=True)) == ["First"]


def test_a_deleted_category_can_be_recovered(reviewer_client):
    category = make_category(name="Embolisation")
    reviewer_client.post(f"/admin/procedures/procedurecategory/{category.pk}/delete/", {"post": "yes"})
    deleted = Version.objects.get_deleted(ProcedureCategory).get()
    url = reverse("admin:procedures_procedurecategory_recover", args=[deleted.pk])
    assert reviewer_client.post(url, change_form_data(reviewer_client, url)).status_code == 302
    assert ProcedureCategory.objects.get().name == "Embolisation"


def test_a_recovered_case_study_asks_for_the_pictures_deleted_with_it(
    reviewer_client, client, django_capture_on_commit_callbacks
):
    condition = make_condition(treatments="<p>Options.</p>", status=Status.DRAFT)
    case = make_case(condition, images=1)
    image = case.images.get()
    with django_capture_on_commit_callbacks(execute=True):
        reviewer_client.post(f"/admin/conditions/casestudy/{case.pk}/delete/", {"post": "yes"})
    assert not image.image.storage.exists(image.image.name)  # gone at once: consent may have been withdrawn

    deleted = Version.objects.get_deleted(CaseStudy).get()
    url = reverse("admin:conditions_casestudy_recover", args=[deleted.pk])
    assert "must be uploaded again" in reviewer_client.get("/admin/conditions/casestudy/recover/").content.decode()
    data = change_form_data(reviewer_client, url)
    response = reviewer_client.post(url, data)
    assert response.status_code == 200
    assert "This picture was deleted and cannot be recovered" in response.content.decode()
    assert not CaseStudy.objects.exists()

    assert reviewer_client.post(url, {**data, "images-0-DELETE": "on"}).status_code == 302
    assert CaseStudy.objects.get().title == case.title
    assert not CaseImage.objects.exists()
    assert approve_in_admin(reviewer_client, condition).status_code == 302
    page = client.get(condition.get_absolute_url()).content.decode()
    assert case.title in page and "<img" not in page


def test_a_recovered_case_image_can_be_uploaded_again(reviewer_client, django_capture_on_commit_callbacks):
    case = make_case(make_condition(status=Status.DRAFT), images=1)
    with django_capture_on_commit_callbacks(execute=True):
        reviewer_client.post(f"/admin/conditions/casestudy/{case.pk}/delete/", {"post": "yes"})
    url = reverse("admin:conditions_casestudy_recover", args=[Version.objects.get_deleted(CaseStudy).get().pk])
    data = {**change_form_data(reviewer_client, url), "images-0-image": png_bytes()}
    assert reviewer_client.post(url, data).status_code == 302
    assert CaseImage.objects.get().image.all_files_exist()


def test_a_new_case_image_can_still_be_uploaded_after_a_revision(editor_client):
    case = make_case(make_condition(status=Status.DRAFT), images=0)
    url = reverse("admin:conditions_casestudy_change", args=[case.pk])
    data = change_form_data(editor_client, url)
    data.update(
        {
            "images-TOTAL_FORMS": "1",
            "images-0-image": png_bytes(),
            "images-0-label": "A",
            "images-0-stage": "before",
            "images-0-caption": "Before.",
            "images-0-alt_text": "A tumour in the spine.",
            "images-0-order": "0",
        }
    )
    assert editor_client.post(url, data).status_code == 302
    assert versions(case)[0].revision.version_set.get_for_model(CaseImage).count() == 1


def test_editing_a_list_in_place_is_a_revision(editor_client):
    category = make_category(name="Embolisation", order=1)
    response = editor_client.post(
        "/admin/procedures/procedurecategory/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(category.pk),
            "form-0-order": "5",
            "action": "",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    assert versions(category)[0].field_dict["order"] == 5


def test_saving_what_the_editor_sends_back_unchanged_records_no_change(reviewer_client):
    link_html = '<p>See <a href="https://www.nhs.uk/">the NHS</a>.</p>'
    condition = make_condition(what_it_is=link_html)
    # CKEditor posts an empty section as an empty paragraph and drops the rel the sanitiser added.
    edit(reviewer_client, condition, what_it_is=link_html, symptoms="<p>&nbsp;</p>")
    assert versions(condition)[0].revision.get_comment() == "No fields changed."
