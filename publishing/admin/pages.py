"""The condition and procedure admin: the page form's rules, the workflow state, and pending changes."""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.db.models import Exists, OuterRef
from django.template.response import SimpleTemplateResponse
from django.utils.formats import date_format
from django.utils.html import format_html
from reversion.models import Version

from .. import versions, workflow
from ..models import DUE_SOON_DAYS, ApprovedVersion, PendingChanges, Status
from .conflicts import EditConflictForm
from .review import ReviewViews
from .revisions import RecordedAdmin

REVIEWER_FIELDS = ("last_reviewed", "next_review_due", "reviewed_by", "expires_at")
PUBLISHING_FIELDSET = (
    "Publishing and review",
    {
        "fields": ("status", *REVIEWER_FIELDS, "opened_edit"),
        "description": "Patients see a page only once a clinical reviewer has approved it, and then only the "
        "approved version: changes to a published page wait for review. Editors send changes for review; "
        "clinical reviewers approve them, unpublish pages and set the review dates, which are printed at the "
        "foot of the page.",
    },
)

URGENT_HELP_FIELDSET = (
    "When to get help urgently",
    {
        "fields": ("urgent_signs", "urgent_advice", "urgent_section"),
        "description": "Optional. The signs that mean a patient must get help at once, and what to do, shown as "
        "a red ‘Urgent’ card near the top of the page (and in print). It is part of the page: changes to a "
        "published page wait for a clinical reviewer's approval like any other.",
    },
)


class PublishableForm(EditConflictForm):
    """A page form that refuses what its user may not do, and saves over nobody else's work."""

    can_publish = False  # set for each request by PublishableAdmin.get_form

    class Meta:
        # A few lines, so staff see the whole summary they are writing.
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "also_known_as": forms.Textarea(attrs={"rows": 2}),
            "urgent_signs": forms.Textarea(attrs={"rows": 4}),
            "urgent_advice": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_status()
        if not self.can_publish:
            self.limit_to_editing()

    def limit_status(self):
        """Publishing is approving (the review screen); in the form, reviewers can only unpublish."""
        status = self.fields["status"]
        if not self.instance.is_published:
            allowed = [Status.DRAFT, Status.REVIEW]
            status.error_messages["invalid_choice"] = (
                "Select a valid choice. A page is published by approving it: send it for review, then a "
                "clinical reviewer approves it on its review screen."
            )
        elif self.can_publish:
            allowed = [Status.PUBLISHED, Status.DRAFT]
        else:
            allowed = [Status.PUBLISHED]
            status.error_messages["invalid_choice"] = (
                "Select a valid choice. Only clinical reviewers can publish or unpublish a page."
            )
        status.choices = [(value, label) for value, label in status.choices if value in allowed]

    def limit_to_editing(self):
        """Review dates, reviewer and expiry are for clinical reviewers."""
        for name in REVIEWER_FIELDS:
            field = self.fields[name]
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput()  # without the admin's calendar and "Today" shortcuts
            if isinstance(field, forms.SplitDateTimeField):
                field.widget = forms.SplitDateTimeWidget()
            field.widget.attrs["readonly"] = True
            field.help_text = "Only clinical reviewers can change this."

    def clean(self):
        cleaned_data = super().clean()
        if not self.can_publish:
            for name in REVIEWER_FIELDS:
                if name in self.changed_data:
                    self.add_error(name, "Only clinical reviewers can change the review dates, reviewer and expiry.")
        return cleaned_data


class ReviewDueFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", "Review overdue"), ("soon", f"Due within {DUE_SOON_DAYS} days")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.review_overdue()
        if self.value() == "soon":
            return queryset.review_due_soon()
        return queryset


class StateFilter(admin.SimpleListFilter):
    """The workflow's states, as in the README's table."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", "Draft"),
            ("review", "In review"),
            ("published", "Published"),
            ("pending", "Published · changes awaiting review"),
            ("scheduled", "Scheduled"),
            ("expired", "Expired"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value in (Status.DRAFT, Status.REVIEW):
            return queryset.filter(status=value, expired=False)
        if value == "published":
            return queryset.published()
        if value == "pending":
            return queryset.published().filter(has_pending_changes=True)
        if value == "scheduled":
            return queryset.filter(has_scheduled_version=True)
        if value == "expired":
            return queryset.expired()
        return queryset


class PublishableAdmin(ReviewViews, RecordedAdmin):
    """Shared list and form behaviour for conditions and procedures."""

    form = PublishableForm
    change_form_template = "admin/publishing/change_form.html"
    list_filter = (StateFilter, ReviewDueFilter)
    readonly_fields = ("created_at", "updated_at", "first_published_at")
    prepopulated_fields = {"slug": ("name",)}
    save_on_top = True
    view_on_site = True

    def get_queryset(self, request):
        pages = super().get_queryset(request)
        key = {"content_type__app_label": self.opts.app_label, "content_type__model": self.opts.model_name}
        pending = PendingChanges.objects.filter(**key, object_id=OuterRef("pk")).exclude(data="")
        scheduled = ApprovedVersion.objects.filter(**key, object_id=OuterRef("pk"), went_live_at__isnull=True)
        return pages.annotate(has_pending_changes=Exists(pending), has_scheduled_version=Exists(scheduled))

    def has_publish_permission(self, request):
        return request.user.has_perm(self.model.PUBLISH_PERMISSION)

    def has_revert_permission(self, request):
        # A revert or recovery can unpublish a page and change its review dates.
        return super().has_revert_permission(request) and self.has_publish_permission(request)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.can_publish = self.has_publish_permission(request)
        return form

    def pages_edited(self, request, object_id):
        """The published pages a change view works on the pending version of."""
        return [self.model._default_manager.filter(pk=unquote(object_id)).first()] if object_id else []

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with versions.editing(self.pages_edited(request, object_id), request.user) as session:
            response = super().changeform_view(request, object_id, form_url, extra_context)
            rendered(response)
        if session and request.method == "POST" and response.status_code == 302:
            self.message_user(request, self.pending_message(), messages.WARNING)
        return response

    def revision_view(self, request, object_id, version_id, extra_context=None):
        with versions.editing(self.pages_edited(request, object_id), request.user):
            # The status before the revert, so one that unpublishes is recorded as doing so.
            request.stored_status = (
                self.model.objects.filter(pk=unquote(object_id)).values_list("status", flat=True).first()
            )
            response = super().revision_view(request, object_id, version_id, extra_context)
            rendered(response)
        return response

    def compare_view(self, request, object_id, version_id):
        # "Compared with the page now" means the version staff are working on: pending changes included.
        page = self.model._default_manager.filter(pk=unquote(object_id)).first()
        if page is None:
            return super().compare_view(request, object_id, version_id)
        with versions.reading(page):
            return rendered(super().compare_view(request, object_id, version_id))

    def pending_message(self):
        return (
            "Your changes are saved as pending changes. Patients still see the approved version until a "
            "clinical reviewer approves them: send them for review when they are ready."
        )

    def restored(self, request, version):
        super().restored(request, version)
        page = self.model.objects.get(pk=version.object_id)
        before = getattr(request, "stored_status", None)  # None: recovered from deletion
        if page.is_published and before != Status.PUBLISHED:
            # Only an approval makes a version public: a page brought back as published waits for one.
            self.model.objects.filter(pk=page.pk).update(status=Status.REVIEW)
            page.status = Status.REVIEW
            self.message_user(
                request,
                "The page was approved in that revision, but only a new approval publishes it: it is now in review.",
                messages.WARNING,
            )
        if page.status == before or before is None:
            return
        event = status_event(before, page.status)
        revision = Version.objects.get_for_object(page).first().revision
        revision.comment = f"{event} {revision.comment}".strip()
        revision.save(update_fields=["comment"])
        self.log_change(request, page, event)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "status" in form.changed_data and obj.status == Status.REVIEW:
            workflow.request_review(obj, request.user)

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        if "status" not in form.changed_data:
            return message
        event = status_event(form.initial.get("status"), form.instance.status)
        # In words, so the history and the admin log say who published or unpublished the page.
        return f"{event} {LogEntry(change_message=json.dumps(message)).get_change_message()}".strip()

    @admin.display(description="State")
    def state(self, obj):
        return workflow.state(obj)

    @admin.display(description="Next review due", ordering="next_review_due")
    def review_due(self, obj):
        if obj.is_review_overdue:
            due = date_format(obj.next_review_due)
            return format_html('<strong class="review-overdue">Overdue since {}</strong>', due)
        return obj.next_review_due


def rendered(response):
    """Render a template response now, while editing()'s pending rows are in place."""
    if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
        response.render()
    return response


def status_event(old, new):
    if new == Status.PUBLISHED:
        return "Published."
    if old == Status.PUBLISHED:
        return f"Unpublished (now {Status(new).label.lower()})."
    return f"Status changed to {Status(new).label.lower()}."
