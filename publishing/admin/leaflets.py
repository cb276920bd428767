"""Every approved version of every page, with its leaflet exactly as it was made: which version did a patient get?"""

from django.contrib import admin
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from ..models import ApprovedVersion, publishable_models


@admin.register(ApprovedVersion)
class ApprovedVersionAdmin(admin.ModelAdmin):
    """Read only: versions are written by approvals (publishing.workflow), and kept for good."""

    list_display = ("title", "number", "approved_at", "approved_by", "reviewed_by", "download")
    list_display_links = None
    list_filter = [("content_type", admin.RelatedOnlyFieldListFilter)]  # conditions or procedures
    list_select_related = ("approved_by", "content_type")
    search_fields = ("title", "reviewed_by")
    ordering = ("-approved_at", "-number")

    def get_urls(self):
        leaflet = self.admin_site.admin_view(self.leaflet_view)
        return [path("<int:pk>/leaflet/", leaflet, name="publishing_approvedversion_leaflet"), *super().get_urls()]

    def leaflet_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        from ..views import leaflet_response

        return leaflet_response(get_object_or_404(ApprovedVersion, pk=pk), request)

    @admin.display(description="Leaflet")
    def download(self, version):
        made = "made" if version.leaflet else "made on first download"
        url = reverse("admin:publishing_approvedversion_leaflet", args=[version.pk])
        link = '<a href="{}">Download v{} (PDF)</a> <span class="help">{}</span>'
        return format_html(link, url, version.number, made)

    def has_view_permission(self, request, obj=None):
        # Anyone who may edit pages may see what every version said (Editors and Clinical reviewers).
        return any(
            request.user.has_perm(f"{model._meta.app_label}.{get_permission_codename('change', model._meta)}")
            for model in publishable_models()
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
