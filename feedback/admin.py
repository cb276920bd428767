from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.utils.html import format_html

from .models import Feedback, pages_by_key


class PageFilter(admin.SimpleListFilter):
    """One page's feedback: the pages that have any, by name."""

    title = "page"
    parameter_name = "page"

    def lookups(self, request, model_admin):
        keys = set(Feedback.objects.order_by().values_list("content_type", "object_id").distinct())
        pages = pages_by_key(keys)
        choices = [(f"{key[0]}-{key[1]}", page_name(pages.get(key), *key)) for key in keys]
        return sorted(choices, key=lambda choice: choice[1].lower())

    def queryset(self, request, queryset):
        content_type, _, object_id = (self.value() or "").partition("-")
        if content_type.isdigit() and object_id.isdigit():
            return queryset.filter(content_type_id=content_type, object_id=object_id)
        return queryset


def page_name(page, content_type_id, object_id):
    if page is not None:
        return f"{page.name} ({page._meta.verbose_name})"
    return f"Deleted {ContentType.objects.get_for_id(content_type_id).name} {object_id}"


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """What readers said, for the pages' editors and reviewers: read-only, never shown to the public."""

    list_display = ["received_on", "page", "helpful_answer", "comment", "version_number"]
    list_filter = [PageFilter, "helpful", "received_on"]
    search_fields = ["comment"]
    date_hierarchy = "received_on"
    list_per_page = 50
    change_list_template = "admin/feedback/feedback/change_list.html"

    @admin.display(description="page")
    def page(self, feedback):
        page = getattr(feedback, "page_shown", None)  # set by changelist_view
        if page is None:
            return page_name(None, feedback.content_type_id, feedback.object_id)
        return format_html('<a href="{}">{}</a>', page.get_absolute_url(), page.name)

    @admin.display(description="helpful?", boolean=True, ordering="helpful")
    def helpful_answer(self, feedback):
        return feedback.helpful

    def has_add_permission(self, request):
        return False  # only readers write feedback

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            # The pages of this screenful of answers, in one query per kind of page.
            keys = {(feedback.content_type_id, feedback.object_id) for feedback in changelist.result_list}
            pages = pages_by_key(keys)
            for feedback in changelist.result_list:
                feedback.page_shown = pages.get((feedback.content_type_id, feedback.object_id))
            # The counts of the answers the list's filters select, page by page.
            response.context_data["page_counts"] = [
                {**row, "name": page_name(row["page"], row["content_type"], row["object_id"])}
                for row in changelist.queryset.counts_per_page()
            ]
        return response
