"""Printable leaflets: made from the approved version, once, and kept; old addresses keep working."""

import datetime
import io
import pathlib
import subprocess

import pytest
import zxingcpp
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from conditions.models import Condition
from procedures.models import Procedure
from publishing import leaflets, versions, workflow
from publishing.models import CLINICAL_REVIEWERS, ApprovedVersion
from tests.conftest import make_case, make_condition, make_procedure

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today().isoformat()  # the leaflet's version is dated by its approval


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://patientinfo.example.org"


@pytest.fixture
def reviewer():
    user = get_user_model().objects.create_user("reviewer", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=CLINICAL_REVIEWERS))
    return user


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def approved_condition(reviewer, **kwargs):
    """A condition published through the workflow, so it has an approved version 1."""
    kwargs.setdefault("status", "draft")
    kwargs.setdefault("leaflet_reference", "IR-BON-001")
    kwargs.setdefault("what_it_is", "<p>Cancer has spread to the bones.</p><h3>Who gets it</h3><p>Many people.</p>")
    condition = make_condition(**kwargs)
    reviewed = {"last_reviewed": datetime.date(2026, 12, 3), "reviewed_by": "Consultant radiologist"}
    workflow.approve(condition, reviewer, **reviewed)
    condition.refresh_from_db()
    return condition


def edit_pending(page, user, **fields):
    """Save a change to a published page as staff do: a pending version on top of the approved one."""
    with versions.editing([page], user):
        type(page).objects.filter(pk=page.pk).first()
        fresh = type(page).objects.get(pk=page.pk)
        for name, value in fields.items():
            setattr(fresh, name, value)
        fresh.save()


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def save_for_looking(pdf, name):
    """Keep a leaflet in screenshots/, as the browser tests keep their pages, to render and look at."""
    folder = pathlib.Path(__file__).resolve().parent.parent / "screenshots"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(pdf)


def pdf_text(pdf):
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_a_condition_leaflet_holds_the_approved_version_with_its_footer_on_every_page(client, reviewer):
    long_text = "".join(f"<p>Paragraph {n} about living with bone pain and how the team helps.</p>" for n in range(60))
    condition = approved_condition(reviewer, other_information=long_text)
    make_case(condition, images=2)
    pdf = download(client, "/conditions/bone-pain-from-cancer/leaflet.pdf")
    save_for_looking(pdf, "condition-leaflet.pdf")
    pages = pdf_text(pdf)
    assert len(pages) >= 2
    for text in pages:
        assert f"IR-BON-001 v1, approved {TODAY}" in text
    whole = "\n".join(pages)
    for expected in (
        "Interventional Radiology patient information",
        "Bone pain from cancer",
        "What it is",
        "Who gets it",
        "Other information",
        "Image A caption.",
        "Last reviewed",
        "3 December 2026",
        "Consultant radiologist",
    ):
        assert expected in whole, expected
    # The address may wrap at the end of a line.
    assert "https://patientinfo.example.org/conditions/bone-pain-from-cancer/" in "".join(whole.split())


def test_the_leaflet_is_tagged_with_its_language_title_headings_and_alt_text(client, reviewer):
    condition = approved_condition(reviewer)
    make_case(condition, images=1)
    reader = PdfReader(io.BytesIO(download(client, "/conditions/bone-pain-from-cancer/leaflet.pdf")))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title == "Bone pain from cancer | Interventional Radiology patient information"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    tags, alts = [], []

    def walk(node):
        node = node.get_object()
        if "/S" in node:
            tags.append(node["/S"])
        if "/Alt" in node:
            alts.append(str(node["/Alt"]))
        kids = node.get("/K")
        if kids is None:
            return
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            # Structure elements have a type (/S); marked-content references are plain numbers.
            if hasattr(kid, "get") and "/S" in kid:
                walk(kid)

    walk(root["/StructTreeRoot"])
    assert {"/H1", "/H2", "/H3", "/Figure"} <= set(tags)
    assert "Schematic image A." in alts
    assert any(alt.startswith("QR code linking to this page") for alt in alts)


def test_the_qr_code_links_to_the_live_page(client, reviewer, tmp_path):
    approved_condition(reviewer)
    pdf_file = tmp_path / "leaflet.pdf"
    pdf_file.write_bytes(download(client, "/conditions/bone-pain-from-cancer/leaflet.pdf"))
    subprocess.run(["pdftoppm", "-png", "-r", "120", str(pdf_file), str(tmp_path / "page")], check=True)
    found = [
        result.text
        for png in sorted(tmp_path.glob("page*.png"))
        for result in zxingcpp.read_barcodes(Image.open(png))
        if result.format == zxingcpp.BarcodeFormat.QRCode
    ]
    assert found == ["https://patientinfo.example.org/conditions/bone-pain-from-cancer/"]


def test_a_procedure_has_a_leaflet_too(client, reviewer):
    procedure = make_procedure(status="draft", leaflet_reference="IR-CEM-003", sedation="local")
    workflow.approve(procedure, reviewer, last_reviewed=datetime.date(2026, 12, 3), reviewed_by="Nurse specialist")
    text = "\n".join(pdf_text(download(client, "/procedures/vertebroplasty/leaflet.pdf")))
    assert f"IR-CEM-003 v1, approved {TODAY}" in text
    assert "Local anaesthetic" in text and "Vertebroplasty" in text


def test_the_leaflet_is_made_once_and_the_second_download_reads_the_stored_file(client, reviewer, monkeypatch):
    approved_condition(reviewer)
    first = download(client, "/conditions/bone-pain-from-cancer/leaflet.pdf")
    version = ApprovedVersion.objects.get()
    assert version.leaflet and default_storage.exists(version.leaflet.name)

    def must_not_render(*args, **kwargs):
        raise AssertionError("the leaflet was made again")

    monkeypatch.setattr(leaflets, "render", must_not_render)
    assert download(client, "/conditions/bone-pain-from-cancer/leaflet.pdf") == first


def test_the_leaflet_is_made_when_the_approval_commits(reviewer, django_capture_on_commit_callbacks):
    condition = make_condition(status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        version = workflow.approve(condition, reviewer)
    version.refresh_from_db()
    assert version.leaflet and version.leaflet_made_at


def test_a_leaflet_whose_save_rolls_back_leaves_no_file(reviewer, monkeypatch):
    approved_condition(reviewer)
    version = ApprovedVersion.objects.get()
    saved = []
    real_save = ApprovedVersion.save

    def failing_save(self, *args, **kwargs):
        saved.append(self.leaflet.name)
        raise RuntimeError("database went away")

    monkeypatch.setattr(ApprovedVersion, "save", failing_save)
    with pytest.raises(RuntimeError):
        leaflets.stored(version)
    monkeypatch.setattr(ApprovedVersion, "save", real_save)
    assert saved and not default_storage.exists(saved[0])
    assert not ApprovedVersion.objects.get().leaflet


def test_pending_changes_never_reach_the_leaflet(client, reviewer):
    condition = approved_condition(reviewer)
    edit_pending(condition, reviewer, summary="A pending summary nobody approved.")
    text = "\n".join(pdf_text(download(client, "/conditions/bone-pain-from-cancer/leaflet.pdf")))
    assert "Pain caused by cancer that has spread to the bones." in text
    assert "pending summary" not in text


def test_staff_download_every_past_version_exactly_as_it_was(reviewer_client, reviewer):
    condition = approved_condition(reviewer)
    first = download(reviewer_client, "/conditions/bone-pain-from-cancer/leaflet.pdf")
    edit_pending(condition, reviewer, summary="The second approved summary.")
    workflow.approve(condition, reviewer, last_reviewed=datetime.date(2026, 12, 4))
    v1, v2 = ApprovedVersion.objects.order_by("number")
    assert download(reviewer_client, f"/admin/publishing/approvedversion/{v1.pk}/leaflet/") == first
    second = "\n".join(pdf_text(download(reviewer_client, f"/admin/publishing/approvedversion/{v2.pk}/leaflet/")))
    assert "IR-BON-001 v2, approved" in second and "The second approved summary." in second
    public = "\n".join(pdf_text(download(reviewer_client, "/conditions/bone-pain-from-cancer/leaflet.pdf")))
    assert "IR-BON-001 v2" in public


def test_a_past_version_never_downloaded_is_made_from_its_own_snapshot(reviewer_client, reviewer):
    condition = approved_condition(reviewer)
    edit_pending(condition, reviewer, summary="The second approved summary.")
    workflow.approve(condition, reviewer)
    v1 = ApprovedVersion.objects.get(number=1)
    text = "\n".join(pdf_text(download(reviewer_client, f"/admin/publishing/approvedversion/{v1.pk}/leaflet/")))
    assert "IR-BON-001 v1" in text and "Pain caused by cancer that has spread to the bones." in text
    assert "second approved" not in text
    assert Condition.objects.get().summary == "The second approved summary."  # the rows were left alone


def test_the_admin_lists_a_pages_versions_with_approval_dates_and_reviewers(reviewer_client, reviewer):
    condition = approved_condition(reviewer)
    edit_pending(condition, reviewer, summary="A second version.")
    workflow.approve(condition, reviewer, reviewed_by="Nurse consultant")
    form = reviewer_client.get(f"/admin/conditions/condition/{condition.pk}/change/").content.decode()
    assert "Leaflet versions" in form
    url = form.split('href="/admin/publishing/approvedversion/?')[1].split('"')[0].replace("&amp;", "&")
    listing = reviewer_client.get("/admin/publishing/approvedversion/?" + url).content.decode()
    assert "Download v1 (PDF)" in listing and "Download v2 (PDF)" in listing
    assert "Nurse consultant" in listing and "Consultant radiologist" in listing and "reviewer" in listing


def test_visitors_cannot_download_past_versions_from_the_admin(client, reviewer):
    approved_condition(reviewer)
    version = ApprovedVersion.objects.get()
    response = client.get(f"/admin/publishing/approvedversion/{version.pk}/leaflet/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    non_staff = get_user_model().objects.create_user("patient", password="pw")
    client.force_login(non_staff)
    assert client.get(f"/admin/publishing/approvedversion/{version.pk}/leaflet/").status_code == 302


def test_withdrawn_consent_takes_the_case_out_of_the_live_leaflet(client, reviewer, django_capture_on_commit_callbacks):
    condition = make_condition(status="draft", leaflet_reference="IR-BON-001")
    case = make_case(condition, images=1, title="A consented case")
    workflow.approve(condition, reviewer, consent_confirmed=[case.pk])
    assert "A consented case" in "\n".join(pdf_text(download(client, "/conditions/bone-pain-from-cancer/leaflet.pdf")))
    condition.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        # An editor unticks consent: taken off the site at once, without waiting for approval.
        with versions.editing([condition], reviewer):
            type(case).objects.filter(pk=case.pk).update(consent_recorded=False)
    text = "\n".join(pdf_text(download(client, "/conditions/bone-pain-from-cancer/leaflet.pdf")))
    assert "A consented case" not in text and "Bone pain from cancer" in text
    assert "IR-BON-001 v1" in text  # still the approved version, less what was taken down


def test_the_public_page_links_to_its_leaflet(client, reviewer):
    approved_condition(reviewer)
    html = client.get("/conditions/bone-pain-from-cancer/").content.decode()
    assert 'href="/conditions/bone-pain-from-cancer/leaflet.pdf"' in html and "Download leaflet (PDF)" in html


def test_an_unpublished_pages_leaflet_is_not_found(client, reviewer):
    condition = approved_condition(reviewer)
    download(client, "/conditions/bone-pain-from-cancer/leaflet.pdf")
    workflow.take_down(condition, reviewer)
    assert client.get("/conditions/bone-pain-from-cancer/leaflet.pdf").status_code == 404
    assert client.get("/conditions/no-such-page/leaflet.pdf").status_code == 404


def test_a_bad_leaflet_reference_is_refused_by_the_form(reviewer_client):
    from tests.conftest import condition_admin_form

    for bad in ("ir cem 003", "IR--CEM", "<b>IR</b>", "IR-CEM-003\x00", "A" * 31):
        response = reviewer_client.post("/admin/conditions/condition/add/", condition_admin_form(leaflet_reference=bad))
        assert response.status_code == 200, bad
        assert "leaflet_reference" in response.context["adminform"].form.errors, bad
    assert not Condition.objects.exists()


# Old addresses: printed QR codes and bookmarks keep working.


def rename(page, reviewer, slug):
    edit_pending(page, reviewer, slug=slug)
    workflow.approve(page, reviewer)
    page.refresh_from_db()


def test_a_renamed_page_redirects_permanently_from_every_old_address(client, reviewer):
    condition = approved_condition(reviewer)
    rename(condition, reviewer, "bone-pain")
    rename(condition, reviewer, "cancer-bone-pain")
    for old in ("bone-pain-from-cancer", "bone-pain"):
        response = client.get(f"/conditions/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/conditions/cancer-bone-pain/"  # one step, never a chain
        leaflet = client.get(f"/conditions/{old}/leaflet.pdf")
        assert leaflet.status_code == 301 and leaflet["Location"] == "/conditions/cancer-bone-pain/leaflet.pdf"
    assert client.get("/conditions/cancer-bone-pain/").status_code == 200


def test_a_pending_rename_redirects_nothing(client, reviewer):
    condition = approved_condition(reviewer)
    edit_pending(condition, reviewer, slug="bone-pain")
    assert client.get("/conditions/bone-pain-from-cancer/").status_code == 200
    assert client.get("/conditions/bone-pain/").status_code == 404


def test_an_old_address_taken_by_another_page_shows_that_page(client, reviewer):
    condition = approved_condition(reviewer)
    rename(condition, reviewer, "bone-pain")
    approved_condition(reviewer, name="Bone pain from cancer", slug="bone-pain-from-cancer", leaflet_reference="")
    assert client.get("/conditions/bone-pain-from-cancer/").status_code == 200


def test_a_deleted_pages_address_says_it_was_removed_and_links_to_the_lists(client, reviewer):
    approved_condition(reviewer).delete()
    response = client.get("/conditions/bone-pain-from-cancer/")
    assert response.status_code == 410
    html = response.content.decode()
    assert "This page has been removed" in html
    assert 'href="/conditions/"' in html and 'href="/procedures/"' in html
    assert client.get("/conditions/bone-pain-from-cancer/leaflet.pdf").status_code == 410


def test_an_unpublished_pages_address_is_a_kind_404(client, reviewer):
    workflow.take_down(approved_condition(reviewer), reviewer)
    response = client.get("/conditions/bone-pain-from-cancer/")
    assert response.status_code == 404
    assert 'href="/conditions/"' in response.content.decode()


def test_a_draft_never_published_looks_like_no_page_at_all(client):
    make_condition(status="draft")
    draft = client.get("/conditions/bone-pain-from-cancer/")
    nothing = client.get("/conditions/nothing-here/")
    assert draft.status_code == nothing.status_code == 404
    assert draft.content.replace(b"bone-pain-from-cancer", b"nothing-here") == nothing.content  # its address aside


def test_a_renamed_procedure_redirects(client, reviewer):
    procedure = make_procedure(status="draft")
    workflow.approve(procedure, reviewer)
    rename(procedure, reviewer, "spine-cement")
    response = client.get("/procedures/vertebroplasty/")
    assert response.status_code == 301 and response["Location"] == "/procedures/spine-cement/"
    assert Procedure.objects.get().slug == "spine-cement"


def test_a_scheduled_versions_leaflet_is_its_own_while_patients_keep_the_live_one(client, reviewer_client, reviewer):
    condition = approved_condition(reviewer)
    edit_pending(condition, reviewer, summary="The summary going live next week.")
    go_live = timezone.now() + datetime.timedelta(days=7)
    scheduled = workflow.approve(condition, reviewer, go_live_at=go_live)
    text = "\n".join(pdf_text(download(reviewer_client, f"/admin/publishing/approvedversion/{scheduled.pk}/leaflet/")))
    assert "IR-BON-001 v2" in text and "The summary going live next week." in text
    public = "\n".join(pdf_text(download(client, "/conditions/bone-pain-from-cancer/leaflet.pdf")))
    assert "IR-BON-001 v1" in public and "next week" not in public


def test_links_in_the_leaflet_point_at_the_site(client, reviewer):
    approved_condition(
        reviewer, treatments='<p>Read about <a href="/procedures/vertebroplasty/">vertebroplasty</a>.</p>'
    )
    reader = PdfReader(io.BytesIO(download(client, "/conditions/bone-pain-from-cancer/leaflet.pdf")))
    targets = [
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if "/A" in annotation.get_object()
    ]
    assert "https://patientinfo.example.org/procedures/vertebroplasty/" in targets


def test_a_deleted_pages_stored_leaflets_stay_for_staff(reviewer_client, reviewer):
    condition = approved_condition(reviewer)
    version = ApprovedVersion.objects.get()
    made = download(reviewer_client, f"/admin/publishing/approvedversion/{version.pk}/leaflet/")
    condition.delete()
    assert download(reviewer_client, f"/admin/publishing/approvedversion/{version.pk}/leaflet/") == made
    listing = reviewer_client.get("/admin/publishing/approvedversion/").content.decode()
    assert "Bone pain from cancer" in listing


def test_a_deleted_page_without_a_leaflet_says_none_was_made(reviewer_client, reviewer):
    approved_condition(reviewer).delete()
    version = ApprovedVersion.objects.get()
    assert reviewer_client.get(f"/admin/publishing/approvedversion/{version.pk}/leaflet/").status_code == 404


def test_making_a_leaflet_leaves_the_case_image_checks_refusing_damaged_uploads(client, reviewer):
    # WeasyPrint makes Pillow accept truncated images process-wide when it is imported.
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from conditions.images import open_upload
    from tests.test_uploads import truncated_jpeg

    approved_condition(reviewer)
    download(client, "/conditions/bone-pain-from-cancer/leaflet.pdf")
    with pytest.raises(ValidationError, match="damaged or incomplete"):
        open_upload(SimpleUploadedFile("scan.jpg", truncated_jpeg(), content_type="image/jpeg"))
