"""`manage.py orphaned_media [--delete]`: list, or delete, the uploaded files no case image refers to.

A file a rolled-back save wrote is deleted as the rollback happens (publishing/uploads.py), but
one can still be left behind: by a process that died between writing a file and committing its
row, or by a save made before that existed. Only the uploads folder is looked at, through the
media storage, so a bucket works as a folder does. Pictures in a page's pending or scheduled
version count as referred to: they are rows to be, once approved or live.
"""

import json
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from conditions import images
from conditions.models import UPLOADS_FOLDER, CaseImage
from publishing.models import ApprovedVersion, PendingChanges

# A newer file may belong to a save still under way, whose row is not committed yet.
MIN_AGE = timedelta(hours=1)


class Command(BaseCommand):
    help = (
        f"List the files under {UPLOADS_FOLDER}/ in media storage that no case image refers to. "
        "Nothing is deleted unless --delete is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="Delete the files listed.")

    def handle(self, *args, delete, **options):
        storage = CaseImage._meta.get_field("image").storage
        # Listed before the references are read, so a file whose row is committed meanwhile counts as referred to.
        stored = list(stored_names(storage, UPLOADS_FOLDER))
        referred = referred_names()
        cutoff = timezone.now() - MIN_AGE
        unreferred = [name for name in stored if name not in referred]
        orphans = [name for name in unreferred if storage.get_modified_time(name) <= cutoff]
        for name in orphans:
            if delete:
                storage.delete(name)
                self.stdout.write(f"Deleted {name}")
            else:
                self.stdout.write(name)
        summary = (
            f"{'Deleted' if delete else 'Found'} {len(orphans)} orphaned files (referred to by no case image) "
            f"among {len(stored)} under {UPLOADS_FOLDER}/."
        )
        if recent := len(unreferred) - len(orphans):
            summary += f" Left alone: {recent} more less than an hour old, whose save may still be under way."
        if orphans and not delete:
            summary += " Nothing was deleted: run again with --delete to delete them."
        self.stdout.write(summary)


def stored_names(storage, folder):
    """The name of every file under folder, found with listdir(), which a bucket's storage offers too."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # nothing uploaded yet
        return
    for name in sorted(files):
        yield f"{folder}/{name}"
    for name in sorted(folders):
        yield from stored_names(storage, f"{folder}/{name}")


def referred_names():
    """Every original and rendition a case image refers to, in the rows and in pages' pending and scheduled versions."""
    rows = list(CaseImage.objects.values_list("image", "renditions"))
    snapshots = [
        *PendingChanges.objects.values_list("data", flat=True),
        *ApprovedVersion.objects.filter(went_live_at__isnull=True).values_list("data", flat=True),
    ]
    for data in filter(None, snapshots):
        rows += [
            # A version stored before renditions existed has none.
            (obj["fields"]["image"], obj["fields"].get("renditions", []))
            for obj in json.loads(data)
            if obj["model"] == CaseImage._meta.label_lower
        ]
    return {
        name
        for image, widths in rows
        if image
        for name in [image, *(images.rendition_name(image, width) for width in widths)]
    }
