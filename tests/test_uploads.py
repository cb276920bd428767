"""Case image uploads: bad files are refused with a clear error and nothing stored; good ones keep only pixels."""

import ast
import io
import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from PIL import Image

from conditions import images
from conditions.models import CaseImage
from publishing import versions
from tests.conftest import case_image_form, make_case, make_condition
from tests.html import Outline
from tests.images import encoded, jpeg_segment, png_bomb, upload, with_segment_after_start

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def case_change_url(case):
    return f"/admin/conditions/casestudy/{case.pk}/change/"


def stored_files(settings):
    return sorted(path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file())


def upload_through_admin(client, image_file):
    # A draft page's case study is saved in place; a published page's waits for approval (test_approval.py).
    case = make_case(make_condition(status="draft"), images=0)
    return client.post(case_change_url(case), case_image_form(case, image=image_file))


def image_errors(response):
    return " ".join(str(error) for error in response.context["inline_admin_formsets"][0].formset.errors[0]["image"])


def real_jpeg():
    return encoded("JPEG")


def truncated_jpeg():
    data = encoded("JPEG", size=(400, 300), mode="RGB")
    # Keep the header and the first part of the compressed pixels only.
    return data[: len(data) // 2]


def dicom_file():
    """A DICOM Part 10 file: a 128-byte preamble, the DICM marker, then data elements."""
    transfer_syntax = b"\x02\x00\x10\x00UI\x14\x001.2.840.10008.1.2.1\x00"
    patient_name = b"\x10\x00\x10\x00PN\x08\x00DOE^JOHN"
    return b"\x00" * 128 + b"DICM" + transfer_syntax + patient_name


BAD_UPLOADS = [
    pytest.param(b"", "scan.png", "The file is empty", id="empty file"),
    pytest.param(b"<html><script>alert(1)</script></html>", "scan.png", "web page or drawing", id="HTML as .png"),
    pytest.param(b"<!DOCTYPE html><p>hi</p>", "scan.jpg", "web page or drawing", id="HTML as .jpg"),
    pytest.param(b'<svg onload="alert(1)"/>', "scan.png", "web page or drawing", id="SVG as .png"),
    pytest.param(
        b'\xef\xbb\xbf<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        "scan.webp",
        "web page or drawing",
        id="SVG with BOM as .webp",
    ),
    pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg"/>', "drawing.svg", "SVG files are not accepted", id="SVG"),
    pytest.param(encoded("TIFF"), "scan.tif", "TIFF files are not accepted", id="TIFF"),
    pytest.param(encoded("TIFF"), "scan.png", "TIFF files are not accepted", id="TIFF as .png"),
    pytest.param(encoded("BMP"), "scan.bmp", "BMP files are not accepted", id="BMP"),
    pytest.param(b"8BPS\x00\x01" + b"\x00" * 200, "scan.psd", "Photoshop (PSD) files are not accepted", id="PSD"),
    pytest.param(encoded("GIF"), "scan.gif", "GIF files are not accepted", id="GIF"),
    pytest.param(dicom_file(), "scan.dcm", "must be exported", id="DICOM .dcm"),
    pytest.param(dicom_file(), "scan.png", "must be exported", id="DICOM marker as .png"),
    pytest.param(b"not really a scan", "scan.dcm", "must be exported", id=".dcm without a marker"),
    pytest.param(truncated_jpeg(), "scan.jpg", "damaged or incomplete", id="truncated JPEG"),
    pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF", "scan.jpg", "not one, or it is damaged", id="JPEG header only"),
    pytest.param(png_bomb(10_000, 10_000), "scan.png", "more than 40 megapixels", id="decompression bomb, 100 MP"),
    pytest.param(
        png_bomb(30_000, 30_000, with_pixels=False), "scan.png", "more than 40 megapixels", id="bomb past Pillow limit"
    ),
    pytest.param(encoded("PNG"), "scan.jpg", "contains a PNG image but its name ends in ‘.jpg’", id="PNG named .jpg"),
    pytest.param(encoded("JPEG"), "scan.webp", "contains a JPEG image", id="JPEG named .webp"),
    pytest.param(encoded("PNG"), "scan", "ends in ‘(nothing)’", id="no extension"),
    pytest.param(encoded("PNG", mode="I;16"), "scan.png", "16 bits per channel", id="16-bit PNG"),
    pytest.param(b"just some text, not an image", "scan.png", "not one, or it is damaged", id="text as .png"),
    pytest.param(encoded("PNG") + b"\x00" * (10 * MB), "scan.png", "images can be at most 10.0\xa0MB", id="oversize"),
]


@pytest.mark.parametrize(("data", "name", "message"), BAD_UPLOADS)
def test_the_admin_refuses_a_bad_upload_with_a_clear_error_and_stores_nothing(
    staff_client, settings, data, name, message
):
    response = upload_through_admin(staff_client, upload(data, name))
    assert response.status_code == 200
    assert message in image_errors(response)
    assert not CaseImage.objects.exists()
    assert stored_files(settings) == []


def test_the_dicom_message_says_to_export_a_de_identified_jpeg_or_png(staff_client):
    response = upload_through_admin(staff_client, upload(dicom_file(), "IM0001.dcm"))
    assert "must be exported from the viewer as a de-identified JPEG or PNG first" in image_errors(response)


def test_an_animated_png_is_refused(staff_client, settings):
    frames = [Image.new("RGB", (32, 32), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "PNG", save_all=True, append_images=frames[1:])
    response = upload_through_admin(staff_client, upload(buffer.getvalue(), "scan.png"))
    assert "Animated images are not accepted" in image_errors(response)
    assert stored_files(settings) == []


def test_the_size_cap_comes_from_settings(staff_client, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1000
    response = upload_through_admin(staff_client, upload(encoded("PNG") + b"\x00" * 1000, "scan.png"))
    assert "images can be at most 1000\xa0bytes" in image_errors(response)
    assert stored_files(settings) == []


def test_the_pixel_cap_comes_from_settings(staff_client, settings):
    settings.IMAGE_UPLOAD_MAX_PIXELS = 2_000
    response = upload_through_admin(staff_client, upload(encoded("PNG", size=(50, 50)), "scan.png"))
    assert "more than 0.002 megapixels" in image_errors(response)
    assert stored_files(settings) == []


def test_oversize_files_are_refused_before_pillow_reads_them(monkeypatch, settings):
    def must_not_open(*args, **kwargs):
        raise AssertionError("Pillow was asked to open an oversize file")

    monkeypatch.setattr(Image, "open", must_not_open)
    settings.IMAGE_UPLOAD_MAX_BYTES = 100
    with pytest.raises(images.ValidationError, match="at most"):
        images.open_upload(upload(b"\xff\xd8" + b"\x00" * 200, "scan.jpg"))


def test_pixel_count_is_checked_before_any_pixel_is_decoded(monkeypatch):
    def must_not_decode(self):
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(Image.Image, "load", must_not_decode)
    monkeypatch.setattr("PIL.ImageFile.ImageFile.load", must_not_decode)
    with pytest.raises(images.ValidationError, match="megapixels"):
        images.open_upload(upload(png_bomb(10_000, 10_000), "scan.png"))


@pytest.mark.parametrize(
    ("image_format", "name"), [("JPEG", "scan.jpg"), ("JPEG", "SCAN.JPEG"), ("PNG", "scan.png"), ("WEBP", "scan.webp")]
)
def test_jpeg_png_and_webp_are_accepted_and_stored_in_their_own_format(staff_client, image_format, name):
    response = upload_through_admin(staff_client, upload(encoded(image_format, size=(120, 80)), name))
    assert response.status_code == 302
    image = CaseImage.objects.get()
    with image.image.open("rb") as stored, Image.open(stored) as picture:
        assert picture.format == image_format
        assert picture.size == (120, 80) == (image.width, image.height)


def test_a_phones_multi_picture_jpeg_is_kept_as_its_main_picture(staff_client):
    photo, preview = Image.new("RGB", (120, 80), "red"), Image.new("RGB", (30, 20), "blue")
    buffer = io.BytesIO()
    photo.save(buffer, "MPO", save_all=True, append_images=[preview])
    response = upload_through_admin(staff_client, upload(buffer.getvalue(), "IMG_0001.jpg"))
    assert response.status_code == 302
    with CaseImage.objects.get().image.open("rb") as stored, Image.open(stored) as picture:
        assert (picture.format, picture.size, getattr(picture, "n_frames", 1)) == ("JPEG", (120, 80), 1)


def photo_with_hidden_details():
    """A camera JPEG, turned on its side, carrying EXIF, XMP, IPTC, a comment and bytes after its end."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; show rotated 90° clockwise
    exif[0x010F] = "ScanCam"  # Make
    exif[0xA431] = "SERIAL-12345"  # BodySerialNumber
    exif[0x9003] = "2026:03:14 09:26:53"  # DateTimeOriginal
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)}  # GPS: a hospital ward
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(
        buffer,
        "JPEG",
        exif=exif,
        comment=b"Patient: DOE^JOHN",
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description dc:creator="Dr XMP-AUTHOR"/></x:xmpmeta>',
    )
    iptc = b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x12\x1c\x02\x78\x00\x0eIPTC-CAPTION-X"
    return with_segment_after_start(buffer.getvalue(), jpeg_segment(0xED, iptc)) + b"TRAILING-SECRET"


def test_a_stored_image_keeps_only_its_pixels_turned_upright(staff_client):
    original = photo_with_hidden_details()
    for secret in [b"SERIAL-12345", b"DOE^JOHN", b"XMP-AUTHOR", b"IPTC-CAPTION-X", b"TRAILING-SECRET", b"2026:03:14"]:
        assert secret in original  # the test file really carries it
    response = upload_through_admin(staff_client, upload(original, "john-doe-ward-7.jpg"))
    assert response.status_code == 302
    image = CaseImage.objects.get()
    stored = image.image.read()
    for secret in [b"SERIAL-12345", b"DOE^JOHN", b"XMP-AUTHOR", b"IPTC-CAPTION-X", b"TRAILING-SECRET", b"2026:03:14"]:
        assert secret not in stored
    assert stored.endswith(b"\xff\xd9")  # nothing after the end-of-image marker
    with Image.open(io.BytesIO(stored)) as picture:
        assert not picture.getexif()
        assert not {"exif", "xmp", "icc_profile", "comment", "photoshop"} & set(picture.info)
        assert picture.size == (40, 60)  # turned upright before the orientation tag was dropped
    assert (image.width, image.height) == (40, 60)


def test_images_are_stored_under_a_random_name_never_the_uploaded_one(staff_client):
    upload_through_admin(staff_client, upload(encoded("JPEG"), "john-doe-ward-7.jpg"))
    name = CaseImage.objects.get().image.name
    assert "john" not in name
    assert re.fullmatch(r"cases/\d{4}/[0-9a-f]{32}\.jpg", name)


def test_renditions_are_made_once_on_save_as_webp_at_each_width(staff_client, settings):
    response = upload_through_admin(staff_client, upload(encoded("JPEG", size=(2000, 1000)), "scan.jpg"))
    assert response.status_code == 302
    image = CaseImage.objects.get()
    assert image.renditions == [480, 960, 1600]
    for width in image.renditions:
        with image.image.storage.open(images.rendition_name(image.image.name, width)) as file, Image.open(file) as pic:
            assert pic.format == "WEBP"
            assert pic.size == (width, width // 2)
    assert len(stored_files(settings)) == 4  # the image and three renditions


def test_a_small_image_gets_one_rendition_at_its_own_width(staff_client):
    upload_through_admin(staff_client, upload(encoded("PNG", size=(300, 200)), "scan.png"))
    assert CaseImage.objects.get().renditions == [300]


def test_the_condition_page_offers_renditions_with_srcset_sizes_and_lazy_loading(client):
    condition = make_condition()
    case = make_case(condition, images=0)
    image = CaseImage(case_study=case, label="A", stage="before", caption="Before.", alt_text="A tumour.")
    image.image.save("scan.jpg", upload(encoded("JPEG", size=(2000, 1500)), "scan.jpg"))
    page = client.get(condition.get_absolute_url()).content.decode()
    [img] = Outline(page).find_all("img", alt="A tumour.")
    stem = image.image.url.rsplit(".", 1)[0]
    assert img["srcset"] == f"{stem}-480w.webp 480w, {stem}-960w.webp 960w, {stem}-1600w.webp 1600w"
    assert img["src"] == f"{stem}-960w.webp"
    assert "100vw" in img["sizes"]
    assert (img["width"], img["height"]) == ("2000", "1500")
    assert img["loading"] == "lazy"


def unsaved_case_image():
    case = make_case(make_condition(), images=0)
    return CaseImage(case_study=case, label="A", stage="before", caption="Before.", alt_text="A tumour.")


def test_an_image_saved_from_code_is_checked_under_the_name_given_to_save(settings):
    image = unsaved_case_image()
    image.image.save("scan.png", ContentFile(encoded("PNG", size=(120, 80))))  # the content has no name
    image.refresh_from_db()
    assert re.fullmatch(r"cases/\d{4}/[0-9a-f]{32}\.png", image.image.name)
    assert (image.width, image.height, image.renditions) == (120, 80, [120])
    assert image.image.all_files_exist()


def test_the_name_given_to_save_wins_over_the_contents_own_name():
    image = unsaved_case_image()
    image.image.save("scan.png", upload(encoded("PNG"), "export.jpg"))
    assert image.image.name.endswith(".png")


def test_a_name_given_to_save_that_does_not_match_the_contents_is_refused(settings):
    image = unsaved_case_image()
    with pytest.raises(images.ValidationError) as refused:
        image.image.save("scan.gif", upload(encoded("PNG"), "scan.png"))
    assert "contains a PNG image but its name ends in ‘.gif’" in " ".join(refused.value.messages)
    assert not CaseImage.objects.exists()
    assert stored_files(settings) == []


def test_a_web_page_saved_from_code_under_an_image_name_is_refused(settings):
    image = unsaved_case_image()
    with pytest.raises(images.ValidationError, match="web page or drawing"):
        image.image.save("scan.png", ContentFile(b"<html><script>alert(1)</script></html>"))
    assert not CaseImage.objects.exists()
    assert stored_files(settings) == []


def test_pages_never_open_or_make_an_image_while_rendering(client, monkeypatch):
    condition = make_condition()
    make_case(condition, images=3)

    def forbidden(*args, **kwargs):
        raise AssertionError("an image was opened or written while rendering a page")

    monkeypatch.setattr(Image, "open", forbidden)
    monkeypatch.setattr(FileSystemStorage, "_save", forbidden)
    monkeypatch.setattr(FileSystemStorage, "_open", forbidden)
    response = client.get(condition.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count("srcset=") == 3


def test_deleting_an_image_deletes_its_renditions(settings):
    case = make_case(make_condition(), images=1)
    image = case.images.get()
    assert len(stored_files(settings)) == 2
    image.image.delete()
    assert stored_files(settings) == []
    assert image.renditions == []


def test_the_upload_field_tells_browsers_which_files_to_offer(staff_client):
    case = make_case(make_condition(), images=0)
    html = staff_client.get(case_change_url(case)).content.decode()
    assert 'accept="image/jpeg,image/png,image/webp"' in html
    assert "DICOM files must be exported as de-identified JPEG or PNG first" in html


def test_deleting_a_case_study_deletes_its_image_files(staff_client, settings, django_capture_on_commit_callbacks):
    case = make_case(make_condition(), images=2)
    assert len(stored_files(settings)) == 4
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"/admin/conditions/casestudy/{case.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CaseImage.objects.exists()
    assert stored_files(settings) == []


def test_replacing_an_image_deletes_the_old_files(staff_client, settings, django_capture_on_commit_callbacks):
    case = make_case(make_condition(status="draft"), images=1)
    image = case.images.get()
    old_names = [image.image.name, *image.image.rendition_names()]
    data = {
        **case_image_form(case, image=upload(encoded("WEBP", size=(600, 400)), "better.webp")),
        "images-INITIAL_FORMS": "1",
        "images-0-id": str(image.pk),
        "images-0-case_study": str(case.pk),
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.post(case_change_url(case), data).status_code == 302
    image.refresh_from_db()
    assert image.image.name.endswith(".webp") and image.renditions == [480, 600]
    remaining = {str(path.relative_to(settings.MEDIA_ROOT)) for path in stored_files(settings)}
    assert remaining == {image.image.name, *image.image.rendition_names()}
    assert not remaining & set(old_names)


def test_an_upload_through_the_admin_is_decoded_once(staff_client, monkeypatch):
    calls = []
    checked = images.open_upload

    def counting(file):
        calls.append(file.name)
        return checked(file)

    monkeypatch.setattr(images, "open_upload", counting)
    response = upload_through_admin(staff_client, upload(real_jpeg(), "scan.jpg"))
    assert response.status_code == 302
    assert len(calls) == 1
    assert CaseImage.objects.get().image.all_files_exist()


class Failed(Exception):
    """Raised by a test to roll a transaction back."""


def new_case_image(case, label="A"):
    """A case image saved from code, 1000 pixels wide: four files, its original and renditions at 480, 960 and 1000."""
    image = CaseImage(case_study=case, label=label, stage="before", caption="Before.", alt_text="A tumour.")
    image.image.save("scan.png", ContentFile(encoded("PNG", size=(1000, 500))))
    return image


def test_an_image_saved_in_a_block_that_rolls_back_leaves_no_file(settings):
    case = make_case(make_condition(), images=0)
    with pytest.raises(Failed), transaction.atomic():
        new_case_image(case)
        assert len(stored_files(settings)) == 4
        raise Failed
    assert stored_files(settings) == []
    assert not CaseImage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_rolls_back_leaves_no_file_and_one_that_commits_keeps_them(settings):
    case = make_case(make_condition(), images=0)
    with pytest.raises(Failed), transaction.atomic():
        with transaction.atomic():
            new_case_image(case, "A")
        raise Failed
    assert stored_files(settings) == []
    with transaction.atomic():
        kept = new_case_image(case, "B")
    assert {str(path.relative_to(settings.MEDIA_ROOT)) for path in stored_files(settings)} == {
        kept.image.name,
        *kept.image.rendition_names(),
    }


def test_an_admin_save_that_fails_while_storing_the_renditions_leaves_no_file(staff_client, settings, monkeypatch):
    case = make_case(make_condition(status="draft"), images=0)
    writes = []
    write = FileSystemStorage._save

    def full_after_two(storage, name, content):
        if len(writes) == 2:
            raise OSError(28, "No space left on device")
        writes.append(name)
        return write(storage, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", full_after_two)
    with pytest.raises(OSError, match="No space left"):
        staff_client.post(
            case_change_url(case), case_image_form(case, image=upload(encoded("PNG", (1000, 500)), "a.png"))
        )
    assert len(writes) == 2
    assert stored_files(settings) == []
    assert not CaseImage.objects.exists()


def test_a_picture_for_a_pending_version_goes_only_if_the_save_keeping_it_rolls_back(settings, editor):
    page = make_condition()
    case = make_case(page, images=0)
    with pytest.raises(Failed), transaction.atomic():
        with versions.editing([page], editor):
            new_case_image(case)
        assert not CaseImage.objects.exists()
        assert len(stored_files(settings)) == 4  # kept for the pending version, past the rows' rollback
        raise Failed
    assert stored_files(settings) == []


@pytest.mark.django_db(transaction=True)
def test_a_replaced_picture_that_cannot_be_deleted_leaves_the_new_pictures_alone(staff_client, settings, monkeypatch):
    case = make_case(make_condition(status="draft"), images=1)
    old = case.images.get()
    old_files = {old.image.name, *old.image.rendition_names()}
    delete = FileSystemStorage.delete

    def failing_for_old_files(storage, name):
        if name in old_files:
            raise OSError(5, "Input/output error")
        delete(storage, name)

    monkeypatch.setattr(FileSystemStorage, "delete", failing_for_old_files)
    data = {
        **case_image_form(case, image=upload(encoded("WEBP"), "replacement.webp")),
        "images-INITIAL_FORMS": "1",
        "images-0-id": str(old.pk),
        "images-0-case_study": str(case.pk),
        "images-TOTAL_FORMS": "2",
        "images-1-label": "B",
        "images-1-stage": "after",
        "images-1-caption": "CT scan after treatment.",
        "images-1-alt_text": "The same bone, healed.",
        "images-1-order": "2",
        "images-1-image": upload(encoded("PNG"), "added.png"),
    }
    assert staff_client.post(case_change_url(case), data).status_code == 302
    new_files = {
        name for image in CaseImage.objects.all() for name in [image.image.name, *image.image.rendition_names()]
    }
    assert len(new_files) == 4 and not new_files & old_files
    assert {str(path.relative_to(settings.MEDIA_ROOT)) for path in stored_files(settings)} == new_files | old_files


def test_every_on_commit_hook_of_the_project_is_robust():
    # A hook that raises makes Django drop the hooks after it unrun, which publishing/uploads.py
    # would take for a rollback, deleting committed pictures.
    root = Path(__file__).resolve().parent.parent
    calls = []
    for path in root.glob("*/**/*.py"):
        if path.parts[len(root.parts)] in {".venv", "tests"}:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "on_commit":
                robust = any(k.arg == "robust" and getattr(k.value, "value", False) is True for k in node.keywords)
                calls.append((f"{path.relative_to(root)}:{node.lineno}", robust))
    assert len(calls) >= 3
    assert [call for call, robust in calls if not robust] == []
