from django.contrib import admin

PUBLISHING_FIELDSET = (
    "Publishing and review",
    {
        "fields": ("status", "last_reviewed", "next_review_due", "reviewed_by"),
        "description": "Patients see a page only when it is published. "
        "The review dates and reviewer are printed at the foot of the page.",
    },
)


class PublishableAdmin(admin.ModelAdmin):
    """Shared list and form behaviour for conditions and procedures."""

    list_filter = ("status",)
    readonly_fields = ("created_at", "updated_at", "first_published_at")
    prepopulated_fields = {"slug": ("name",)}
    save_on_top = True
    view_on_site = True
