"""Old addresses keep working, as printed QR codes and bookmarks need: a renamed page's old address
redirects permanently to its new one, a deleted page's says it has gone (410), an unpublished one's is a 404.

Every address a page was public at is kept (PageAddress, written by Publishable.save), pointing at the
page rather than at the next address, so a page renamed twice redirects in one step, as Wagtail's
redirects do once they are updated to the page's new path.
"""

from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpResponsePermanentRedirect
from django.template.response import TemplateResponse

from .addresses import address
from .models import PageAddress


def missing_page(request, model, slug, view_name="detail"):
    """The answer where no public page of model is at slug: 301 to where it is now, 410 once deleted, else 404."""
    known = PageAddress.objects.filter(content_type=ContentType.objects.get_for_model(model), slug=slug).first()
    if known is not None:
        page = model.objects.published().filter(pk=known.object_id).only("slug").first()
        if page is not None and page.slug != slug:
            return HttpResponsePermanentRedirect(address(f"{model._meta.app_label}:{view_name}", slug=page.slug))
        if page is None and not model._default_manager.filter(pk=known.object_id).exists():
            return TemplateResponse(request, "410.html", {"kind": model._meta.verbose_name}, status=410)
    # Unpublished (DESIGN.md: unpublished content is a 404), or never public: the same kind 404 page.
    raise Http404(f"No published {model._meta.verbose_name} at this address.")


class PageNotHere(Exception):
    """Raised from a view's get_object() to answer with a redirect or a 410 instead."""

    def __init__(self, response):
        self.response = response
