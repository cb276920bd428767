"""Each case image links to a page of its own at full size with its caption: scans' labels are unreadable at 360 px."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conditions.models import CaseImage
from publishing.models import Status
from tests.conftest import make_case, make_condition, public_html

pytestmark = pytest.mark.django_db


def image_page(image):
    return f"/conditions/{image.case_study.condition.slug}/images/{image.pk}/"


def test_each_figure_links_to_its_full_size_page_with_the_caption(client):
    case = make_case(make_condition(), images=2)
    html = public_html(client, case.condition.get_absolute_url())
    for image in case.images.all():
        assert f'<a class="case-image-link" href="{image_page(image)}">' in html
        assert f"View image {image.label} full size" in html
    image = case.images.get(label="B")
    page = public_html(client, image_page(image))
    assert "<h1>Case study: Cryoablation of a spinal tumour, image B</h1>" in page
    assert "<strong>B:</strong> Image B caption." in page and "Before treatment, CT" in page
    assert 'alt="Schematic image B."' in page
    assert f'href="{case.condition.get_absolute_url()}#case-{case.pk}">Back to Bone pain from cancer</a>' in page


def test_the_full_size_page_shows_the_widest_rendition_at_its_own_size(client, settings):
    image = make_case(make_condition()).images.get()
    image.renditions, image.width, image.height = [480, 960, 1600], 2000, 1000
    image.save(update_fields=["renditions", "width", "height"])
    page = public_html(client, image_page(image))
    assert '-1600w.webp" alt="Schematic image A." width="1600" height="800">' in page


def test_an_image_without_renditions_is_shown_as_stored(client):
    image = make_case(make_condition()).images.get()
    CaseImage.objects.filter(pk=image.pk).update(renditions=[])
    page = public_html(client, image_page(image))
    assert f'src="{image.image.url}"' in page


@pytest.mark.parametrize(
    "hidden",
    [
        lambda case: case.__class__.objects.filter(pk=case.pk).update(consent_recorded=False),
        lambda case: case.condition.__class__.objects.filter(pk=case.condition.pk).update(status=Status.DRAFT),
    ],
    ids=["consent withdrawn", "condition unpublished"],
)
def test_an_image_not_shown_on_a_public_page_has_no_full_size_page(client, hidden):
    image = make_case(make_condition()).images.get()
    url = image_page(image)
    assert client.get(url).status_code == 200
    hidden(image.case_study)
    assert client.get(url).status_code == 404


def test_an_image_is_found_only_under_its_own_condition(client):
    image = make_case(make_condition()).images.get()
    other = make_condition(name="Another condition")
    assert client.get(f"/conditions/{other.slug}/images/{image.pk}/").status_code == 404
    assert client.get(f"/conditions/{image.case_study.condition.slug}/images/{image.pk + 1000}/").status_code == 404
    assert client.get(f"/conditions/{image.case_study.condition.slug}/images/abc/").status_code == 404


def test_the_full_size_page_costs_two_queries_and_sets_no_cookie(client):
    image = make_case(make_condition(), images=3).images.first()
    client.get(image_page(image))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(image_page(image))
    assert response.status_code == 200 and len(queries) == 2
    assert not response.cookies


def test_a_preview_links_no_image_to_a_page_it_may_not_have(editor_client):
    condition = make_condition(status=Status.DRAFT)
    make_case(condition)
    html = editor_client.get(condition.get_absolute_url()).content.decode()
    assert "Schematic image A." in html  # the preview shows the figure
    assert "case-image-link" not in html
