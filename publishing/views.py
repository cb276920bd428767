from django.contrib.auth import get_permission_codename
from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView


class PublishableDetailView(DetailView):
    """A published page, which staff who may edit it can also preview before it is published.

    The public only ever gets `for_detail_page()`, which starts from `published()`; the preview is
    the one explicit path to an unpublished page.
    """

    http_method_names = ["get", "head"]

    def get_queryset(self):
        pages = self.model.objects
        return pages.with_page_content() if self.can_preview() else pages.for_detail_page()

    def can_preview(self):
        user, opts = self.request.user, self.model._meta
        return user.is_staff and user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.object.is_published:
            context["preview"] = self.object
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if not self.object.is_published:
            # A preview must never be indexed by a search engine or kept by a shared cache.
            response["X-Robots-Tag"] = "noindex"
            add_never_cache_headers(response)
        return response
