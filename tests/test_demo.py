"""`manage.py load_demo`: the demo condition, procedures and case study, loaded idempotently."""

import io
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from PIL import Image
from reversion.models import Version

from conditions.models import CaseImage, CaseStudy, Condition, ConditionProcedure
from procedures.models import ImagingModality, Procedure, ProcedureCategory, Sedation, TypicalStay
from publishing.models import Status
from radiology_site.demo import content
from radiology_site.demo.images import HEIGHT, WIDTH, draw_case_image

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
    assert condition.next_review_due == condition.last_reviewed.replace(year=condition.last_reviewed.year + 3)
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


def test_the_sanitiser_leaves_the_demo_text_intact():
    """Nothing in content.py is stripped on save (links only gain rel attributes)."""
    load_demo()
    condition = Condition.objects.get()
    for name, _ in Condition.SECTIONS:
        stored = getattr(condition, name).replace(' rel="noopener noreferrer"', "")
        assert stored == content.CONDITION[name], name


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


def test_running_it_twice_creates_no_duplicates(media_root):
    load_demo()
    before, files_before = counts(), files_in(media_root)
    output = load_demo()
    assert counts() == before
    assert files_in(media_root) == files_before
    assert before == {
        "ImagingModality": 4,
        "ProcedureCategory": 3,
        "Procedure": 8,
        "Condition": 1,
        "ConditionProcedure": 8,
        "CaseStudy": 1,
        "CaseImage": 3,
    }
    assert "0 records created" in output and "0 images drawn" in output


def test_running_it_again_overwrites_edited_demo_fields():
    load_demo()
    Condition.objects.update(summary="Edited by hand.", status=Status.DRAFT)
    Procedure.objects.filter(slug="cryoablation").update(name="Freezing")
    CaseImage.objects.filter(label="B").update(caption="Edited caption.")
    load_demo()
    assert Condition.objects.get().summary == content.CONDITION["summary"]
    assert Condition.objects.get().status == Status.PUBLISHED
    assert Procedure.objects.get(slug="cryoablation").name == "Cryoablation"
    assert CaseImage.objects.get(label="B").caption == content.CASE_STUDY["images"][1]["caption"]


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


@pytest.mark.parametrize("missing", ["image", "rendition"])
def test_a_missing_image_file_is_drawn_again(media_root, django_capture_on_commit_callbacks, missing):
    load_demo()
    image = CaseImage.objects.get(label="A")
    name = image.image.name if missing == "image" else image.image.rendition_names()[0]
    (media_root / name).unlink()
    with django_capture_on_commit_callbacks(execute=True):
        output = load_demo()
    image.refresh_from_db()
    assert image.image.all_files_exist()
    assert len(files_in(media_root)) == 9
    assert "1 images drawn" in output


def test_redrawing_replaces_the_files_instead_of_adding_more(media_root, django_capture_on_commit_callbacks):
    load_demo()
    with django_capture_on_commit_callbacks(execute=True):
        load_demo("--redraw-images")
    assert len(files_in(media_root)) == 9
    for image in CaseImage.objects.all():
        assert image.image.all_files_exist()


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
    for slug in PROCEDURE_SLUGS:
        assert f'href="/procedures/{slug}/"' in page


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
    for model in [Condition, Procedure, CaseStudy, ProcedureCategory]:
        for obj in model.objects.all():
            (version,) = Version.objects.get_for_object(obj)
            assert version.revision.get_comment() == "Loaded from the demo content."
    condition_revision = Version.objects.get_for_object(Condition.objects.get()).get().revision
    assert condition_revision.version_set.get_for_model(ConditionProcedure).count() == len(PROCEDURE_SLUGS)
