from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.html import format_html
from reversion.models import Version

from publishing import versions
from publishing.admin import (
    PUBLISHING_FIELDSET,
    URGENT_HELP_FIELDSET,
    EditConflictForm,
    PublishableAdmin,
    RecordedAdmin,
    rendered,
)

from .models import CaseImage, CaseStudy, Condition, ConditionProcedure


class ConditionProcedureInline(admin.TabularInline):
    model = ConditionProcedure
    autocomplete_fields = ["procedure"]
    extra = 1
    verbose_name = "treatment shown on this page"
    verbose_name_plural = "Treatments shown on this page (listed under ‘Treatments’, lowest number first)"


@admin.register(Condition)
class ConditionAdmin(PublishableAdmin):
    list_display = ("name", "state", "last_reviewed", "review_due", "updated_at")
    search_fields = ("name", "also_known_as", "summary")
    inlines = [ConditionProcedureInline]
    fieldsets = [
        (None, {"fields": ("name", "slug", "summary", "also_known_as", "leaflet_reference")}),
        URGENT_HELP_FIELDSET,
        (
            "Page sections",
            {
                "fields": [name for name, _ in Condition.SECTIONS],
                "description": "Shown in this order. Leave a section empty to leave it off the page.",
            },
        ),
        PUBLISHING_FIELDSET,
        ("Record", {"fields": ("created_at", "updated_at", "first_published_at"), "classes": ["collapse"]}),
    ]

    def restored(self, request, version):
        super().restored(request, version)
        # Case images recovered with the page whose pictures were deleted with them (see
        # delete_case_image_files) would be broken images on a public page.
        ids = version.revision.version_set.get_for_model(CaseImage).values_list("object_id", flat=True)
        missing = [image for image in CaseImage.objects.filter(pk__in=list(ids)) if not image.image.all_files_exist()]
        for image in missing:
            image.delete()
        if missing:
            self.message_user(
                request,
                f"{len(missing)} case image(s) came back without their pictures, which were deleted with them, "
                "and were left out. Upload them again in the case study if they may still be shown.",
                messages.WARNING,
            )


class CaseImageForm(forms.ModelForm):
    class Meta:
        widgets = {"caption": forms.Textarea(attrs={"rows": 2}), "alt_text": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        cleaned_data = super().clean()
        # A recovered or reverted case study can bring back an image whose picture was deleted with
        # it (see delete_case_image_files); saving that row would publish a broken image.
        if self.instance.pk and "image" not in self.changed_data and not self.instance.image.all_files_exist():
            self.add_error(
                "image",
                "This picture was deleted and cannot be recovered. Upload it again, or tick Delete to "
                "leave this image out.",
            )
        return cleaned_data


class CaseImageInline(admin.StackedInline):
    model = CaseImage
    form = CaseImageForm
    extra = 1
    autocomplete_fields = ["modality"]
    fields = ("thumbnail", "image", "label", "stage", "modality", "caption", "alt_text", "order")
    readonly_fields = ("thumbnail",)

    @admin.display(description="Preview")
    def thumbnail(self, obj):
        if not obj.image:
            return "No image uploaded yet."
        # A rendition, not the original, which may be many megabytes.
        return format_html('<img src="{}" alt="{}" style="max-width: 240px; max-height: 240px">', obj.src, obj.alt_text)


class CaseStudyForm(EditConflictForm):
    def clean_condition(self):
        condition = self.cleaned_data["condition"]
        before = self.instance.condition if self.instance.condition_id else None
        if before is not None and condition != before and (before.is_published or condition.is_published):
            # Its images would leave one page's approved version and join another's unreviewed.
            raise ValidationError(
                "A case study on a published page cannot be moved to another condition. Add it to the other "
                "condition as a new case study, and ask a clinical reviewer to remove it from this one."
            )
        return condition


@admin.register(CaseStudy)
class CaseStudyAdmin(RecordedAdmin):
    form = CaseStudyForm
    change_form_template = "admin/publishing/change_form.html"
    list_display = ("title", "condition", "procedure", "consent_recorded", "image_count")
    list_filter = ("consent_recorded", "condition")
    list_select_related = ("condition", "procedure")
    search_fields = ("title", "summary")
    autocomplete_fields = ["condition", "procedure"]
    inlines = [CaseImageInline]
    fields = ("condition", "procedure", "title", "summary", "outcome", "consent_recorded", "order", "opened_edit")

    def pages_edited(self, request, object_id):
        """The condition whose page shows the case study: its pending version is what changes."""
        case = (
            CaseStudy.objects.filter(pk=unquote(object_id)).select_related("condition").first() if object_id else None
        )
        if case is not None:
            return [case.condition]
        chosen = request.POST.get("condition", "")
        return [Condition.objects.filter(pk=chosen).first()] if chosen.isdigit() else []

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with versions.editing(self.pages_edited(request, object_id), request.user) as session:
            response = rendered(super().changeform_view(request, object_id, form_url, extra_context))
        if session and request.method == "POST" and response.status_code == 302:
            self.message_user(
                request,
                "Your changes are saved as pending changes to the condition's page. Patients still see the "
                "approved version until a clinical reviewer approves them. Unticking consent takes the case "
                "off the site at once.",
                messages.WARNING,
            )
        return response

    def revision_view(self, request, object_id, version_id, extra_context=None):
        with versions.editing(self.pages_edited(request, object_id), request.user):
            return rendered(super().revision_view(request, object_id, version_id, extra_context))

    def recover_view(self, request, version_id, extra_context=None):
        stored = Version.objects.filter(pk=version_id).first()
        condition = stored and Condition.objects.filter(pk=stored.field_dict.get("condition_id")).first()
        with versions.editing([condition], request.user):
            return rendered(super().recover_view(request, version_id, extra_context))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        versions.forget_part(obj.condition, obj)

    def delete_queryset(self, request, queryset):
        cases = list(queryset.select_related("condition"))
        super().delete_queryset(request, queryset)
        for case in cases:
            versions.forget_part(case.condition, case)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(image_count=Count("images"))

    def may_publish(self, request):
        return request.user.has_perm(CaseStudy.PUBLISH_PERMISSION)

    def get_readonly_fields(self, request, obj=None):
        # Read-only fields are left out of the form, so an editor's crafted POST cannot tick it either.
        readonly = super().get_readonly_fields(request, obj)
        return readonly if self.may_publish(request) else (*readonly, "consent_recorded")

    def has_revert_permission(self, request):
        # A revert or recovery can bring back a consented case and its images.
        return super().has_revert_permission(request) and self.may_publish(request)

    @admin.display(description="Images", ordering="image_count")
    def image_count(self, obj):
        return obj.image_count
