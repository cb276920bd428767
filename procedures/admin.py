from django.contrib import admin

from publishing.admin import (
    PUBLISHING_FIELDSET,
    URGENT_HELP_FIELDSET,
    EditConflictForm,
    PublishableAdmin,
    PublishableForm,
    RecordedAdmin,
    ReviewDueFilter,
    StateFilter,
)

from .models import ImagingModality, Procedure, ProcedureCategory


@admin.register(ImagingModality)
class ImagingModalityAdmin(RecordedAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(ProcedureCategory)
class ProcedureCategoryAdmin(RecordedAdmin):
    form = EditConflictForm
    list_display = ("name", "order", "summary")
    list_editable = ("order",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug", "order", "summary", "opened_edit")
    change_form_template = "admin/publishing/change_form.html"


class ProcedureForm(PublishableForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The form posts back the links it was opened with, so saving applies only its own changes.
        self.fields["related"].show_hidden_initial = True

    def _save_m2m(self):
        # "Often combined with" is symmetrical: a link added from the other page after this form was
        # opened is not in it, and setting the list as submitted would silently drop that link.
        current = set(self.instance.related.values_list("pk", flat=True))
        super()._save_m2m()
        if "related" not in self.cleaned_data:
            return
        opened = {int(pk) for pk in self.data.getlist(self.add_initial_prefix("related")) if str(pk).isdigit()}
        chosen = {procedure.pk for procedure in self.cleaned_data["related"]}
        self.instance.related.set((current - (opened - chosen)) | (chosen - opened))


@admin.register(Procedure)
class ProcedureAdmin(PublishableAdmin):
    form = ProcedureForm
    list_display = ("name", "category", "parent", "state", "review_due", "updated_at")
    list_filter = (StateFilter, ReviewDueFilter, "category")
    list_select_related = ("category", "parent")
    search_fields = ("name", "summary")
    autocomplete_fields = ["category", "parent", "related"]
    filter_horizontal = ("imaging_guidance",)
    fieldsets = [
        (None, {"fields": ("name", "slug", "category", "parent", "summary", "leaflet_reference")}),
        ("At a glance", {"fields": ("imaging_guidance", "sedation", "typical_stay")}),
        URGENT_HELP_FIELDSET,
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
