from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html

from publishing.admin import PUBLISHING_FIELDSET, PublishableAdmin, RecordedAdmin

from .models import CaseImage, CaseStudy, Condition, ConditionProcedure


class ConditionProcedureInline(admin.TabularInline):
    model = ConditionProcedure
    autocomplete_fields = ["procedure"]
    extra = 1
    verbose_name = "treatment shown on this page"
    verbose_name_plural = "Treatments shown on this page (listed under ‘Treatments’, lowest number first)"


@admin.register(Condition)
class ConditionAdmin(PublishableAdmin):
    list_display = ("name", "status", "last_reviewed", "review_due", "updated_at")
    search_fields = ("name", "also_known_as", "summary")
    inlines = [ConditionProcedureInline]
    fieldsets = [
        (None, {"fields": ("name", "slug", "summary", "also_known_as")}),
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


@admin.register(CaseStudy)
class CaseStudyAdmin(RecordedAdmin):
    list_display = ("title", "condition", "procedure", "consent_recorded", "image_count")
    list_filter = ("consent_recorded", "condition")
    list_select_related = ("condition", "procedure")
    search_fields = ("title", "summary")
    autocomplete_fields = ["condition", "procedure"]
    inlines = [CaseImageInline]
    fields = ("condition", "procedure", "title", "summary", "outcome", "consent_recorded", "order")

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
