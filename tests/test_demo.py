"""`manage.py load_demo`: the demo condition, procedures and case study, loaded where missing, never over staff work."""

import ast
import datetime
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import resolve, reverse, set_script_prefix
from PIL import Image
from reversion.models import Version

from conditions.models import CaseImage, CaseStudy, Condition, ConditionProcedure
from demo import content, loader
from demo.images import HEIGHT, WIDTH, draw_case_image
from procedures.models import ImagingModality, Procedure, ProcedureCategory, Sedation, TypicalStay
from publishing.models import ApprovedVersion, Status
from tests.conftest import approve_in_admin, change_form_data, public_html
from tests.images import png_bytes

pytestmark = pytest.mark.django_db

PAGE = "/conditions/bone-pain-from-cancer/"
PROCEDURE_SLUGS = [
    "nerve-block",
    "nerve-ablation",
    "cementoplasty",
    "vertebroplasty",
    "kyphoplasty",
    "radiofrequency-ablation",
    "microwave-ablation",
    "cryoablation",
]
RICH_TEXT_TAGS = {
    "p",
    "h3",
    "h4",
    "strong",
    "em",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALL_MODELS = [ImagingModality, ProcedureCategory, Procedure, Condition, ConditionProcedure, CaseStudy, CaseImage]
FULL_DEMO = {
    "ImagingModality": 4,
    "ProcedureCategory": 3,
    "Procedure": 8,
    "Condition": 1,
    "ConditionProcedure": 8,
    "CaseStudy": 1,
    "CaseImage": 3,
}
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def media_root(settings):
    """The temporary folder conftest points MEDIA_ROOT at, never the repository's media/."""
    return settings.MEDIA_ROOT


def load_demo(*args):
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def files_in(folder):
    return sorted(path for path in folder.rglob("*") if path.is_file())


def counts():
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


def history():
    """Everything that records a change: revisions, approved versions and their numbers."""
    return (
        Version.objects.count(),
        sorted(ApprovedVersion.objects.values_list("object_id", "content_type_id", "number")),
    )


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = set()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.hrefs += [value for name, value in attrs if name == "href"]


def test_it_loads_the_condition_with_every_section_but_prevention():
    load_demo()
    condition = Condition.objects.get(slug="bone-pain-from-cancer")
    assert condition.name == "Bone pain from cancer"
    assert condition.status == Status.PUBLISHED
    assert condition.first_published_at is not None
    assert condition.reviewed_by == "Consultant interventional radiologist"
    assert condition.next_review_due == condition.last_reviewed + datetime.timedelta(days=3 * 365)
    assert "bone metastases" in condition.also_known_as
    assert 0 < len(condition.summary) <= 300
    assert condition.prevention == ""
    filled = [name for name, _ in Condition.SECTIONS if getattr(condition, name)]
    assert filled == [name for name, _ in Condition.SECTIONS if name != "prevention"]
    assert "prevention" not in [section.anchor for section in condition.non_empty_sections()]


def test_the_condition_covers_every_fact_of_the_source_page():
    load_demo()
    text = " ".join(getattr(Condition.objects.get(), name) for name, _ in Condition.SECTIONS).lower()
    for fact in [
        "spine",
        "pelvis",
        "weaken",
        "nerves",
        "tender",
        "night",
        "radicular",
        "kidney cancer",
        "breast cancer",
        "<strong>ct</strong>",
        "mri",
        "painkillers",
        "nerve block",
        "cementoplasty",
        "vertebroplasty",
        "kyphoplasty",
        "balloon",
        "extreme heat",
        "extreme cold",
        "radiotherapy",
        "surgery",
        "other specialists",
        "conscious sedation",
        "one or two nights",
        "day case",
        "fasting",
        "the day before",
        "percutaneous",
        "aspirin",
        "clopidogrel (plavix)",
        "warfarin",
        "low-molecular-weight heparin",
        "clexane",
        "weight",
        "within a few days",
    ]:
        assert fact in text, fact


def test_the_rich_text_uses_only_the_editor_tags_and_safe_links():
    load_demo()
    pages = [Condition.objects.get(), *Procedure.objects.all()]
    for page in pages:
        for name, _ in page.SECTIONS:
            collector = TagCollector()
            collector.feed(getattr(page, name))
            assert collector.tags <= RICH_TEXT_TAGS, (page, name, collector.tags - RICH_TEXT_TAGS)
            for href in collector.hrefs:
                assert href.startswith(("https://", "mailto:", "/")) and not href.startswith("//"), href
                if href.startswith("/"):  # a link to a demo page, by its own address
                    match = resolve(href)
                    assert match.view_name == "procedures:detail" and match.kwargs["slug"] in PROCEDURE_SLUGS


def test_links_between_demo_pages_are_built_from_the_pages_addresses():
    """No address is written in content.py: served under a prefix, the links carry it."""
    assert 'href="/' not in repr([content.CONDITION, content.PROCEDURES])
    set_script_prefix("/patientinfo/")
    try:
        load_demo()
    finally:
        set_script_prefix("/")
    treatments = Condition.objects.get().treatments
    linked = re.findall(r'href="procedure:([a-z0-9-]+)"', content.CONDITION["treatments"])
    assert len(linked) == 7
    for slug in linked:
        assert f'href="/patientinfo{reverse("procedures:detail", kwargs={"slug": slug})}"' in treatments
    assert "procedure:" not in treatments


def test_a_link_to_a_page_the_demo_does_not_have_stops_the_load():
    pages = {"procedure": {"nerve-block": Procedure(slug="nerve-block")}}
    assert loader.with_addresses('<a href="procedure:nerve-block">x</a>', pages) == (
        '<a href="/procedures/nerve-block/">x</a>'
    )
    with pytest.raises(ValueError, match="procedure:embolisation"):
        loader.with_addresses('<p><a href="procedure:embolisation">Embolisation</a></p>', pages)
    with pytest.raises(ValueError, match="leaflet:nerve-block"):
        loader.with_addresses('<p><a href="leaflet:nerve-block">Leaflet</a></p>', pages)
    external = '<a href="https://example.org/">x</a>'
    assert loader.with_addresses(external, pages) == external


def test_a_page_staff_gave_another_slug_is_kept_and_new_pages_link_to_its_address():
    load_demo()
    Procedure.objects.filter(slug="nerve-ablation").update(slug="nerve-ablation-treatment")
    Procedure.objects.get(slug="nerve-block").delete()
    ImagingModality.objects.filter(slug="ct").update(slug="computed-tomography")
    ProcedureCategory.objects.filter(slug="tumour-ablation").update(slug="ablation")
    output = load_demo()
    assert "1 records created" in output
    assert counts() == {**FULL_DEMO, "ConditionProcedure": 7}  # the condition there is left as it is
    nerve_block = Procedure.objects.get(slug="nerve-block")
    assert 'href="/procedures/nerve-ablation-treatment/"' in nerve_block.benefits
    assert set(nerve_block.imaging_guidance.values_list("slug", flat=True)) == {
        "x-ray",
        "computed-tomography",
        "ultrasound",
    }


def test_review_dates_follow_the_configured_review_interval(settings):
    settings.REVIEW_INTERVAL_DAYS = 30
    load_demo()
    for page in [Condition.objects.get(), *Procedure.objects.all()]:
        assert page.last_reviewed == content.REVIEW["last_reviewed"]
        assert page.next_review_due == page.last_reviewed + datetime.timedelta(days=30)


def test_searching_for_the_source_pages_words_finds_the_condition(client):
    load_demo()
    for query in ["percutaneous", "percutaneous treatment"]:
        assert "Bone pain from cancer" in public_html(client, f"/search/?q={query}"), query


def test_nothing_outside_the_demo_app_imports_it():
    importers = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {"demo", "tests", ".venv"} or relative.parts[0].startswith("."):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if any(name == "demo" or name.startswith("demo.") for name in names):
                importers.append(str(relative))
    assert importers == []


def test_the_sanitiser_leaves_the_demo_text_intact():
    """Nothing in content.py is stripped on save (links only gain rel attributes)."""
    load_demo()
    condition = Condition.objects.get()
    pages = {"procedure": {procedure.slug: procedure for procedure in Procedure.objects.all()}}
    for name, _ in Condition.SECTIONS:
        stored = getattr(condition, name).replace(' rel="noopener noreferrer"', "")
        assert stored == loader.with_addresses(content.CONDITION[name], pages), name


def test_it_loads_the_modalities_and_categories():
    load_demo()
    assert dict(ImagingModality.objects.values_list("slug", "name")) == {
        "x-ray": "X-ray (fluoroscopy)",
        "ct": "CT",
        "ultrasound": "Ultrasound",
        "mri": "MRI",
    }
    assert list(ProcedureCategory.objects.values_list("slug", flat=True)) == [
        "nerve-block-and-ablation",
        "cementoplasty",
        "tumour-ablation",
    ]
    assert all(ProcedureCategory.objects.values_list("summary", flat=True))


def test_every_procedure_is_published_and_linked():
    load_demo()
    condition = Condition.objects.get()
    links = ConditionProcedure.objects.filter(condition=condition).order_by("order")
    assert [link.procedure.slug for link in links] == PROCEDURE_SLUGS
    assert len({link.order for link in links}) == len(PROCEDURE_SLUGS)
    for procedure in Procedure.objects.all():
        assert procedure.status == Status.PUBLISHED
        assert procedure.last_reviewed and procedure.next_review_due > procedure.last_reviewed
        assert 0 < len(procedure.summary) <= 300
        assert procedure.sedation in Sedation.values
        assert procedure.typical_stay in TypicalStay.values
        assert procedure.imaging_guidance.exists()
        for name, _ in Procedure.SECTIONS:
            assert getattr(procedure, name), (procedure.slug, name)


def test_procedures_sit_in_their_categories_with_parents_and_combinations():
    load_demo()
    by_slug = {procedure.slug: procedure for procedure in Procedure.objects.select_related("category", "parent")}
    assert {slug: p.category.slug for slug, p in by_slug.items()} == {
        "nerve-block": "nerve-block-and-ablation",
        "nerve-ablation": "nerve-block-and-ablation",
        "cementoplasty": "cementoplasty",
        "vertebroplasty": "cementoplasty",
        "kyphoplasty": "cementoplasty",
        "radiofrequency-ablation": "tumour-ablation",
        "microwave-ablation": "tumour-ablation",
        "cryoablation": "tumour-ablation",
    }
    assert by_slug["vertebroplasty"].parent.slug == "cementoplasty"
    assert by_slug["kyphoplasty"].parent.slug == "cementoplasty"
    assert by_slug["cementoplasty"].parent is None
    cementoplasty_related = set(by_slug["cementoplasty"].related.values_list("slug", flat=True))
    assert cementoplasty_related == {"radiofrequency-ablation", "microwave-ablation", "cryoablation"}
    assert set(by_slug["cryoablation"].related.values_list("slug", flat=True)) == {"cementoplasty"}
    assert set(by_slug["nerve-ablation"].related.values_list("slug", flat=True)) == {"nerve-block"}
    assert set(by_slug["nerve-block"].imaging_guidance.values_list("slug", flat=True)) == {"x-ray", "ct", "ultrasound"}
    assert by_slug["cementoplasty"].sedation == Sedation.CONSCIOUS
    assert by_slug["cementoplasty"].typical_stay == TypicalStay.ONE_TO_TWO_NIGHTS
    assert by_slug["nerve-block"].typical_stay == TypicalStay.DAY_CASE


def test_every_loaded_object_passes_model_validation():
    load_demo()
    for model in ALL_MODELS:
        for instance in model.objects.all():
            instance.full_clean()


def test_it_loads_the_consented_case_study_with_three_images():
    load_demo()
    case = CaseStudy.objects.get()
    assert case.condition.slug == "bone-pain-from-cancer"
    assert case.procedure.slug == "cryoablation"
    assert case.consent_recorded
    assert "60s" in case.summary and "kidney" in case.summary
    assert "much smaller" in case.outcome
    images = list(case.images.select_related("modality"))
    assert [(image.label, image.stage, image.modality.slug) for image in images] == [
        ("A", "before", "ct"),
        ("B", "during", "ct"),
        ("C", "after", "ct"),
    ]
    assert "(*)" in images[0].caption
    assert "ice ball" in images[1].caption
    assert "(#)" in images[2].caption
    for image in images:
        assert image.alt_text.startswith("Schematic illustration")


def test_it_draws_three_labelled_images_with_their_renditions(media_root):
    load_demo()
    images = CaseImage.objects.all()
    assert len(files_in(media_root)) == 9  # each image, at 480 and 960 pixels wide
    assert {tuple(image.renditions) for image in images} == {(480, 960)}
    pixels = set()
    for image in images:
        with image.image.open("rb") as stored, Image.open(stored) as picture:
            assert picture.format == "PNG"
            assert picture.size == (WIDTH, HEIGHT) == (960, 720)
            pixels.add(picture.convert("RGB").tobytes())
    assert len(pixels) == 3, "A, B and C should be different pictures"


def test_the_drawings_are_deterministic_and_refuse_unknown_scenes():
    assert draw_case_image("A", "Before treatment (CT)", "before") == draw_case_image(
        "A", "Before treatment (CT)", "before"
    )
    with pytest.raises(ValueError):
        draw_case_image("D", "Follow-up", "follow-up")


def test_a_fresh_database_gets_the_whole_demo_published_as_approved_versions(client, media_root):
    output = load_demo()
    assert counts() == FULL_DEMO
    assert len(files_in(media_root)) == 9
    assert "28 records created, 3 images drawn; 0 already there" in output
    for page in [Condition.objects.get(), *Procedure.objects.all()]:
        version = page.live_version()
        assert (version.number, version.comment, version.approved_by) == (1, "Loaded from the demo content.", None)
        public_html(client, page.get_absolute_url())


def test_running_it_twice_creates_no_duplicates(media_root):
    load_demo()
    before, files_before, history_before = counts(), files_in(media_root), history()
    output = load_demo()
    assert counts() == before == FULL_DEMO
    assert files_in(media_root) == files_before
    assert history() == history_before
    assert "0 records created, 0 images drawn; 16 already there and left as they were." in output


def test_running_it_again_keeps_what_staff_changed_and_deleted(media_root):
    load_demo()
    Condition.objects.update(summary="Edited by hand.", status=Status.DRAFT)
    Procedure.objects.filter(slug="cryoablation").update(name="Freezing")
    ProcedureCategory.objects.filter(slug="cementoplasty").update(summary="Edited category.")
    ImagingModality.objects.filter(slug="ct").update(name="CT scan")
    CaseImage.objects.filter(label="B").update(caption="Edited caption.")
    CaseImage.objects.get(label="C").delete()
    ConditionProcedure.objects.filter(procedure__slug="kyphoplasty").delete()
    Procedure.objects.get(slug="nerve-block").related.clear()
    before, history_before = counts(), history()
    load_demo()
    assert counts() == before
    assert history() == history_before
    assert (Condition.objects.get().summary, Condition.objects.get().status) == ("Edited by hand.", Status.DRAFT)
    assert Procedure.objects.get(slug="cryoablation").name == "Freezing"
    assert ProcedureCategory.objects.get(slug="cementoplasty").summary == "Edited category."
    assert ImagingModality.objects.get(slug="ct").name == "CT scan"
    assert CaseImage.objects.get(label="B").caption == "Edited caption."
    assert not CaseImage.objects.filter(label="C").exists()
    assert not ConditionProcedure.objects.filter(procedure__slug="kyphoplasty").exists()
    assert not Procedure.objects.get(slug="nerve-block").related.exists()


def test_an_approved_staff_edit_and_an_added_image_survive_a_second_load(
    editor_client, reviewer_client, client, media_root, django_capture_on_commit_callbacks
):
    load_demo()
    condition = Condition.objects.get()
    case = condition.case_studies.get()
    url = reverse("admin:conditions_casestudy_change", args=[case.pk])
    added = {"label": "D", "stage": "follow_up", "caption": "Added by staff.", "alt_text": "A follow-up scan."}
    data = {
        **change_form_data(editor_client, url),
        "images-TOTAL_FORMS": "4",
        **{f"images-3-{name}": value for name, value in {**added, "order": "4"}.items()},
        "images-3-image": png_bytes(name="d.png"),
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(url, data).status_code == 302
        data = change_form_data(editor_client, condition.get_admin_url(), summary="A summary staff wrote.")
        assert editor_client.post(condition.get_admin_url(), data).status_code == 302
        assert approve_in_admin(reviewer_client, condition, **{f"consent_{case.pk}": "on"}).status_code == 302
    # Then more work, waiting for review.
    data = change_form_data(editor_client, condition.get_admin_url(), summary="Pending words.")
    assert editor_client.post(condition.get_admin_url(), data).status_code == 302
    condition.refresh_from_db()
    assert condition.live_version().number == 2
    image = CaseImage.objects.get(label="D")
    before, files_before, history_before = counts(), files_in(media_root), history()
    pending_before = condition.pending().data

    with django_capture_on_commit_callbacks(execute=True):
        output = load_demo()
    assert "0 records created" in output
    assert counts() == before and files_in(media_root) == files_before and history() == history_before
    condition.refresh_from_db()
    assert condition.summary == "A summary staff wrote." and condition.live_version().number == 2
    assert condition.pending().data == pending_before
    assert CaseImage.objects.get(label="D").image.name == image.image.name
    assert image.image.all_files_exist()
    page = public_html(client, condition.get_absolute_url())
    assert "A summary staff wrote." in page and 'alt="A follow-up scan."' in page
    assert "Pending words." not in page


def test_a_demo_page_staff_deleted_comes_back_without_changing_the_pages_that_are_there():
    load_demo()
    Procedure.objects.get(slug="cementoplasty").delete()
    history_before = {
        slug: list(Version.objects.get_for_object(Procedure.objects.get(slug=slug)).values_list("pk", flat=True))
        for slug in ["cryoablation", "vertebroplasty"]
    }
    output = load_demo()
    assert "1 records created, 0 images drawn" in output
    cementoplasty = Procedure.objects.get(slug="cementoplasty")
    assert cementoplasty.is_published and cementoplasty.live_version().number == 1
    assert cementoplasty.imaging_guidance.count() == 2
    # Linking it from the pages that are there would change them without a reviewer's approval.
    assert not cementoplasty.related.exists() and not cementoplasty.variants.exists()
    assert not cementoplasty.condition_procedures.exists()
    for slug, versions in history_before.items():
        procedure = Procedure.objects.get(slug=slug)
        assert list(Version.objects.get_for_object(procedure).values_list("pk", flat=True)) == versions


def test_it_keeps_links_staff_added_to_other_procedures():
    load_demo()
    embolisation = Procedure.objects.create(
        name="Embolisation",
        slug="embolisation",
        summary="Blocking blood vessels.",
        category=ProcedureCategory.objects.first(),
    )
    embolisation.related.add(Procedure.objects.get(slug="cementoplasty"))
    load_demo()
    assert embolisation.related.filter(slug="cementoplasty").exists()


def test_a_second_load_never_redraws_a_picture_and_rebuild_renditions_restores_a_lost_one(media_root):
    """Redrawing would change a published page's pictures without approval; renditions come from the original."""
    load_demo()
    image = CaseImage.objects.get(label="A")
    lost = media_root / image.image.rendition_names()[0]
    lost.unlink()
    output = load_demo()
    assert "0 images drawn" in output
    assert CaseImage.objects.get(label="A").image.name == image.image.name
    assert not lost.exists()
    call_command("rebuild_renditions", stdout=io.StringIO())
    assert lost.exists() and len(files_in(media_root)) == 9


def test_a_load_that_fails_leaves_no_rows_and_no_files(media_root, monkeypatch):
    def fail(page, comment):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(loader.workflow, "record_imported", fail)
    with pytest.raises(RuntimeError):
        load_demo()
    assert set(counts().values()) == {0}
    assert files_in(media_root) == []


def test_the_demo_page_renders(client):
    load_demo()
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    for text in [
        "<h1>Bone pain from cancer</h1>",
        "radicular",
        "kidney",
        "clopidogrel",
        "Clexane",
        "warfarin",
        "Cryoablation of a tumour in the lower spine",
        "Schematic illustration, not a real scan",
        "much smaller",
        "Consultant interventional radiologist",
    ]:
        assert text in page, text
    assert "How to prevent it" not in page
    assert page.count("<h1") == 1
    for image in CaseImage.objects.all():
        assert image.srcset in page
    for procedure in Procedure.objects.all():
        assert f'href="{procedure.get_absolute_url()}"' in page


@pytest.mark.parametrize("slug", PROCEDURE_SLUGS)
def test_every_demo_procedure_page_renders(client, slug):
    load_demo()
    response = client.get(f"/procedures/{slug}/")
    assert response.status_code == 200
    assert Procedure.objects.get(slug=slug).name in response.content.decode()


def test_each_image_file_is_a_png_where_the_database_says_it_is(media_root):
    load_demo()
    image = CaseImage.objects.get(label="C")
    assert (media_root / image.image.name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_images_record_their_size_so_pages_reserve_space(client):
    load_demo()
    assert set(CaseImage.objects.values_list("width", "height")) == {(960, 720)}
    assert 'width="960" height="720"' in client.get(PAGE).content.decode()


def test_each_demo_page_starts_with_a_revision_once():
    load_demo()
    load_demo()
    for model in [Condition, Procedure, CaseStudy, ProcedureCategory, ImagingModality]:
        for obj in model.objects.all():
            (version,) = Version.objects.get_for_object(obj)
            assert version.revision.get_comment() == "Loaded from the demo content."
    condition_revision = Version.objects.get_for_object(Condition.objects.get()).get().revision
    assert condition_revision.version_set.get_for_model(ConditionProcedure).count() == len(PROCEDURE_SLUGS)
