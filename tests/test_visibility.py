"""Unpublished content is invisible to the public, everywhere."""

import pytest

from publishing.models import Status
from tests.conftest import link, make_case, make_category, make_condition, make_procedure, public_html
from tests.html import Outline

pytestmark = pytest.mark.django_db

# Each list with the search that finds both pages: the published one must be there for the test to mean anything.
CONDITION_LISTS = ["/", "/conditions/", "/search/?q=condition"]
PROCEDURE_LISTS = ["/", "/procedures/", "/search/?q=procedure"]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW])
def test_anonymous_cannot_see_unpublished_condition(client, status):
    condition = make_condition(name="Secret condition", status=status)
    make_condition(name="Public condition")
    assert client.get(condition.get_absolute_url()).status_code == 404
    for url in CONDITION_LISTS:
        html = public_html(client, url)
        assert "Public condition" in html, url
        assert "Secret condition" not in html, url


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW])
def test_anonymous_cannot_see_unpublished_procedure(client, status):
    procedure = make_procedure(name="Secret procedure", status=status)
    make_procedure(name="Public procedure")
    assert client.get(procedure.get_absolute_url()).status_code == 404
    for url in PROCEDURE_LISTS:
        html = public_html(client, url)
        assert "Public procedure" in html, url
        assert "Secret procedure" not in html, url


def test_published_pages_are_visible(client):
    condition = make_condition()
    procedure = make_procedure()
    assert client.get(condition.get_absolute_url()).status_code == 200
    assert client.get(procedure.get_absolute_url()).status_code == 200
    for url in ["/", "/procedures/"]:
        assert procedure.name in client.get(url).content.decode()
    for url in ["/", "/conditions/"]:
        assert condition.name in client.get(url).content.decode()


def test_condition_page_leaves_out_unpublished_linked_procedures(client):
    condition = make_condition()
    link(condition, make_procedure(name="Public one"))
    link(condition, make_procedure(name="Hidden one", status=Status.DRAFT))
    page = public_html(client, condition.get_absolute_url())
    treatments = page.split('id="treatments-heading"')[1].split("</section>")[0]
    assert "Public one" in treatments
    assert "Hidden one" not in page


def test_procedure_page_leaves_out_unpublished_relations(client):
    parent = make_procedure(name="Draft parent", status=Status.DRAFT)
    procedure = make_procedure(name="Vertebroplasty", parent=parent)
    procedure.related.add(
        make_procedure(name="Draft ablation", status=Status.REVIEW), make_procedure(name="Cryoablation")
    )
    make_procedure(name="Draft variant", parent=procedure, status=Status.DRAFT)
    make_procedure(name="Kyphoplasty", parent=procedure)
    link(make_condition(name="Draft condition", status=Status.DRAFT), procedure)
    link(make_condition(name="Bone pain from cancer"), procedure)
    page = public_html(client, procedure.get_absolute_url())
    assert {"Types of vertebroplasty", "Often combined with", "Conditions it treats"} <= set(Outline(page).texts("h2"))
    for shown in ["Cryoablation", "Kyphoplasty", "Bone pain from cancer"]:
        assert shown in page
    # Relations are named in lower case in running text ("a kind of vertebroplasty").
    for hidden in ["draft parent", "draft ablation", "draft variant", "draft condition"]:
        assert hidden not in page.lower()
    assert "is a kind of" not in page
    # The line a draft parent would have had, as a published parent gets it.
    kind = public_html(client, "/procedures/kyphoplasty/")
    assert 'Kyphoplasty is a kind of <a href="/procedures/vertebroplasty/">vertebroplasty</a>.' in kind


def test_case_study_without_consent_is_never_shown(client):
    condition = make_condition()
    make_case(condition, title="Consented case")
    make_case(condition, title="Unconsented case", consent_recorded=False)
    page = public_html(client, condition.get_absolute_url())
    assert "Case study: Consented case" in page
    assert "Unconsented case" not in page


def test_case_study_does_not_link_an_unpublished_procedure(client):
    condition = make_condition()
    make_case(
        condition, title="Draft treatment", procedure=make_procedure(name="Draft cryoablation", status=Status.DRAFT)
    )
    make_case(condition, title="Published treatment", procedure=make_procedure(name="Cementoplasty"))
    page = public_html(client, condition.get_absolute_url())
    assert "Case study: Draft treatment" in page and "Case study: Published treatment" in page
    assert 'Read more about <a href="/procedures/cementoplasty/">cementoplasty</a>.' in page
    # The page names a case's procedure in lower case.
    assert "draft cryoablation" not in page.lower() and "/procedures/draft-cryoablation/" not in page


def test_category_with_only_unpublished_procedures_is_left_out(client):
    make_procedure(name="Uterine embolisation", category=make_category(name="Embolisation"), status=Status.DRAFT)
    make_procedure(name="Vertebroplasty", category=make_category(name="Cementoplasty"))
    assert Outline(public_html(client, "/procedures/")).texts("h2") == ["Cementoplasty"]
    for url in ["/", "/procedures/"]:
        html = public_html(client, url)
        assert "Cementoplasty" in html and "Vertebroplasty" in html, url
        assert "embolisation" not in html.lower(), url
