"""Unpublished content is invisible to the public, everywhere."""

import pytest

from publishing.models import Status
from tests.conftest import link, make_case, make_category, make_condition, make_procedure

pytestmark = pytest.mark.django_db

PUBLIC_LISTS = ["/", "/conditions/", "/procedures/"]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW])
def test_anonymous_cannot_see_unpublished_condition(client, status):
    condition = make_condition(name="Secret condition", status=status)
    assert client.get(condition.get_absolute_url()).status_code == 404
    for url in PUBLIC_LISTS:
        assert "Secret condition" not in client.get(url).content.decode()
    assert "Secret condition" not in client.get("/search/?q=secret").content.decode()


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW])
def test_anonymous_cannot_see_unpublished_procedure(client, status):
    procedure = make_procedure(name="Secret procedure", status=status)
    assert client.get(procedure.get_absolute_url()).status_code == 404
    for url in PUBLIC_LISTS:
        assert "Secret procedure" not in client.get(url).content.decode()
    assert "Secret procedure" not in client.get("/search/?q=secret").content.decode()


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
    page = client.get(condition.get_absolute_url()).content.decode()
    assert "Public one" in page
    assert "Hidden one" not in page


def test_procedure_page_leaves_out_unpublished_relations(client):
    parent = make_procedure(name="Draft parent", status=Status.DRAFT)
    procedure = make_procedure(name="Vertebroplasty", parent=parent)
    procedure.related.add(make_procedure(name="Draft ablation", status=Status.REVIEW))
    make_procedure(name="Draft variant", parent=procedure, status=Status.DRAFT)
    link(make_condition(name="Draft condition", status=Status.DRAFT), procedure)
    page = client.get(procedure.get_absolute_url()).content.decode()
    for hidden in ["Draft parent", "Draft ablation", "Draft variant", "Draft condition"]:
        assert hidden not in page


def test_case_study_without_consent_is_never_shown(client):
    condition = make_condition()
    make_case(condition, title="Consented case")
    make_case(condition, title="Unconsented case", consent_recorded=False)
    page = client.get(condition.get_absolute_url()).content.decode()
    assert "Consented case" in page
    assert "Unconsented case" not in page


def test_case_study_does_not_link_an_unpublished_procedure(client):
    condition = make_condition()
    make_case(condition, procedure=make_procedure(name="Draft cryoablation", status=Status.DRAFT))
    assert "Draft cryoablation" not in client.get(condition.get_absolute_url()).content.decode()


def test_category_with_only_unpublished_procedures_is_left_out(client):
    category = make_category(name="Embolisation")
    make_procedure(name="Uterine embolisation", category=category, status=Status.DRAFT)
    assert "Embolisation" not in client.get("/procedures/").content.decode()
