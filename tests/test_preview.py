"""Staff preview: an unpublished page at its public address, for staff who may edit it and nobody else."""

import pytest

from publishing.models import Status
from tests.conftest import link, logged_in, make_case, make_condition, make_procedure, make_staff, public_html
from tests.html import Outline

pytestmark = pytest.mark.django_db

BANNER = "Preview — not published."


def make_page(kind, **kwargs):
    return make_condition(**kwargs) if kind == "condition" else make_procedure(**kwargs)


@pytest.mark.parametrize("kind", ["condition", "procedure"])
@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW])
def test_staff_can_preview_an_unpublished_page(editor_client, kind, status):
    page = make_page(kind, status=status, last_reviewed=None, reviewed_by="")
    response = editor_client.get(page.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert BANNER in html
    assert f"Status: {page.get_status_display()}." in html
    assert f'href="{page.get_admin_url()}"' in html
    assert Outline(html).texts("h1") == [page.name]


@pytest.mark.parametrize("kind", ["condition", "procedure"])
def test_a_preview_is_never_indexed_or_cached(reviewer_client, kind):
    page = make_page(kind, status=Status.DRAFT)
    response = reviewer_client.get(page.get_absolute_url())
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control


@pytest.mark.parametrize("kind", ["condition", "procedure"])
def test_anonymous_visitors_and_non_staff_still_get_404(client, django_user_model, kind):
    page = make_page(kind, status=Status.DRAFT)
    assert client.get(page.get_absolute_url()).status_code == 404
    patient = django_user_model.objects.create_user("patient", "p@example.org", "a long enough password 1")
    assert logged_in(patient).get(page.get_absolute_url()).status_code == 404


def test_staff_without_change_permission_get_404(db):
    page = make_condition(status=Status.DRAFT)
    assert logged_in(make_staff("porter")).get(page.get_absolute_url()).status_code == 404


def test_a_published_page_shows_staff_no_banner_but_no_cache_may_keep_it(editor_client):
    page = make_condition()
    response = editor_client.get(page.get_absolute_url())
    html = response.content.decode()
    assert BANNER not in html and "noindex" not in html and "X-Robots-Tag" not in response
    # The same address shows staff a preview once there are pending changes (publishing/page_cache.py).
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_preview_shows_what_patients_will_see(editor_client):
    condition = make_condition(status=Status.DRAFT, treatments="<p>Options.</p>")
    link(condition, make_procedure(name="Nerve block"))
    link(condition, make_procedure(name="Unpublished ablation", status=Status.DRAFT))
    make_case(condition, title="Consented case")
    make_case(condition, title="Unconsented case", consent_recorded=False)
    html = editor_client.get(condition.get_absolute_url()).content.decode()
    assert "Nerve block" in html and "Consented case" in html
    assert "Unpublished ablation" not in html and "Unconsented case" not in html


def test_the_preview_leaves_unpublished_pages_out_of_lists_and_search(editor_client):
    make_condition(name="Secret condition", status=Status.DRAFT)
    make_condition(name="Public condition")
    for url in ["/", "/conditions/", "/search/?q=condition"]:
        html = public_html(editor_client, url)
        assert "Public condition" in html and "Secret condition" not in html, url
