from django.conf import settings
from django.contrib.auth import get_permission_codename
from django.http import Http404
from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView

from . import versions


class PublishableDetailView(DetailView):
    """A page's approved version, which staff who may edit it can also preview with its pending changes.

    The public only ever gets `published().page(slug)`; the preview is the one explicit path to an
    unpublished page or to pending changes.
    """

    http_method_names = ["get", "head"]
    preview = None  # "unpublished", "pending" or "live": which preview a member of staff is shown

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
            raise Http404(f"No published {self.model._meta.verbose_name} at this address.") from None

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
