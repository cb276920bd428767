"""Every admin save a revision (django-reversion): history with differences, revert, recover, deletions recorded."""

from itertools import chain

import reversion
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import router
from django.db.models.deletion import Collector
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from reversion.admin import VersionAdmin
from reversion.models import Version

from ..diff import field_changes, field_values, list_change
from ..models import ReviewEvent


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
        obj = self.model._default_manager.filter(pk=unquote(object_id)).first()
        if obj is not None and hasattr(obj, "approved_versions"):
            context["review_events"] = ReviewEvent.objects.for_page(obj).select_related("user")
        return super().history_view(request, object_id, context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if not self.has_revert_permission(request):
            raise PermissionDenied
        version = self.restorable_version(request, version_id, object_id=unquote(object_id))
        # Reverting rewrites the row, edit count included, before the form is built: note the count
        # first, so the revert is checked against it and saved as the next one (see get_object).
        request.stored_edit_count = (
            self.model._default_manager.filter(pk=unquote(object_id)).values_list("edit_count", flat=True).first()
        )
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

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        # In a revert, give the object its count from before the revert (see revision_view).
        if obj is not None and getattr(request, "stored_edit_count", None) is not None:
            obj.edit_count = request.stored_edit_count
        return obj

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
