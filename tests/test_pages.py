"""What a patient sees on each public page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procedures.models import ImagingModality, Sedation, TypicalStay
from tests.conftest import link, make_case, make_category, make_condition, make_procedure
from tests.html import Outline

pytestmark = pytest.mark.django_db

ALL_SECTIONS = {
    "what_it_is": "What it is",
    "symptoms": "Symptoms",
    "prevention": "How to prevent it",
    "causes": "Causes and risk factors",
    "diagnosis": "Diagnosis",
    "treatments": "Treatments",
    "preparation": "Preparing for the procedure",
    "aftercare": "After the procedure",
    "other_information": "Other information",
}


def outline(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return Outline(response.content.decode())


def test_condition_page_has_one_h1_and_every_section_in_order(client):
    condition = make_condition(**{field: f"<p>{field} text</p>" for field in ALL_SECTIONS})
    page = outline(client, condition.get_absolute_url())
    assert page.texts("h1") == [condition.name]
    h2s = page.texts("h2")
    assert h2s[0] == "On this page"
    assert h2s[1:10] == list(ALL_SECTIONS.values())
    anchors = [a["href"] for a in page.find_all("a") if a.get("href", "").startswith("#")]
    assert anchors == ["#content"] + ["#" + field.replace("_", "-") for field in ALL_SECTIONS]


def test_empty_sections_are_left_out_entirely(client):
    condition = make_condition(what_it_is="<p>Spread to bone.</p>", prevention="", symptoms="<p>&nbsp;</p>")
    page = outline(client, condition.get_absolute_url())
    h2s = page.texts("h2")
    assert h2s[:2] == ["On this page", "What it is"]
    assert "How to prevent it" not in h2s and "Symptoms" not in h2s
    html = client.get(condition.get_absolute_url()).content.decode()
    assert 'href="#what-it-is"' in html and 'id="what-it-is"' in html and "Spread to bone." in html
    assert 'href="#prevention"' not in html and 'id="prevention"' not in html
    assert 'href="#symptoms"' not in html and 'id="symptoms"' not in html


def test_linked_procedures_appear_under_treatments_in_order(client):
    condition = make_condition(treatments="<p>Painkillers first.</p>")
    link(condition, make_procedure(name="Second", summary="Second summary."), order=2)
    link(condition, make_procedure(name="First", summary="First summary."), order=1)
    html = client.get(condition.get_absolute_url()).content.decode()
    treatments = html.split('id="treatments-heading"')[1].split("</section>")[0]
    assert treatments.index("First") < treatments.index("Second")
    assert "First summary." in treatments
    assert 'href="/procedures/first/"' in treatments


def test_treatments_heading_appears_for_linked_procedures_even_without_text(client):
    condition = make_condition(treatments="")
    link(condition, make_procedure())
    assert "Treatments" in outline(client, condition.get_absolute_url()).texts("h2")


def test_case_study_is_a_figure_with_labelled_described_images(client):
    condition = make_condition(treatments="<p>Options.</p>")
    make_case(condition, images=3)
    html = client.get(condition.get_absolute_url()).content.decode()
    page = Outline(html)
    assert len(page.find_all("figure", **{"class": "case-study"})) == 1
    images = page.find_all("img")
    assert [image["alt"] for image in images] == ["Schematic image A.", "Schematic image B.", "Schematic image C."]
    assert all(image["loading"] == "lazy" for image in images)
    for label in "ABC":
        assert f"<strong>{label}:</strong> Image {label} caption." in html
    assert "<figcaption>" in html and "Case study: Cryoablation of a spinal tumour" in html


def test_review_dates_and_disclaimer_are_shown(client):
    condition = make_condition()
    html = client.get(condition.get_absolute_url()).content.decode()
    assert "Page last reviewed" in html and "15 January 2026" in html
    assert "Next review due" in html and "15 January 2029" in html
    assert "Consultant interventional radiologist" in html
    assert "not medical advice" in html


def test_each_page_has_a_unique_title_description_and_canonical(client):
    condition = make_condition()
    procedure = make_procedure()
    urls = [
        "/",
        "/conditions/",
        "/procedures/",
        condition.get_absolute_url(),
        procedure.get_absolute_url(),
        "/search/?q=bone",
    ]
    titles = set()
    for url in urls:
        page = outline(client, url)
        html = client.get(url).content.decode()
        title = html.split("<title>")[1].split("</title>")[0]
        titles.add(title)
        assert page.find_all("meta", name="description")[0]["content"].strip()
        canonical = page.find_all("link", rel="canonical")[0]["href"]
        assert canonical == "http://testserver" + url.split("?")[0]
        assert len(page.texts("h1")) == 1
    assert len(titles) == len(urls)
    assert condition.summary in client.get(condition.get_absolute_url()).content.decode()


def test_procedure_page_shows_how_it_is_done_and_its_relations(client):
    cementoplasty = make_procedure(name="Cementoplasty", sedation=Sedation.CONSCIOUS)
    vertebroplasty = make_procedure(
        name="Vertebroplasty",
        parent=cementoplasty,
        typical_stay=TypicalStay.ONE_TO_TWO_NIGHTS,
        sedation=Sedation.CONSCIOUS,
        how_it_is_done="<p>A needle is guided into the bone.</p>",
    )
    make_procedure(name="Kyphoplasty", parent=cementoplasty)
    ablation = make_procedure(name="Cryoablation", category=make_category(name="Tumour ablation"))
    cementoplasty.related.add(ablation)
    vertebroplasty.imaging_guidance.add(ImagingModality.objects.create(name="CT", slug="ct"))
    link(make_condition(), cementoplasty)

    html = client.get(cementoplasty.get_absolute_url()).content.decode()
    page = Outline(html)
    assert page.texts("h1") == ["Cementoplasty"]
    assert "Types of cementoplasty" in page.texts("h2")
    assert "Often combined with" in page.texts("h2")
    assert "Conditions it treats" in page.texts("h2")
    assert "Kyphoplasty" in html and "Vertebroplasty" in html and "Cryoablation" in html
    assert "Bone pain from cancer" in html

    html = client.get(vertebroplasty.get_absolute_url()).content.decode()
    assert 'a kind of <a href="/procedures/cementoplasty/">cementoplasty</a>' in html
    assert "Conscious sedation" in html and "One to two nights in hospital" in html and "CT" in html
    # "Often combined with" is symmetrical.
    assert "Cementoplasty" in client.get(ablation.get_absolute_url()).content.decode()


def test_procedures_are_grouped_by_category_in_order(client):
    make_procedure(name="Nerve block", category=make_category(name="Nerve block and ablation", order=1))
    make_procedure(name="Cementoplasty", category=make_category(name="Cementoplasty", order=2))
    page = outline(client, "/procedures/")
    assert page.texts("h2") == ["Nerve block and ablation", "Cementoplasty"]


def test_conditions_are_listed_a_to_z(client):
    make_condition(name="Varicocele")
    make_condition(name="Bone pain from cancer")
    make_condition(name="Back pain")
    html = client.get("/conditions/").content.decode()
    assert Outline(html).texts("h2") == ["B", "V"]
    assert html.index("Back pain") < html.index("Bone pain from cancer") < html.index("Varicocele")


def test_home_introduces_the_department_with_a_search_box(client):
    html = client.get("/").content.decode()
    assert "interventional radiologists" in html.lower()
    assert 'action="/search/"' in html and 'name="q"' in html


def test_missing_pages_are_friendly_404s(client):
    response = client.get("/conditions/no-such-thing/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_public_pages_only_answer_get(client, method):
    make_condition()
    for url in ["/", "/conditions/", "/conditions/bone-pain-from-cancer/", "/search/?q=x"]:
        assert getattr(client, method)(url).status_code == 405


def test_public_pages_answer_head_for_link_checkers_and_monitors(client):
    make_condition()
    make_procedure()
    for url in ["/", "/conditions/", "/conditions/bone-pain-from-cancer/", "/procedures/", "/search/?q=x"]:
        assert client.head(url).status_code == 200, url


# Query budget: a page's query count does not grow with what it shows.


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def build_condition(items):
    condition = make_condition(treatments="<p>Options.</p>")
    for index in range(items):
        link(condition, make_procedure(name=f"Procedure {items}-{index}"), order=index)
    for index in range(items):
        make_case(condition, images=3 if items == 1 else 20, title=f"Case {index}")
    return condition


@pytest.mark.parametrize("page", ["condition", "procedure", "procedures", "home", "search", "conditions"])
def test_query_count_does_not_grow_with_linked_items(client, page):
    counts = []
    for items in (1, 20):
        condition = build_condition(items)
        procedure = condition.procedures.first()
        for index in range(items):
            procedure.related.add(make_procedure(name=f"Related {items}-{index}"))
            make_procedure(name=f"Variant {items}-{index}", parent=procedure)
            link(make_condition(name=f"Condition {items}-{index}"), procedure)
        url = {
            "condition": condition.get_absolute_url(),
            "procedure": procedure.get_absolute_url(),
            "procedures": "/procedures/",
            "home": "/",
            "search": "/search/?q=procedure",
            "conditions": "/conditions/",
        }[page]
        counts.append(count_queries(client, url))
        condition.delete()
    assert counts[0] == counts[1], counts
    assert counts[1] <= 10


def test_procedure_page_lists_its_linked_pages_under_on_this_page(client):
    cementoplasty = make_procedure(name="Cementoplasty")
    make_procedure(name="Vertebroplasty", parent=cementoplasty)
    link(make_condition(), cementoplasty)
    html = client.get(cementoplasty.get_absolute_url()).content.decode()
    nav = html.split('id="on-this-page-heading"')[1].split("</nav>")[0]
    assert '<a href="#what-it-is">What it is</a>' in nav
    assert '<a href="#types">Types of cementoplasty</a>' in nav
    assert '<a href="#conditions">Conditions it treats</a>' in nav
    assert "#combined" not in nav and 'id="combined"' not in html


# The page itself, then one query per kind of thing it shows (see each model's load_page_content()).
PAGE_QUERIES = {
    "condition": 4,  # the condition, its treatments, its case studies, their images
    "procedure": 6,  # the procedure and its category, its parent, image guidance, kinds, "combined with", conditions
    "home": 3,  # conditions, then categories and their procedures
    "conditions": 1,
    "procedures": 2,  # categories, then their procedures
    "search": 2,  # conditions, procedures
}


@pytest.mark.parametrize("page", PAGE_QUERIES)
def test_each_public_page_makes_a_known_number_of_queries(client, django_assert_num_queries, settings, page):
    settings.PAGE_CACHE_SECONDS = 0  # the page's own queries, without the page cache's (tests/test_page_cache.py)
    condition = build_condition(2)
    procedure = condition.procedures.first()
    procedure.parent = make_procedure(name="Cementoplasty")
    procedure.save()
    procedure.related.add(make_procedure(name="Nerve block"))
    procedure.imaging_guidance.add(ImagingModality.objects.get(slug="ct"))
    url, shown = {
        "condition": (condition.get_absolute_url(), "Case 1"),
        "procedure": (procedure.get_absolute_url(), "Nerve block"),
        "home": ("/", procedure.name),
        "conditions": ("/conditions/", condition.name),
        "procedures": ("/procedures/", procedure.name),
        "search": ("/search/?q=pain", condition.name),
    }[page]
    with django_assert_num_queries(PAGE_QUERIES[page]):
        response = client.get(url)
    assert response.status_code == 200
    assert shown in response.content.decode()


def test_text_staff_type_is_escaped_on_public_pages(client):
    # Only rich text is trusted (it is sanitised on save); every other field is shown as typed.
    condition = make_condition(name="Pain <b>here</b>", slug="pain", summary='Spread & "worse" <script>x()</script>')
    case = make_case(condition, title="<i>Case</i>")
    case.images.update(caption="<img src=x onerror=y()>", alt_text='A" onload="y()')
    html = client.get(condition.get_absolute_url()).content.decode()
    assert "<h1>Pain &lt;b&gt;here&lt;/b&gt;</h1>" in html
    assert "Spread &amp; &#34;worse&#34; &lt;script&gt;x()&lt;/script&gt;" in html
    assert "Case study: &lt;i&gt;Case&lt;/i&gt;" in html
    assert "&lt;img src=x onerror=y()&gt;" in html and 'alt="A&#34; onload=&#34;y()"' in html
    assert "<script>" not in html and "<b>" not in html


def test_case_studies_and_their_images_keep_the_order_staff_gave_them(client):
    condition = make_condition()
    later = make_case(condition, images=3, title="Shown second", order=2)
    make_case(condition, images=1, title="Shown first", order=1)
    make_case(condition, images=1, title="Shown third, by creation", order=2)
    # Staff reorder the images: C first, then A and B with the same number, which fall back to their label.
    later.images.filter(label="C").update(order=0)
    later.images.exclude(label="C").update(order=5)
    html = client.get(condition.get_absolute_url()).content.decode()
    titles = ["Shown first", "Shown second", "Shown third, by creation"]
    assert sorted(titles, key=html.index) == titles
    second = html[html.index("Shown second") : html.index("Shown third")]
    labels = ["<strong>C:</strong>", "<strong>A:</strong>", "<strong>B:</strong>"]
    assert sorted(labels, key=second.index) == labels


def test_treatments_the_text_already_links_to_are_not_listed_again(client, settings):
    settings.SITE_URL = "https://patientinfo.example.nhs.uk"
    condition = make_condition(
        treatments='<p>A <a href="/procedures/nerve-block/">nerve block</a> eases pain; so can '
        '<a href="https://patientinfo.example.nhs.uk/procedures/cementoplasty#how">cementoplasty</a>. '
        'See also <a href="https://elsewhere.example.org/procedures/cryoablation/">another site</a>.</p>'
    )
    for order, name in enumerate(["Nerve block", "Cementoplasty", "Cryoablation"]):
        link(condition, make_procedure(name=name, summary=f"{name} summary."), order=order)
    html = client.get(condition.get_absolute_url()).content.decode()
    treatments = html.split('id="treatments-heading"')[1].split("</section>")[0]
    assert treatments.count('href="/procedures/nerve-block/"') == 1  # in the text only
    assert "Nerve block summary." not in treatments and "Cementoplasty summary." not in treatments
    assert "<h3>Other treatments we offer</h3>" in treatments
    assert '<a href="/procedures/cryoablation/">Cryoablation</a>' in treatments
    assert "Cryoablation summary." in treatments


def test_when_the_text_links_every_treatment_there_is_no_list(client):
    condition = make_condition(treatments='<p>A <a href="/procedures/nerve-block/">nerve block</a>.</p>')
    link(condition, make_procedure(name="Nerve block"))
    html = client.get(condition.get_absolute_url()).content.decode()
    treatments = html.split('id="treatments-heading"')[1].split("</section>")[0]
    assert 'class="page-list"' not in treatments and "Treatments we offer" not in treatments
    assert treatments.count('href="/procedures/nerve-block/"') == 1
