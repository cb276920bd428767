"""`manage.py rebuild_renditions` makes the renditions case images lack, and leaves their originals alone."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command

from conditions import images
from conditions.models import CaseImage
from tests.conftest import make_case, make_condition
from tests.images import encoded

pytestmark = pytest.mark.django_db


def case_image(case=None, label="A"):
    case = case or make_case(make_condition(), images=0)
    image = CaseImage(case_study=case, label=label, stage="before", caption="Before.", alt_text="A tumour.")
    image.image.save("scan.png", ContentFile(encoded("PNG", size=(1000, 500))))
    return image


def forget_renditions(image, **fields):
    """Make the image look as if it was stored before renditions existed."""
    for name in image.image.rendition_names():
        image.image.storage.delete(name)
    CaseImage.objects.filter(pk=image.pk).update(renditions=[], **fields)


def rebuild_renditions():
    """Run the command; return what it printed."""
    out, err = io.StringIO(), io.StringIO()
    call_command("rebuild_renditions", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_an_image_stored_before_renditions_existed_gets_them():
    image = case_image()
    forget_renditions(image, width=None, height=None)
    output = rebuild_renditions()
    image.refresh_from_db()
    assert (image.renditions, image.width, image.height) == ([480, 960, 1000], 1000, 500)
    assert image.image.all_files_exist()
    assert "made 480, 960, 1000 pixels wide" in output
    assert "Checked 1 case images: 1 rebuilt, 0 already up to date, 0 could not be rebuilt." in output


def test_the_original_is_neither_re_encoded_nor_renamed():
    image = case_image()
    name, original = image.image.name, image.image.read()
    forget_renditions(image)
    rebuild_renditions()
    image.refresh_from_db()
    assert image.image.name == name
    assert image.image.storage.open(name).read() == original


def test_running_it_again_does_nothing(monkeypatch):
    image = case_image()
    forget_renditions(image)
    rebuild_renditions()

    def forbidden(*args, **kwargs):
        raise AssertionError("an up-to-date image was opened or written")

    monkeypatch.setattr(FileSystemStorage, "_save", forbidden)
    monkeypatch.setattr(FileSystemStorage, "_open", forbidden)
    assert "0 rebuilt, 1 already up to date" in rebuild_renditions()


def test_a_missing_rendition_file_is_made_again_under_its_own_name():
    image = case_image()
    storage = image.image.storage
    missing, *kept = image.image.rendition_names()
    kept_times = {name: storage.get_modified_time(name) for name in kept}
    storage.delete(missing)
    output = rebuild_renditions()
    assert storage.exists(missing)
    assert {name: storage.get_modified_time(name) for name in kept} == kept_times  # the others were left alone
    assert "made 480 pixels wide" in output
    assert CaseImage.objects.get().renditions == [480, 960, 1000]


def test_new_rendition_widths_replace_the_old_ones(monkeypatch):
    image = case_image()
    old = image.image.rendition_names()
    monkeypatch.setattr(images, "RENDITION_WIDTHS", (320, 640))
    output = rebuild_renditions()
    image.refresh_from_db()
    assert image.renditions == [320, 640]
    assert image.image.all_files_exist()
    assert not any(image.image.storage.exists(name) for name in old)
    assert "made 320, 640 pixels wide; removed 480, 960, 1000" in output


def test_an_image_whose_original_is_missing_is_reported_and_the_others_still_rebuilt():
    lost = case_image()
    kept = case_image(lost.case_study, label="B")
    forget_renditions(lost)
    forget_renditions(kept)
    lost.image.storage.delete(lost.image.name)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 case image"):
        call_command("rebuild_renditions", stdout=out, stderr=err)
    assert f"Case image {lost.pk} (Cryoablation of a spinal tumour, image A): its original file" in err.getvalue()
    assert "is missing" in err.getvalue()
    assert "1 rebuilt, 0 already up to date, 1 could not be rebuilt" in out.getvalue()
    kept.refresh_from_db()
    assert kept.renditions == [480, 960, 1000] and kept.image.all_files_exist()
    assert CaseImage.objects.get(pk=lost.pk).renditions == []


def test_an_original_that_is_not_a_usable_image_is_reported():
    image = case_image()
    forget_renditions(image)
    with image.image.storage.open(image.image.name, "wb") as file:
        file.write(b"<html><script>alert(1)</script></html>")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("rebuild_renditions", stdout=io.StringIO(), stderr=err)
    assert "cannot be used: This file is a web page or drawing" in err.getvalue()
