"""Breadcrumbs on condition and procedure pages: a trail people can follow, and the same one for search engines."""

import json

import pytest

from tests.conftest import make_category, make_condition, make_procedure, public_html
from tests.html import Outline

pytestmark = pytest.mark.django_db


def trail(html):
    """(name, href, aria-current) of each breadcrumb link, read from the page's breadcrumb <nav>."""
    nav = html.split('<nav class="breadcrumbs" aria-label="Breadcrumb">')[1].split("</nav>")[0]
    page = Outline(nav)
    names = [part.split(">", 1)[1].split("</a>")[0] for part in nav.split("<a ")[1:]]
    return [(name, a["href"], a.get("aria-current")) for name, a in zip(names, page.find_all("a"), strict=True)]


def json_ld(html):
    """The page's BreadcrumbList JSON-LD blocks, parsed (the page's MedicalWebPage has a block of its own)."""
    blocks = html.split('<script type="application/ld+json">')[1:]
    found = [json.loads(block.split("</script>")[0]) for block in blocks]
    return [data for data in found if data["@type"] == "BreadcrumbList"]


def test_a_condition_page_shows_home_conditions_and_itself(client):
    condition = make_condition()
    html = public_html(client, condition.get_absolute_url())
    assert trail(html) == [
        ("Home", "/", None),
        ("Conditions", "/conditions/", None),
        ("Bone pain from cancer", "/conditions/bone-pain-from-cancer/", "page"),
    ]
    assert html.index('aria-label="Breadcrumb"') < html.index("<h1>")


def test_the_breadcrumb_list_for_search_engines_matches_the_one_people_see(client):
    condition = make_condition()
    html = public_html(client, condition.get_absolute_url())
    (data,) = json_ld(html)
    assert data["@context"] == "https://schema.org" and data["@type"] == "BreadcrumbList"
    items = data["itemListElement"]
    assert [item["position"] for item in items] == [1, 2, 3]
    assert all(item["@type"] == "ListItem" for item in items)
    assert [(item["name"], item["item"]) for item in items] == [
        ("Home", "http://testserver/"),
        ("Conditions", "http://testserver/conditions/"),
        ("Bone pain from cancer", "http://testserver/conditions/bone-pain-from-cancer/"),
    ]
    assert [(name, "http://testserver" + href) for name, href, _ in trail(html)] == [
        (item["name"], item["item"]) for item in items
    ]


def test_a_kind_of_procedure_sits_under_its_published_parent(client):
    cementoplasty = make_procedure(name="Cementoplasty")
    vertebroplasty = make_procedure(name="Vertebroplasty", parent=cementoplasty)
    html = public_html(client, vertebroplasty.get_absolute_url())
    assert trail(html) == [
        ("Home", "/", None),
        ("Procedures", "/procedures/", None),
        ("Cementoplasty", "/procedures/cementoplasty/", None),
        ("Vertebroplasty", "/procedures/vertebroplasty/", "page"),
    ]
    assert [item["name"] for item in json_ld(html)[0]["itemListElement"]] == [
        "Home",
        "Procedures",
        "Cementoplasty",
        "Vertebroplasty",
    ]
    # The category is still named, linked to its place in the list of procedures.
    assert '<dt>Type of treatment</dt><dd><a href="/procedures/#category-cementoplasty">Cementoplasty</a>' in html

    cementoplasty.status = "draft"
    cementoplasty.save()
    html = public_html(client, vertebroplasty.get_absolute_url())
    assert [name for name, _, _ in trail(html)] == ["Home", "Procedures", "Vertebroplasty"]
    assert "/procedures/cementoplasty/" not in html


def test_names_are_escaped_in_the_trail_and_cannot_end_the_json_block(client):
    condition = make_condition(name='Pain </script><script>alert("x")</script> & more', slug="pain")
    html = public_html(client, condition.get_absolute_url())
    (data,) = json_ld(html)
    assert data["itemListElement"][-1]["name"] == condition.name
    assert "<script>alert" not in html
    assert trail(html)[-1][0] == "Pain &lt;/script&gt;&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more"


def test_list_pages_have_no_breadcrumbs(client):
    make_procedure(category=make_category(name="Tumour ablation"))
    for url in ["/", "/conditions/", "/procedures/"]:
        html = public_html(client, url)
        assert 'aria-label="Breadcrumb"' not in html and "application/ld+json" not in html
