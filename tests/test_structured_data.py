"""Each condition and procedure page describes itself to machines in schema.org JSON-LD, from its approved version."""

import datetime
import json
import re

import pytest

from publishing import workflow
from publishing.structured_data import json_for_script
from tests.conftest import approve_in_admin, change_form_data, link, make_condition, make_procedure, public_html

pytestmark = pytest.mark.django_db

CONDITION = "/conditions/bone-pain-from-cancer/"
PROCEDURE = "/procedures/vertebroplasty/"
SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def medical_web_pages(html):
    """Every MedicalWebPage the page embeds, parsed."""
    found = [json.loads(body) for body in SCRIPT.findall(html)]
    return [data for data in found if data.get("@type") == "MedicalWebPage"]


def json_ld(client, url):
    pages = medical_web_pages(public_html(client, url))
    assert len(pages) == 1, pages
    return pages[0]


@pytest.fixture
def condition(db):
    condition = make_condition(
        also_known_as="bone metastases, secondary bone cancer",
        last_reviewed=datetime.date(2026, 3, 2),
        next_review_due=datetime.date(2029, 3, 2),
    )
    link(condition, make_procedure())
    return condition


def test_a_condition_page_is_a_medical_web_page_about_a_medical_condition(client, condition):
    html = public_html(client, CONDITION)
    data = json_ld(client, CONDITION)
    assert data["@context"] == "https://schema.org"
    assert data["url"] == "http://testserver" + CONDITION
    assert data["name"] == "Bone pain from cancer"
    assert data["audience"] == {"@type": "Patient"}
    assert data["reviewedBy"] == {"@type": "Person", "jobTitle": "Consultant interventional radiologist"}
    assert data["inLanguage"] == "en-GB"
    # The dates are the page's own: the one it shows and the one its Last-Modified header sends.
    assert data["lastReviewed"] == "2026-03-02"
    assert '<time datetime="2026-03-02">2 March 2026</time>' in html
    condition.refresh_from_db()
    assert datetime.datetime.fromisoformat(data["dateModified"]) == condition.updated_at.replace(microsecond=0)
    assert data["about"] == {
        "@type": "MedicalCondition",
        "name": "Bone pain from cancer",
        "description": "Pain caused by cancer that has spread to the bones.",
        "alternateName": ["bone metastases", "secondary bone cancer"],
        "possibleTreatment": [
            {"@type": "MedicalProcedure", "name": "Vertebroplasty", "url": "http://testserver" + PROCEDURE}
        ],
    }


def test_a_procedure_page_is_a_medical_web_page_about_a_medical_procedure(client, condition):
    data = json_ld(client, PROCEDURE)
    assert data["about"] == {
        "@type": "MedicalProcedure",
        "name": "Vertebroplasty",
        "description": "Vertebroplasty explained in plain words.",
    }
    assert data["lastReviewed"] == "2026-01-15" and data["audience"] == {"@type": "Patient"}


def test_the_lists_and_the_home_page_have_no_medical_web_page(client, condition):
    for url in ["/", "/conditions/", "/procedures/"]:
        assert medical_web_pages(public_html(client, url)) == [], url


def test_a_name_that_closes_the_script_element_stays_inside_it(client):
    name = 'Pain </script><script>alert("x")</script> & <!-- more'
    make_condition(name=name, slug="tricky", summary="A </SCRIPT> summary.")
    html = public_html(client, "/conditions/tricky/")
    # Two blocks, the page and its breadcrumbs, both naming the page: neither may end early.
    bodies = SCRIPT.findall(html)
    assert len(bodies) == 2 and not any(char in body for body in bodies for char in "<>&")
    [data] = medical_web_pages(html)
    [crumbs] = [json.loads(body) for body in bodies if json.loads(body)["@type"] == "BreadcrumbList"]
    assert crumbs["itemListElement"][-1]["name"] == name
    assert data["name"] == name and data["about"]["description"] == "A </SCRIPT> summary."
    assert '<script>alert("x")' not in html


def test_json_for_script_escapes_what_html_reads_and_json_does_not():
    assert json_for_script({"a": "</script>&<!--"}) == '{"a": "\\u003c/script\\u003e\\u0026\\u003c!--"}'
    assert json.loads(json_for_script({"a": "</script>&<!--"})) == {"a": "</script>&<!--"}


def test_pending_changes_never_reach_the_json_ld(client, condition, editor_client):
    url = condition.get_admin_url()
    data = change_form_data(editor_client, url, name="Pending new name", summary="A pending summary.")
    assert editor_client.post(url, data).status_code == 302
    data = json_ld(client, CONDITION)
    assert data["name"] == "Bone pain from cancer"
    assert "Pending" not in json.dumps(data) and "pending" not in json.dumps(data)


def test_an_approval_reaches_the_json_ld_of_the_cached_page(client, condition, editor_client, reviewer_client):
    json_ld(client, CONDITION)  # cached now
    url = condition.get_admin_url()
    editor_client.post(url, change_form_data(editor_client, url, name="Cancer bone pain"))
    assert approve_in_admin(reviewer_client, condition, last_reviewed="2026-11-20").status_code == 302
    data = json_ld(client, CONDITION)
    assert data["name"] == "Cancer bone pain" and data["lastReviewed"] == "2026-11-20"


def test_a_preview_embeds_no_json_ld(condition, editor_client):
    make_condition(name="Draft condition", status="draft")
    html = public_html(editor_client, "/conditions/draft-condition/")
    assert "Draft condition" in html and SCRIPT.findall(html) == []


def test_unpublished_and_expired_pages_have_none_to_give(client, condition, reviewer):
    workflow.take_down(condition, reviewer)
    assert client.get(CONDITION).status_code == 404
    make_procedure(name="Kyphoplasty", expires_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    assert client.get("/procedures/kyphoplasty/").status_code == 404
