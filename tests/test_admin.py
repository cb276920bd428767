"""The admin is the staff's whole UI: it must work, explain itself and refuse bad input clearly."""

import pytest
from django.core.files.base import ContentFile

from conditions.models import CaseImage, Condition
from procedures.models import Procedure
from tests.conftest import (
    approve_in_admin,
    case_image_form,
    condition_admin_form,
    make_case,
    make_category,
    make_condition,
    make_procedure,
)
from tests.images import png_bytes

pytestmark = pytest.mark.django_db

CONDITION_URL = "/admin/conditions/condition/"


def test_every_admin_screen_loads(staff_client):
    condition = make_condition()
    procedure = make_procedure()
    case = make_case(condition)
    for url in [
        "/admin/",
        CONDITION_URL,
        CONDITION_URL + "add/",
        f"{CONDITION_URL}{condition.pk}/change/",
        "/admin/procedures/procedure/",
        "/admin/procedures/procedure/add/",
        f"/admin/procedures/procedure/{procedure.pk}/change/",
        "/admin/procedures/procedurecategory/",
        "/admin/procedures/imagingmodality/",
        "/admin/conditions/casestudy/",
        f"/admin/conditions/casestudy/{case.pk}/change/",
    ]:
        assert staff_client.get(url).status_code == 200, url


def test_rich_text_fields_use_ckeditor_with_the_limited_toolbar(staff_client):
    html = staff_client.get(CONDITION_URL + "add/").content.decode()
    assert "django_ckeditor_5/dist/bundle.js" in html
    assert html.count('class="django_ckeditor_5"') == len(Condition.SECTIONS)
    for item in ["bulletedList", "numberedList", "blockQuote", "insertTable", "heading3", "heading4", "link"]:
        assert item in html
    for absent in ["imageUpload", "mediaEmbed", "sourceEditing", "fontColor", "heading2"]:
        assert absent not in html


def test_staff_can_create_a_condition_approve_it_and_find_it_in_the_list(staff_client):
    data = condition_admin_form(status="review", last_reviewed="2026-01-15", reviewed_by="Consultant radiologist")
    response = staff_client.post(CONDITION_URL + "add/", data)
    assert response.status_code == 302
    condition = Condition.objects.get(slug="bone-pain-from-cancer")
    assert approve_in_admin(staff_client, condition).status_code == 302
    condition.refresh_from_db()
    assert condition.first_published_at is not None
    listing = staff_client.get(CONDITION_URL + "?q=bone").content.decode()
    assert "Bone pain from cancer" in listing


def test_linked_procedures_are_an_ordered_inline_with_autocomplete(staff_client):
    procedure = make_procedure()
    html = staff_client.get(CONDITION_URL + "add/").content.decode()
    assert "admin-autocomplete" in html and "condition_procedures-0-order" in html
    data = condition_admin_form(
        **{
            "condition_procedures-TOTAL_FORMS": "1",
            "condition_procedures-0-procedure": str(procedure.pk),
            "condition_procedures-0-order": "3",
        }
    )
    assert staff_client.post(CONDITION_URL + "add/", data).status_code == 302
    assert Condition.objects.get().condition_procedures.get().order == 3


def test_list_pages_filter_by_status_and_category(staff_client):
    make_procedure(name="Draft one", status="draft")
    make_procedure(name="Nerve block", category=make_category(name="Nerve block and ablation"))
    html = staff_client.get("/admin/procedures/procedure/?status__exact=draft").content.decode()
    assert "Draft one" in html and "Nerve block</a>" not in html
    category = make_category(name="Nerve block and ablation")
    html = staff_client.get(f"/admin/procedures/procedure/?category__id__exact={category.pk}").content.decode()
    assert "Nerve block" in html and "Draft one" not in html


def test_case_images_show_a_thumbnail_and_view_on_site_links_to_the_page(staff_client):
    condition = make_condition()
    case = make_case(condition, images=2)
    html = staff_client.get(f"/admin/conditions/casestudy/{case.pk}/change/").content.decode()
    for image in case.images.all():
        assert f'<img src="{image.src}"' in html
    html = staff_client.get(f"{CONDITION_URL}{condition.pk}/change/").content.decode()
    assert "View on site" in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"summary": "x" * 301}, "summary", "at most 300 characters"),
        ({"slug": "Not a slug!"}, "slug", "Enter a valid “slug”"),
        ({"status": "live"}, "status", "Select a valid choice"),
        ({"status": "published"}, "status", "A page is published by approving it"),
        ({"last_reviewed": "31/02/2026"}, "last_reviewed", "Enter a valid date"),
        ({"next_review_due": "in three years"}, "next_review_due", "Enter a valid date"),
        ({"reviewed_by": "x" * 201}, "reviewed_by", "at most 200 characters"),
    ],
)
def test_condition_form_refuses_bad_input(staff_client, overrides, field, message):
    response = staff_client.post(CONDITION_URL + "add/", condition_admin_form(**overrides))
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors[field])
    assert not Condition.objects.exists()


def test_review_due_cannot_come_before_the_last_review(staff_client):
    response = staff_client.post(
        CONDITION_URL + "add/", condition_admin_form(last_reviewed="2026-05-01", next_review_due="2026-04-01")
    )
    assert response.status_code == 200
    assert "review_due_after_last_review" in str(response.context["adminform"].form.errors)
    assert not Condition.objects.exists()


def test_duplicate_slug_is_refused(staff_client):
    make_condition()
    response = staff_client.post(CONDITION_URL + "add/", condition_admin_form())
    assert "already exists" in str(response.context["adminform"].form.errors["slug"])
    assert Condition.objects.count() == 1


def test_the_same_procedure_cannot_be_linked_twice(staff_client):
    procedure = make_procedure()
    data = condition_admin_form(
        **{
            "condition_procedures-TOTAL_FORMS": "2",
            "condition_procedures-0-procedure": str(procedure.pk),
            "condition_procedures-0-order": "1",
            "condition_procedures-1-procedure": str(procedure.pk),
            "condition_procedures-1-order": "2",
        }
    )
    response = staff_client.post(CONDITION_URL + "add/", data)
    assert response.status_code == 200
    assert "Please correct the duplicate data" in response.content.decode()
    assert not Condition.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"summary": "y" * 301}, "summary", "at most 300 characters"),
        ({"category": ""}, "category", "This field is required."),
        ({"sedation": "hypnosis"}, "sedation", "Select a valid choice"),
        ({"typical_stay": "week"}, "typical_stay", "Select a valid choice"),
    ],
)
def test_procedure_form_refuses_bad_input(staff_client, overrides, field, message):
    category = make_category()
    data = {"name": "Vertebroplasty", "slug": "vertebroplasty", "summary": "Cement.", "category": category.pk}
    data.update({"status": "draft", **overrides})
    response = staff_client.post("/admin/procedures/procedure/add/", data)
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors[field])
    assert not Procedure.objects.exists()


def test_a_procedure_cannot_be_its_own_parent(staff_client):
    procedure = make_procedure()
    data = {
        "name": procedure.name,
        "slug": procedure.slug,
        "summary": procedure.summary,
        "category": procedure.category_id,
        "parent": procedure.pk,
        "status": "published",
    }
    response = staff_client.post(f"/admin/procedures/procedure/{procedure.pk}/change/", data)
    assert response.status_code == 200
    assert "cannot be a kind of itself" in str(response.context["adminform"].form.errors["parent"])
    procedure.refresh_from_db()
    assert procedure.parent is None


def test_procedures_cannot_be_kinds_of_each_other_in_a_loop(staff_client):
    cementoplasty = make_procedure(name="Cementoplasty")
    vertebroplasty = make_procedure(name="Vertebroplasty", parent=cementoplasty)
    data = {
        "name": cementoplasty.name,
        "slug": cementoplasty.slug,
        "summary": cementoplasty.summary,
        "category": cementoplasty.category_id,
        "parent": vertebroplasty.pk,
        "status": "published",
    }
    response = staff_client.post(f"/admin/procedures/procedure/{cementoplasty.pk}/change/", data)
    assert "cannot be a kind of itself" in str(response.context["adminform"].form.errors["parent"])
    cementoplasty.refresh_from_db()
    assert cementoplasty.parent is None


def test_staff_can_add_a_case_image_in_the_inline(staff_client):
    case = make_case(make_condition(status="draft"), images=0)
    response = staff_client.post(
        f"/admin/conditions/casestudy/{case.pk}/change/", case_image_form(case, image=png_bytes(name="b.png"))
    )
    assert response.status_code == 302
    assert case.images.get().label == "A"


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ({"alt_text": ""}, "This field is required."),
        ({"caption": ""}, "This field is required."),
        ({"stage": "sometime"}, "Select a valid choice"),
        ({"label": "ABCD"}, "at most 3 characters"),
        ({"image": None}, "This field is required."),
    ],
)
def test_case_image_inline_refuses_bad_input(staff_client, image, message):
    case = make_case(make_condition(), images=0)
    image.setdefault("image", png_bytes())
    if image["image"] is None:
        del image["image"]
    response = staff_client.post(f"/admin/conditions/casestudy/{case.pk}/change/", case_image_form(case, **image))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CaseImage.objects.exists()


def test_a_non_image_file_is_refused(staff_client):
    case = make_case(make_condition(), images=0)
    fake = ContentFile(b"<html><script>alert(1)</script></html>", name="scan.png")
    response = staff_client.post(f"/admin/conditions/casestudy/{case.pk}/change/", case_image_form(case, image=fake))
    assert response.status_code == 200
    assert "not an image" in response.content.decode()
    assert not CaseImage.objects.exists()


def test_two_images_in_one_case_cannot_share_a_label(staff_client):
    case = make_case(make_condition(), images=1)  # has label A
    response = staff_client.post(
        f"/admin/conditions/casestudy/{case.pk}/change/",
        {
            **case_image_form(case, image=png_bytes(), label="A"),
            "images-TOTAL_FORMS": "2",
            "images-INITIAL_FORMS": "1",
            "images-0-id": str(case.images.get().pk),
            "images-0-case_study": str(case.pk),
            "images-0-label": "A",
            "images-1-label": "A",
            "images-1-stage": "after",
            "images-1-caption": "After.",
            "images-1-alt_text": "Smaller tumour.",
            "images-1-image": png_bytes(),
        },
    )
    assert response.status_code == 200
    assert case.images.count() == 1


def test_the_editor_upload_endpoint_refuses_every_upload(staff_client, client):
    for who in (staff_client, client):
        response = who.post("/ckeditor5/image_upload/", {"upload": png_bytes()})
        assert response.status_code == 403
        assert "case study" in response.json()["error"]["message"]


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(CONDITION_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_summaries_and_image_descriptions_are_edited_in_a_text_box_with_their_limit(staff_client):
    html = staff_client.get(CONDITION_URL + "add/").content.decode()
    assert '<textarea name="summary" cols="40" rows="3" maxlength="300"' in html
    case = make_case(make_condition(), images=0)
    html = staff_client.get(f"/admin/conditions/casestudy/{case.pk}/change/").content.decode()
    assert 'name="images-0-alt_text"' in html and '<textarea name="images-0-alt_text"' in html
