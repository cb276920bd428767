import json
from itertools import chain

import reversion
from django import forms
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.auth import get_permission_codename
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router
from django.db.models.deletion import Collector
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from reversion.admin import VersionAdmin
from reversion.models import Version

from .diff import field_changes, field_values, list_change
from .models import DUE_SOON_DAYS, Status

PUBLISHING_FIELDSET = (
    "Publishing and review",
    {
        "fields": ("status", "last_reviewed", "next_review_due", "reviewed_by", "opened_version"),
        "description": "Patients see a page only when it is published. Editors send a page for review; "
        "clinical reviewers publish and unpublish pages and set the review dates, which are printed at the "
        "foot of the page.",
    },
)
REVIEW_FIELDS = ("last_reviewed", "next_review_due", "reviewed_by")


class RecordedAdmin(VersionAdmin):
    """Every save is a revision: history with differences, revert, recover, and deletions recorded."""

    object_history_template = "admin/publishing/object_history.html"
    change_list_template = "admin/publishing/change_list.html"
    recover_list_template = "admin/publishing/recover_list.html"

    def has_revert_permission(self, request):
        return self.has_change_permission(request) and self.has_add_permission(request)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        compare = self.admin_site.admin_view(self.compare_view)
        return [
            path("<str:object_id>/history/<int:version_id>/compare/", compare, name="{}_{}_compare".format(*info)),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        context = {"can_revert": self.has_revert_permission(request), **(extra_context or {})}
        if request.POST.get("action") == "delete_selected":
            # Deleting records each object in a revision of its own before it goes (record_deletion).
            # Inside the list's own revision those would be saved only at the end, when the objects
            # are gone and reversion drops them, so skip that wrapper for this action.
            return admin.ModelAdmin.changelist_view(self, request, context)
        return super().changelist_view(request, context)

    def history_view(self, request, object_id, extra_context=None):
        context = {"can_revert": self.has_revert_permission(request), **(extra_context or {})}
        return super().history_view(request, object_id, context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if not self.has_revert_permission(request):
            raise PermissionDenied
        version = self.restorable_version(request, version_id, object_id=unquote(object_id))
        response = super().revision_view(request, object_id, version_id, extra_context)
        if request.method == "POST" and response.status_code == 302:
            self.restored(request, version)
        return response

    def recoverlist_view(self, request, extra_context=None):
        if not self.has_revert_permission(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.has_revert_permission(request):
            raise PermissionDenied
        version = self.restorable_version(request, version_id)
        response = super().recover_view(request, version_id, extra_context)
        if request.method == "POST" and response.status_code == 302:
            self.restored(request, version)
        return response

    def restorable_version(self, request, version_id, **lookup):
        """The version of this model to revert to or recover, if the user may restore all it brings back.

        reversion's views look a version up by its id alone, so without this check a category's
        recover address could bring back (and publish) a condition. A revision also restores what
        was saved with it, such as a condition's case studies, so every model in it counts.
        """
        content_type = ContentType.objects.get_for_model(self.model)
        version = get_object_or_404(Version, pk=version_id, content_type=content_type, **lookup)
        models = {
            ContentType.objects.get_for_id(pk).model_class()
            for pk in version.revision.version_set.values_list("content_type", flat=True)
        }
        for model in models:
            permission = getattr(model, "PUBLISH_PERMISSION", None)
            if permission and not request.user.has_perm(permission):
                raise PermissionDenied
        return version

    def restored(self, request, version):
        """Called once a revert or recovery of version has been saved."""

    def compare_view(self, request, object_id, version_id):
        """What differs between a stored revision and the object as it is now."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_for_object(obj).select_related("revision__user"), pk=version_id)
        names = flatten_fieldsets(self.get_fieldsets(request, obj))
        changes = field_changes(self.model, names, version.field_dict, field_values(obj))
        changes += [change for change in self.inline_changes(obj, version) if change]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": obj,
            "version": version,
            "changes": changes,
            "can_revert": self.has_revert_permission(request),
            "title": f"Changes since {date_format(timezone.localtime(version.revision.date_created), 'j F Y, H:i')}",
        }
        return TemplateResponse(request, "admin/publishing/compare.html", context)

    def inline_changes(self, obj, version):
        """Changes to the rows edited inline on the object's page, such as case images, compared by name."""
        for inline in self.inlines:
            link = next(field for field in inline.model._meta.fields if field.related_model is self.model)
            then = [
                stored.object_repr
                for stored in version.revision.version_set.get_for_model(inline.model)
                if stored.field_dict[link.attname] == obj.pk
            ]
            now = [str(row) for row in inline.model._default_manager.filter(**{link.name: obj})]
            yield list_change(inline.model._meta.verbose_name_plural.capitalize(), then, now)

    def delete_model(self, request, obj):
        self.record_deletion(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.record_deletion(request, obj)
        super().delete_queryset(request, queryset)

    def record_deletion(self, request, obj):
        """Save a last revision of obj and all that is deleted with it, naming who deleted it and when.

        The recover list offers that revision, so recovering a condition also brings back its
        treatment links and case studies. Each object gets its own revision, so recovering one
        object from a bulk delete does not recover the others.
        """
        collector = Collector(using=router.db_for_write(self.model))
        collector.collect([obj])
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment("Deleted.")
            for instance in chain(*collector.data.values(), *collector.fast_deletes):
                if reversion.is_registered(type(instance)):
                    reversion.add_to_revision(instance)


class PublishableForm(forms.ModelForm):
    """A page form that refuses what its user may not do, and saves over nobody else's work."""

    opened_version = forms.IntegerField(
        required=False,
        min_value=0,
        widget=forms.HiddenInput,
        error_messages={"invalid": "The page's version number is missing or damaged; reload the page."},
    )

    can_publish = False  # set for each request by PublishableAdmin.get_form

    class Meta:
        # A few lines, so staff see the whole summary they are writing.
        widgets = {"summary": forms.Textarea(attrs={"rows": 3}), "also_known_as": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if not self.instance._state.adding:
            self.fields["opened_version"].required = True
            self.fields["opened_version"].initial = self.instance.version
        if not self.can_publish:
            self.limit_to_editing()

    def limit_to_editing(self):
        """Editors move a page between draft and review; publishing and review dates are for reviewers."""
        status = self.fields["status"]
        allowed = [Status.PUBLISHED] if self.instance.is_published else [Status.DRAFT, Status.REVIEW]
        status.choices = [(value, label) for value, label in status.choices if value in allowed]
        status.error_messages["invalid_choice"] = "Only clinical reviewers can publish or unpublish a page."
        for name in REVIEW_FIELDS:
            field = self.fields[name]
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput()  # without the admin's calendar and "Today" shortcuts
            field.widget.attrs["readonly"] = True
            field.help_text = "Only clinical reviewers can change this."

    def clean(self):
        cleaned_data = super().clean()
        if not self.can_publish:
            for name in REVIEW_FIELDS:
                if name in self.changed_data:
                    self.add_error(name, "Only clinical reviewers can change the review dates and reviewer.")
        if not self.instance._state.adding and cleaned_data.get("opened_version") is not None:
            self.refuse_if_saved_since_opened(cleaned_data["opened_version"])
        return cleaned_data

    def refuse_if_saved_since_opened(self, opened):
        page = self.instance
        # Locking the row makes a simultaneous second save wait here, then see the first one's number.
        # The larger number wins because a revert rewinds the row, and the admin then gives the page
        # the number it had before the revert (PublishableAdmin.get_object).
        saved_version = type(page).objects.select_for_update().values_list("version", flat=True).get(pk=page.pk)
        live = max(page.version, saved_version)
        page.version = live  # the save counts on from here
        if opened == live:
            return
        saved_page = type(page).objects.get(pk=page.pk)
        self.conflict = self.differences_from(saved_page)
        # A second save after reading the differences is deliberate, so let it through.
        self.data = self.data.copy()
        self.data[self.add_prefix("opened_version")] = live
        who, when = "someone else", saved_page.updated_at
        # Name who made the live version when the admin recorded that save; saves from elsewhere have no revision.
        last = Version.objects.get_for_object(page).select_related("revision__user").first()
        if last and last.field_dict.get("version") == live and last.revision.user:
            who, when = (
                last.revision.user.get_full_name() or last.revision.user.get_username(),
                last.revision.date_created,
            )
        raise ValidationError(
            "This page was edited by %(who)s at %(when)s since you opened it, so your changes were not saved. "
            "Your text is still in the form below. Check the differences from the saved page, "
            "then save again to replace it with your version.",
            code="stale",
            params={"who": who, "when": date_format(timezone.localtime(when), "j F Y, H:i")},
        )

    def differences_from(self, saved_page):
        """How the saved page differs from what this form holds, field by field."""
        names = [name for name in self.fields if name in self.cleaned_data and name != "opened_version"]
        submitted = {saved_page._meta.get_field(name).attname: self.cleaned_data[name] for name in names}
        return field_changes(type(saved_page), names, field_values(saved_page), submitted)


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


class PublishableAdmin(RecordedAdmin):
    """Shared list and form behaviour for conditions and procedures."""

    form = PublishableForm
    change_form_template = "admin/publishing/change_form.html"
    list_filter = ("status", ReviewDueFilter)
    readonly_fields = ("created_at", "updated_at", "first_published_at")
    prepopulated_fields = {"slug": ("name",)}
    save_on_top = True
    view_on_site = True

    def has_publish_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.{get_permission_codename('publish', self.opts)}")

    def has_revert_permission(self, request):
        # A revert or recovery can publish or unpublish a page and change its review dates.
        return super().has_revert_permission(request) and self.has_publish_permission(request)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.can_publish = self.has_publish_permission(request)
        return form

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # Reverting rewrites the row, version number included, before the form is built: note the
        # live number first, so the revert is checked against it and saved as the next one. The
        # status too, so that a revert which publishes or unpublishes is recorded as doing so.
        live = self.model.objects.filter(pk=unquote(object_id)).values_list("version", "status").first()
        request.live_version, request.live_status = live or (None, None)
        return super().revision_view(request, object_id, version_id, extra_context)

    def restored(self, request, version):
        super().restored(request, version)
        page = self.model.objects.get(pk=version.object_id)
        before = getattr(request, "live_status", None)  # None: recovered from deletion
        if page.status == before or (before is None and page.status != Status.PUBLISHED):
            return
        event = status_event(before, page.status)
        revision = Version.objects.get_for_object(page).first().revision
        revision.comment = f"{event} {revision.comment}".strip()
        revision.save(update_fields=["comment"])
        self.log_change(request, page, event)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        # In a revert, give the page its number from before the revert (see revision_view).
        if obj is not None and getattr(request, "live_version", None) is not None:
            obj.version = request.live_version
        return obj

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        if "status" not in form.changed_data:
            return message
        event = status_event(form.initial.get("status"), form.instance.status)
        # In words, so the history and the admin log say who published or unpublished the page.
        return f"{event} {LogEntry(change_message=json.dumps(message)).get_change_message()}".strip()

    @admin.display(description="Next review due", ordering="next_review_due")
    def review_due(self, obj):
        if obj.is_review_overdue:
            due = date_format(obj.next_review_due)
            return format_html('<strong class="review-overdue">Overdue since {}</strong>', due)
        return obj.next_review_due


def status_event(old, new):
    if new == Status.PUBLISHED:
        return "Published."
    if old == Status.PUBLISHED:
        return f"Unpublished (now {Status(new).label.lower()})."
    return f"Status changed to {Status(new).label.lower()}."
