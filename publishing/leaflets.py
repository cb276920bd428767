"""Printable leaflets: an A4 PDF of each approved version, made once and kept with it (ApprovedVersion.leaflet).

Hospitals must be able to say which version of a leaflet a patient was given, so a version's leaflet
is never remade from changed rows: the first one made is stored and served from then on. The one
exception is a take-down (consent withdrawn, a case study deleted): that changes what patients read
without an approval, so the live version's leaflet is discarded and made again without it.
"""

import base64
import logging

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from . import uploads, versions
from .models import ApprovedVersion

logger = logging.getLogger(__name__)

# The rendition printed for a case image: sharp at the figure's printed width, small enough to keep a PDF light.
PRINT_WIDTH = 960


class LeafletUnavailable(Exception):
    """A version whose leaflet cannot be made: its page was deleted before one was."""


def stored(version, site_url=""):
    """The version's leaflet file, made and stored the first time it is asked for, then always the same one."""
    if version.leaflet:
        return version.leaflet
    with transaction.atomic():
        # On PostgreSQL two first downloads queue here, and the second finds the first one's file.
        locked = ApprovedVersion.objects.select_for_update().get(pk=version.pk)
        if not locked.leaflet:
            pdf = render(locked, site_url)
            locked.leaflet.save("leaflet.pdf", ContentFile(pdf), save=False)
            # Kept only if this transaction commits (publishing/uploads.py).
            uploads.delete_on_rollback(locked.leaflet.storage, locked.leaflet.name)
            locked.leaflet_made_at = timezone.now()
            locked.save(update_fields=["leaflet", "leaflet_made_at"])
    version.leaflet, version.leaflet_made_at = locked.leaflet, locked.leaflet_made_at
    return version.leaflet


def make_after_approval(version):
    """Make a new version's leaflet as soon as its approval commits, so it is the version as approved."""
    if not settings.SITE_URL:
        return  # no address for its QR code yet: the first download makes it

    def make():
        try:
            stored(ApprovedVersion.objects.get(pk=version.pk))
        except Exception:
            # The approval stands; the first download tries again.
            logger.exception("Could not make the leaflet of %s", version)

    transaction.on_commit(make, robust=True)


def discard_live(page):
    """Forget the live version's leaflet after something was taken off the page without an approval."""

    def discard():
        live = page.live_version() if type(page)._default_manager.filter(pk=page.pk).exists() else None
        if live is None or not live.leaflet:
            return
        name, storage = live.leaflet.name, live.leaflet.storage
        ApprovedVersion.objects.filter(pk=live.pk).update(leaflet="", leaflet_made_at=None)
        try:
            storage.delete(name)
        except Exception:
            logger.exception("Could not delete the withdrawn leaflet %s", name)

    # Robust: other on-commit hooks keep new uploads (publishing/uploads.py). Dropped with a rolled-back edit.
    transaction.on_commit(discard, robust=True)


def render(version, site_url=""):
    """The PDF of an approved version: its live rows if it is the live version, else the version restored."""
    model = version.content_type.model_class()
    page = model._default_manager.filter(pk=version.object_id).first()
    if page is None:
        raise LeafletUnavailable(f"{version} belongs to a page deleted before its leaflet was made.")
    live = page.live_version()
    if live is not None and live.pk == version.pk:
        # The live rows are this version, with anything taken down since left out.
        html = _html(model.objects.published().page(page.slug), version, site_url)
    else:
        with versions.rolled_back():
            versions.restore(page, version.data)
            html = _html(model._default_manager.page(page.slug), version, site_url)
    return to_pdf(html, base_url=settings.SITE_URL or site_url)


def to_pdf(html, base_url=None):
    """A tagged A4 PDF of html; links relative to base_url (the site) keep working from the PDF."""
    # Imported here: WeasyPrint loads Pango, which only the processes making a leaflet need.
    from PIL import ImageFile
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Importing WeasyPrint tells Pillow to accept truncated images, process-wide, which would let a
    # damaged upload through the case image checks (conditions/images.py). Our leaflet images are whole
    # (we encoded them), so put Pillow's default back.
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    # Images come embedded as data, never from the network (the servers may have none, and a URL in
    # staff content must not make the server fetch anything).
    fetcher = URLFetcher(allowed_protocols=["data"])
    # PDF/UA-1 makes WeasyPrint tag the structure (headings, figures with their alt text) and write the
    # document's language and title, so screen readers can read the leaflet.
    return HTML(string=html, base_url=base_url or None, url_fetcher=fetcher).write_pdf(
        pdf_variant="pdf/ua-1", pdf_tags=True
    )


def _html(page, version, site_url):
    web_address = (settings.SITE_URL or site_url).rstrip("/") + page.get_absolute_url()
    context = {
        "page": page,
        "version": version,
        "site_name": settings.SITE_NAME,
        "web_address": web_address,
        "qr_code": _qr_data_uri(web_address),
        "pictures": {image.pk: _picture_data_uri(image) for case in _cases(page) for image in case.images_shown},
        "printed_on": timezone.localdate(),
    }
    return render_to_string(f"leaflets/{page._meta.model_name}.html", context)


def _cases(page):
    return getattr(page, "public_case_studies", [])


def _qr_data_uri(text):
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def _picture_data_uri(image):
    """A case image's print rendition (or its original) as data, or None if its file is gone."""
    from conditions.images import rendition_name

    widths = [width for width in image.renditions if width <= PRINT_WIDTH]
    name = rendition_name(image.image.name, widths[-1]) if widths else image.image.name
    storage = image.image.storage
    try:
        with storage.open(name) as file:
            data = file.read()
    except (FileNotFoundError, OSError):
        logger.warning("Case image file %s is missing; left out of the leaflet.", name)
        return None
    kind = "webp" if name.endswith(".webp") else "png" if name.endswith(".png") else "jpeg"
    return f"data:image/{kind};base64," + base64.b64encode(data).decode()


def download_name(version):
    """The file name a download is saved under, e.g. ‘IR-CEM-003-v4.pdf’ or ‘cementoplasty-v4.pdf’."""
    fields = version.page_fields()
    return f"{fields.get('leaflet_reference') or fields.get('slug') or 'leaflet'}-v{version.number}.pdf"
