"""`manage.py rebuild_renditions`: make the WebP renditions case images lack.

Renditions are made when an image is saved, so this is for images stored before renditions
existed, after conditions.images.RENDITION_WIDTHS changes, or when rendition files have gone
missing (a partial restore of the media folder, say). The original is only read: it is never
re-encoded, renamed or rewritten. An image that is already up to date is not opened, so running
it again does nothing.
"""

from collections import Counter

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError

from conditions import images
from conditions.models import CaseImage
from publishing import page_cache


class Command(BaseCommand):
    help = "Make the missing or outdated WebP renditions of every case image, leaving the original images as they are."

    def handle(self, *args, **options):
        self.storage = CaseImage._meta.get_field("image").storage
        # Plain values, not model instances: Django's ImageField opens the file of an instance
        # without a recorded width as it loads it, which fails when that file is missing.
        rows = list(
            CaseImage.objects.order_by("pk").values_list(
                "pk", "image", "width", "renditions", "case_study__title", "label"
            )
        )
        counts = Counter()
        for number, (pk, name, width, recorded, case_title, label) in enumerate(rows, 1):
            described = f"[{number}/{len(rows)}] Case image {pk} ({case_title}, image {label})"
            try:
                done = self.rebuild(pk, name, width, recorded)
            except RenditionError as error:
                counts["failed"] += 1
                self.stderr.write(f"{described}: {error}")
                continue
            if done:
                counts["rebuilt"] += 1
                self.stdout.write(f"{described}: {done}.")
            else:
                counts["current"] += 1
                if options["verbosity"] >= 2:
                    self.stdout.write(f"{described}: up to date.")
        self.stdout.write(
            f"Checked {len(rows)} case images: {counts['rebuilt']} rebuilt, {counts['current']} already up to date, "
            f"{counts['failed']} could not be rebuilt."
        )
        if counts["failed"]:
            raise CommandError(
                f"{counts['failed']} case image(s) could not be rebuilt (listed above). "
                "Upload them again in their case studies, or delete them."
            )

    def rebuild(self, pk, name, width, recorded):
        """Make the missing or outdated renditions of one image; say what was done, or return None if nothing was."""
        if width and recorded == images.rendition_widths(width) and self.all_exist(name, recorded):
            return None
        if not name or not self.storage.exists(name):
            raise RenditionError(f"its original file {name or '(none)'} is missing, so no renditions can be made.")
        try:
            with self.storage.open(name) as file:
                # The upload checks again: an image stored before they existed may be anything.
                pixels = images.pixels_only(images.open_upload(file, name))
        except ValidationError as error:
            raise RenditionError(f"its original file {name} cannot be used: {' '.join(error.messages)}") from None
        wanted = images.rendition_widths(pixels.width)
        made = []
        for rendition_width, data in images.make_renditions(pixels):
            rendition = images.rendition_name(name, rendition_width)
            if self.storage.exists(rendition):
                if rendition_width in recorded:
                    continue
                # A file this image does not record may be stale; left there, storage.save() would pick another name.
                self.storage.delete(rendition)
            self.storage.save(rendition, ContentFile(data))
            made.append(rendition_width)
        # Only if the image was not replaced meanwhile: its new file has renditions of its own.
        updated = CaseImage.objects.filter(pk=pk, image=name).update(
            renditions=wanted, width=pixels.width, height=pixels.height
        )
        if updated:
            page_cache.invalidate(*CaseImage.objects.get(pk=pk).pages_showing())  # an update() sends no signal
        if not updated:
            for rendition_width in made:
                self.storage.delete(images.rendition_name(name, rendition_width))
            raise RenditionError("it was replaced or deleted while its renditions were made; run the command again.")
        # Deleted only now that no page offers them any more.
        removed = sorted(set(recorded) - set(wanted))
        for old_width in removed:
            self.storage.delete(images.rendition_name(name, old_width))
        done = [f"made {widths(made)} pixels wide" if made else "", f"removed {widths(removed)}" if removed else ""]
        return "; ".join(filter(None, done)) or f"recorded its renditions, {widths(wanted)} pixels wide"

    def all_exist(self, name, rendition_widths):
        return all(self.storage.exists(images.rendition_name(name, width)) for width in rendition_widths)


def widths(numbers):
    return ", ".join(map(str, numbers))


class RenditionError(Exception):
    """Why one image's renditions could not be made."""
