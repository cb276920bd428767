"""`manage.py orphaned_media` lists, and with --delete removes, uploaded files no case image refers to."""

import datetime
import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from conditions.models import CaseImage
from publishing.models import PendingChanges
from tests.conftest import approve_in_admin, case_image_form, make_case, make_condition
from tests.images import png_bytes

pytestmark = pytest.mark.django_db


def orphaned_media(*args):
    """Run the command; return what it printed, line by line."""
    out = io.StringIO()
    call_command("orphaned_media", *args, stdout=out)
    return out.getvalue().splitlines()


def stored(settings):
    return {str(path.relative_to(settings.MEDIA_ROOT)) for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()}


def backdate(settings, name, hours_old=2):
    then = time.time() - hours_old * 3600
    os.utime(settings.MEDIA_ROOT / name, (then, then))


def put(settings, name, hours_old=2):
    """A file in media storage, written hours_old hours ago."""
    name = default_storage.save(name, ContentFile(b"left behind"))
    backdate(settings, name, hours_old)
    return name


def image_files(image):
    return {image.image.name, *image.image.rendition_names()}


@pytest.fixture
def orphans(settings):
    """Two files no row refers to, in the uploads folder: a lone original and a lone rendition."""
    return [put(settings, "cases/2025/0123abcd.png"), put(settings, "cases/2026/4567cdef-480w.webp")]


def test_a_dry_run_lists_the_orphans_and_deletes_nothing(settings, orphans):
    make_case(make_condition(), images=1)
    before = stored(settings)
    output = orphaned_media()
    assert output == [
        *orphans,
        "Found 2 orphaned files (referred to by no case image) among 4 under cases/. "
        "Nothing was deleted: run again with --delete to delete them.",
    ]
    assert stored(settings) == before


def test_delete_removes_only_the_orphans(settings, orphans):
    make_case(make_condition(), images=2)
    others = put(settings, "other/notes.txt")
    (settings.MEDIA_ROOT / ".gitkeep").touch()
    output = orphaned_media("--delete")
    assert output == [
        *(f"Deleted {name}" for name in orphans),
        "Deleted 2 orphaned files (referred to by no case image) among 6 under cases/.",
    ]
    referred = {name for image in CaseImage.objects.all() for name in image_files(image)}
    assert len(referred) == 4
    assert stored(settings) == {*referred, others, ".gitkeep"}
    assert orphaned_media() == ["Found 0 orphaned files (referred to by no case image) among 4 under cases/."]


def test_a_new_file_is_left_alone_as_its_save_may_still_be_under_way(settings, orphans):
    recent = put(settings, "cases/2026/89abcdef.png", hours_old=0.5)
    output = orphaned_media("--delete")
    assert output[-1] == (
        "Deleted 2 orphaned files (referred to by no case image) among 3 under cases/. "
        "Left alone: 1 more less than an hour old, whose save may still be under way."
    )
    assert stored(settings) == {recent}


NONE_OF_TWO = "Deleted 0 orphaned files (referred to by no case image) among 2 under cases/."


def test_a_picture_waiting_for_approval_or_for_its_go_live_time_is_referred_to(
    settings, editor_client, reviewer_client
):
    live_page = make_condition()
    case = make_case(live_page, images=0)
    url = reverse("admin:conditions_casestudy_change", args=[case.pk])
    assert editor_client.post(url, case_image_form(case, image=png_bytes(name="new.png"))).status_code == 302
    assert not CaseImage.objects.exists()  # only in the pending version, until a reviewer approves it
    pending = stored(settings)
    assert len(pending) == 2
    for name in pending:
        backdate(settings, name)
    assert orphaned_media("--delete") == [NONE_OF_TWO]

    soon = timezone.localtime() + datetime.timedelta(hours=1)
    consent = {f"consent_{case.pk}": "on"}
    assert (
        approve_in_admin(reviewer_client, live_page, go_live_at=f"{soon:%Y-%m-%dT%H:%M}", **consent).status_code == 302
    )
    assert not CaseImage.objects.exists() and not PendingChanges.objects.exists()  # only in the scheduled version
    assert orphaned_media("--delete") == [NONE_OF_TWO]
    assert stored(settings) == pending


def test_nothing_uploaded_yet_is_nothing_to_do():
    assert orphaned_media() == ["Found 0 orphaned files (referred to by no case image) among 0 under cases/."]


def test_an_unknown_option_is_refused_and_nothing_deleted(settings, orphans):
    with pytest.raises(CommandError, match="unrecognized arguments: --all"):
        orphaned_media("--delete", "--all")
    with pytest.raises(CommandError, match="unrecognized arguments: cases/2025"):
        orphaned_media("cases/2025")
    assert stored(settings) == set(orphans)
