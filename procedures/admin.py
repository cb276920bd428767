from django.contrib import admin

from publishing.admin import PUBLISHING_FIELDSET, PublishableAdmin, RecordedAdmin, ReviewDueFilter

from .models import ImagingModality, Procedure, ProcedureCategory


@admin.register(ImagingModality)
class ImagingModalityAdmin(RecordedAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(ProcedureCategory)
class ProcedureCategoryAdmin(RecordedAdmin):
    list_display = ("name", "order", "summary")
    list_editable = ("order",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Procedure)
class ProcedureAdmin(PublishableAdmin):
    list_display = ("name", "category", "parent", "status", "review_due", "updated_at")
    list_filter = ("status", ReviewDueFilter, "category")
    list_select_related = ("category", "parent")
    search_fields = ("name", "summary")
    autocomplete_fields = ["category", "parent", "related"]
    filter_horizontal = ("imaging_guidance",)
    fieldsets = [
        (None, {"fields": ("name", "slug", "category", "parent", "summary")}),
        ("At a glance", {"fields": ("imaging_guidance", "sedation", "typical_stay")}),
        (
            "Page sections",
            {
                "fields": [name for name, _ in Procedure.SECTIONS],
                "description": "Shown in this order. Leave a section empty to leave it off the page.",
            },
        ),
        ("Often combined with", {"fields": ("related",)}),
        PUBLISHING_FIELDSET,
        ("Record", {"fields": ("created_at", "updated_at", "first_published_at"), "classes": ["collapse"]}),
    ]
