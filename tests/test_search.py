"""Search finds published conditions and procedures and never errors, whatever is typed."""

import pytest

from tests.conftest import make_condition, make_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages():
    make_condition(also_known_as="bone metastases", symptoms="<p>Shooting pain down the leg (radicular pain).</p>")
    make_procedure(name="Vertebroplasty", summary="Cement is injected into a weakened vertebra.")


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("bone pain", "Bone pain from cancer"),  # name
        ("BONE", "Bone pain from cancer"),  # any case
        ("metastases", "Bone pain from cancer"),  # also known as
        ("radicular", "Bone pain from cancer"),  # body text
        ("spread to the bones", "Bone pain from cancer"),  # summary
        ("cement vertebra", "Vertebroplasty"),  # every word, in any field
    ],
)
def test_search_finds_pages(client, pages, query, found):
    html = client.get("/search/", {"q": query}).content.decode()
    assert found in html
    assert "1 result for" in html


def test_search_with_no_match_suggests_browsing(client, pages):
    html = client.get("/search/", {"q": "varicose"}).content.decode()
    assert "0 results" in html and "conditions A to Z" in html


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "\x00",
        "bone\x00pain",
        "%",
        "_",
        "' OR 1=1 --",
        '"; DROP TABLE conditions_condition; --',
        "<script>alert(1)</script>",
        "a" * 5000,
        " ".join(["word"] * 500),
        "\\",
        "😀 émigré 中文",
    ],
)
def test_search_never_errors(client, pages, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_search_survives_invalid_utf8_in_the_address(client, pages):
    assert client.get("/search/?q=%ED%A0%80%FF%00").status_code == 200


def test_search_without_a_query_is_a_friendly_page(client):
    response = client.get("/search/")
    assert response.status_code == 200
    assert "Type a word" in response.content.decode()


def test_search_results_are_not_indexed(client):
    assert '<meta name="robots" content="noindex">' in client.get("/search/?q=bone").content.decode()
