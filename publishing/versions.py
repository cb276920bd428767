"""A page's versions: the approved one patients read, and the pending changes staff make on top of it.

A published page's rows (the page and the parts shown with it, `version_parts()`) *are* its
approved version, so every public query, list, search and link reads them as they are, as Wagtail
serves a page's live row. Staff changes to a published page are kept as a snapshot of those rows
(`PendingChanges.data`), and written to the rows only when a clinical reviewer approves them
(publishing.workflow.approve).

Staff edit a pending version with the ordinary admin: `editing()` writes the snapshot into the
rows inside a savepoint, lets the admin validate and save there as usual, takes a snapshot of the
result and rolls the rows back, so no pending word ever reaches a patient, even for a moment
(other connections never see an uncommitted savepoint).
"""

import json
from contextlib import contextmanager

import reversion
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.core import serializers
from django.db import connection, transaction
from django.utils import timezone
from reversion.models import Revision, Version

from . import page_cache, uploads
from .models import PendingChanges, ReviewEvent, Status, page_key

# Fields every save changes by itself; they do not make a version differ.
BOOKKEEPING_FIELDS = {"updated_at", "edit_count"}


def version_objects(page):
    return [page, *page.version_parts()]


def snapshot(page):
    """The page and its parts as they are in the database now, as JSON (Django's serialisation)."""
    return serializers.serialize("json", version_objects(page))


def content(data):
    """A snapshot without bookkeeping, for telling whether two versions say the same thing."""
    objects = [
        {"model": obj["model"], "pk": obj["pk"], "fields": obj["fields"]} for obj in (json.loads(data) if data else [])
    ]
    for obj in objects:
        for name in BOOKKEEPING_FIELDS:
            obj["fields"].pop(name, None)
    return sorted(objects, key=lambda obj: (obj["model"], obj["pk"]))


def same_content(first, second):
    return content(first) == content(second)


def deserialize(data):
    """The DeserializedObjects of a snapshot, skipping fields a later migration removed."""
    return list(serializers.deserialize("json", data, ignorenonexistent=True))


def restore(page, data):
    """Make the page's rows exactly the version in data: save what it holds, delete parts it does not hold.

    Rows are saved the ordinary way, so a replaced or removed case image's files go once this
    commits (conditions.models.delete_files_on_commit), and never if it is rolled back.
    A part that points at something deleted since (a procedure, say) is left out.
    """
    stored = deserialize(data)
    bases = {(obj["model"], obj["pk"]): obj.get("base", {}) for obj in json.loads(data)}
    wanted = {(type(item.object), item.object.pk) for item in stored}
    for part in reversed(page.version_parts()):
        if (type(part), part.pk) not in wanted:
            part.delete()
    for item in stored:
        obj = item.object
        if not _resolve_references(obj):
            continue
        obj._restoring = True
        obj.save()
        for name, keys in item.m2m_data.items():
            keys, base = set(keys), bases[(obj._meta.label_lower, obj.pk)].get(name)
            if base is not None:
                # A symmetrical link (often combined with) may have been added or removed from the
                # other page since: apply only what this version changed (see with_base).
                current = set(getattr(obj, name).values_list("pk", flat=True))
                keys = (current - (set(base) - keys)) | (keys - set(base))
            related = obj._meta.get_field(name).related_model
            getattr(obj, name).set(related._default_manager.filter(pk__in=keys))
    page.refresh_from_db()


def with_base(data, base):
    """Note in data, for each symmetrical many-to-many list, that list in the base version (see restore)."""
    then = {(obj["model"], obj["pk"]): obj for obj in json.loads(base)}
    objects = json.loads(data)
    for obj in objects:
        model = apps.get_model(obj["model"])
        for field in model._meta.many_to_many:
            if field.remote_field.symmetrical and field.related_model is model:
                old = then.get((obj["model"], obj["pk"]))
                obj.setdefault("base", {})[field.name] = old["fields"].get(field.name, []) if old else []
    return json.dumps(objects)


def _resolve_references(obj):
    """Clear or refuse foreign keys to rows deleted since the snapshot; False if obj cannot be kept."""
    for field in obj._meta.concrete_fields:
        if not field.is_relation or getattr(obj, field.attname) is None:
            continue
        if not field.related_model._default_manager.filter(pk=getattr(obj, field.attname)).exists():
            if not field.null:
                return False
            setattr(obj, field.attname, None)
    return True


def working_data(page):
    """The newest version of a published page staff are working on: pending, else scheduled, else None."""
    pending = page.pending()
    if pending and pending.data:
        return pending.data
    scheduled = page.scheduled_version()
    return scheduled.data if scheduled else None


class EditSession:
    """What editing() learnt inside its savepoint, to keep once the rows are rolled back."""

    def __init__(self, pages):
        self.pages = pages
        self.applied = {}
        self.captured = {}
        self.records = []

    def start(self):
        for page in self.pages:
            data = working_data(page)
            if data:
                restore(page, data)
            self.applied[page] = snapshot(page)
        # Revisions and admin log entries made inside are kept: the history records every save.
        self.marks = {model: _last_pk(model) for model in (Revision, Version, LogEntry)}

    def capture(self):
        for page in self.pages:
            fresh = type(page)._default_manager.filter(pk=page.pk).first()
            self.captured[page] = snapshot(fresh) if fresh else None
        for model, mark in self.marks.items():
            self.records.append((model, list(model._default_manager.filter(pk__gt=mark).order_by("pk").values())))

    def keep(self, user):
        """Store what the block did as pending changes (or, for what takes a page down, at once)."""
        changed = [page for page in self.pages if self.captured.get(page) not in (None, self.applied[page])]
        outcomes = {keep_pending(page, self.captured[page], user) for page in changed}
        if changed:
            self._keep_records(prefix="Changes awaiting review." if "pending" in outcomes else "")
            _reserve_ids(self.captured.values())

    def _keep_records(self, prefix):
        for model, rows in self.records:
            for row in rows:
                if model is Revision:
                    row["comment"] = f"{prefix} {row['comment']}".strip()
                if model is LogEntry:
                    message = LogEntry(change_message=row["change_message"]).get_change_message()
                    row["change_message"] = f"{prefix} {message}".strip()
                model._default_manager.create(**row)


def keep_pending(page, data, user):
    """Store data as the page's pending version, applying at once what only takes things off the site.

    Returns what became of it: "pending", "unpublished" or "approved as it was".
    """
    page.refresh_from_db()
    take_down_now(page, data, user)
    page_data = next(item.object for item in deserialize(data) if type(item.object) is type(page))
    if page_data.status != Status.PUBLISHED:
        # Unpublished: the page's rows become its working copy again, pending changes and all.
        restore(page, data)
        PendingChanges.objects.for_page(page).update(data="", edited_by=user, edited_at=timezone.now())
        ReviewEvent.record(page, ReviewEvent.Action.UNPUBLISHED, user)
        return "unpublished"
    scheduled = page.scheduled_version()
    base = scheduled.data if scheduled else snapshot(page)
    pending = PendingChanges.objects.for_page(page).first() or PendingChanges(**page_key(page))
    if same_content(data, base):
        # Back to what is approved: nothing is pending any more.
        if pending.pk:
            pending.delete()
        return "approved as it was"
    pending.data, pending.edited_by, pending.edited_at = with_base(data, base), user, timezone.now()
    pending.save()
    return "pending"


def take_down_now(page, data, user):
    """Apply to the live rows what only takes things off the site, such as a case's consent withdrawn."""
    for item in deserialize(data):
        obj = item.object
        for name, value in getattr(type(obj), "TAKE_DOWN_VALUES", {}).items():
            rows = type(obj)._default_manager.filter(pk=obj.pk).exclude(**{name: value})
            if getattr(obj, name) == value and rows.update(**{name: value}):
                page_cache.invalidate(*obj.pages_showing())
                _discard_live_leaflet(page)
                ReviewEvent.record(page, ReviewEvent.Action.CONSENT_WITHDRAWN, user, comment=str(obj))


class _RolledBack(Exception):
    pass


@contextmanager
def rolled_back():
    """A block whose database writes, and the on-commit callbacks they registered, are all undone at its end.

    An atomic block ended by an exception, not a bare savepoint: only atomic() tells Django which
    on-commit callbacks (such as deleting a replaced image's files) belong to what is undone.
    """
    try:
        with page_cache.ignoring_changes(), transaction.atomic():
            yield
            raise _RolledBack
    except _RolledBack:
        pass


@contextmanager
def editing(pages, user):
    """Run a block of ordinary ORM or admin code against the pending versions of the published pages given.

    Unpublished pages are edited in place, as always. Responses must be rendered inside the block,
    while the pending rows are in place.
    """
    live = [page for page in pages if page is not None and page.pk and page.is_published]
    if not live:
        yield None
        return
    with transaction.atomic():
        for page in live:
            # Two saves of one page queue up here on PostgreSQL, and the second sees the first's changes.
            type(page)._default_manager.select_for_update().filter(pk=page.pk).first()
        session = EditSession(live)
        # Pictures uploaded in the block belong to the pending version kept below, not to the rows
        # rolled back: they are deleted only if this transaction rolls back.
        with uploads.outliving_savepoints(), rolled_back():
            with reversion.create_revision(manage_manually=True):
                session.start()
            yield session
            session.capture()
        session.keep(user)


@contextmanager
def reading(page):
    """Show a published page's pending version for the length of a block (the staff preview), changing nothing."""
    data = working_data(page) if page.is_published else None
    if not data:
        yield False
        return
    with rolled_back():
        restore(page, data)
        yield True


def _last_pk(model):
    return model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0


def _reserve_ids(snapshots):
    """Keep SQLite from reusing the ids rows were given inside a rolled-back savepoint.

    A pending version refers to its new rows (a new treatment link or case image) by the id they
    got there. PostgreSQL's sequences never hand an id out twice; SQLite's counter rolls back.
    """
    if connection.vendor != "sqlite":
        return
    highest = {}
    for data in filter(None, snapshots):
        for item in deserialize(data):
            table = item.object._meta.db_table
            highest[table] = max(highest.get(table, 0), item.object.pk)
    with connection.cursor() as cursor:
        for table, pk in highest.items():
            cursor.execute("UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s", [pk, table])
            if not cursor.rowcount:
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, pk])


def forget_part(page, part):
    """Leave a deleted part (a case study whose consent was withdrawn, say) out of the page's pending version too."""
    _discard_live_leaflet(page)
    pending = PendingChanges.objects.for_page(page).exclude(data="").first()
    if pending is None:
        return
    kept = {
        (item.object._meta.label_lower, item.object.pk)
        for item in deserialize(pending.data)
        if not _part_of(item.object, part)
    }
    pending.data = json.dumps([obj for obj in json.loads(pending.data) if (obj["model"], obj["pk"]) in kept])
    pending.save(update_fields=["data"])


def _discard_live_leaflet(page):
    # The live leaflet must not keep what was just taken off the page (publishing/leaflets.py).
    from . import leaflets

    leaflets.discard_live(page)


def _part_of(obj, part):
    """Whether obj is part, or points at it (a case image of a case study)."""
    if type(obj) is type(part) and obj.pk == part.pk:
        return True
    return any(
        field.is_relation and field.related_model is type(part) and getattr(obj, field.attname) == part.pk
        for field in obj._meta.concrete_fields
    )
