from django.conf import settings
from django.contrib.auth import get_permission_codename
from django.http import FileResponse, Http404
from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView, View

from . import leaflets, redirects, versions


class PublishableDetailView(DetailView):
    """A page's approved version, which staff who may edit it can also preview with its pending changes.

    The public only ever gets `published().page(slug)`; the preview is the one explicit path to an
    unpublished page or to pending changes.
    """

    http_method_names = ["get", "head"]
    preview = None  # "unpublished", "pending" or "live": which preview a member of staff is shown

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except redirects.PageNotHere as answer:
            return answer.response

    def get(self, request, *args, **kwargs):
        if not self.can_preview():
            return super().get(request, *args, **kwargs)
        page = self.model.objects.filter(slug=kwargs.get("slug")).first()
        if page is None or not page.is_published:
            self.preview = "unpublished"
            return super().get(request, *args, **kwargs)
        if request.GET.get("version") == "live":
            self.preview = "live"
            return super().get(request, *args, **kwargs)
        with versions.reading(page) as showing_pending:
            self.preview = "pending" if showing_pending else None
            response = super().get(request, *args, **kwargs)
            return response.render()  # while the pending rows are in place

    def get_object(self, queryset=None):
        pages = self.model.objects.all() if self.can_preview() else self.model.objects.published()
        try:
            return pages.page(self.kwargs["slug"])
        except self.model.DoesNotExist:
            # A renamed page's old address redirects; a deleted page's says so (publishing/redirects.py).
            raise redirects.PageNotHere(redirects.missing_page(self.request, self.model, self.kwargs["slug"])) from None

    def can_preview(self):
        if settings.SESSION_COOKIE_NAME not in self.request.COOKIES:
            return False  # nobody logged in: and reading request.user would make the page vary by cookie
        user, opts = self.request.user, self.model._meta
        return user.is_staff and user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.preview:
            context["preview"], context["preview_kind"] = self.object, self.preview
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if self.preview:
            # A preview must never be indexed by a search engine or kept by a shared cache.
            response["X-Robots-Tag"] = "noindex"
            add_never_cache_headers(response)
        else:
            # Rows are written only when a version is approved or goes live: Last-Modified (page_cache).
            response.approved_at = self.object.updated_at
        return response


class LeafletView(View):
    """The printable leaflet of a page's live version: made once per approved version and stored (leaflets.py)."""

    http_method_names = ["get", "head"]
    model = None

    def get(self, request, slug):
        page = self.model.objects.published().filter(slug=slug).first()
        if page is None:
            return redirects.missing_page(request, self.model, slug, view_name="leaflet")
        version = page.live_version()
        if version is None:
            raise Http404("This page has no approved version to print.")  # content made outside the workflow
        return leaflet_response(version, request)


def leaflet_response(version, request):
    """The stored leaflet of version, as a PDF download."""
    try:
        leaflet = leaflets.stored(version, site_url=request.build_absolute_uri("/"))
    except leaflets.LeafletUnavailable:
        raise Http404("No leaflet was made of this version before its page was deleted.") from None
    return FileResponse(
        leaflet.open("rb"), as_attachment=True, filename=leaflets.download_name(version), content_type="application/pdf"
    )
