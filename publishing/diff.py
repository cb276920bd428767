"""Word-by-word differences between two versions of an object, for staff to read before they revert or re-save."""

import difflib
import re
from typing import NamedTuple

from django.db import models
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

# Tags count as words of their own, so a changed link or heading shows as one small change.
WORDS = re.compile(r"<[^>]*>|[^\s<]+")


class Change(NamedTuple):
    label: str
    diff: str  # safe HTML: removed words in <del>, added words in <ins>


def field_changes(model, names, before, after):
    """A Change for each named editable field whose value differs; values are keyed by attname.

    Fields missing from `after` (a form that did not validate them) are skipped.
    """
    editable = {field.name: field for field in (*model._meta.fields, *model._meta.many_to_many) if field.editable}
    changes = []
    for name in names:
        field = editable.get(name)
        if field is None or field.attname not in after:
            continue
        old, new = as_text(field, before.get(field.attname)), as_text(field, after[field.attname])
        if old != new:
            changes.append(Change(capfirst(field.verbose_name), word_diff(old, new)))
    return changes


def field_values(obj):
    """Every field of obj keyed by attname, as reversion stores a revision's `field_dict`."""
    return {field.attname: field.value_from_object(obj) for field in (*obj._meta.fields, *obj._meta.many_to_many)}


def list_change(label, before, after):
    """A Change for a list of related rows (such as case images) shown by name, or None if it is the same."""
    before, after = sorted(before), sorted(after)
    if before == after:
        return None
    return Change(label, word_diff("; ".join(before), "; ".join(after)))


def as_text(field, value):
    """A field's value as staff read it: names for related objects, labels for choices, rich text as stored."""
    if field.many_to_many:
        keys = [getattr(item, "pk", item) for item in value or ()]
        return ", ".join(str(item) for item in field.related_model._default_manager.filter(pk__in=keys))
    if field.is_relation:
        if isinstance(value, models.Model) or value is None:
            return str(value or "")
        return str(field.related_model._default_manager.filter(pk=value).first() or "")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def word_diff(old, new):
    """The new text as safe HTML, with removed words in <del> and added words in <ins>."""
    old_words, new_words = WORDS.findall(old), WORDS.findall(new)
    parts = []
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            parts.append(escape(" ".join(old_words[old_start:old_end])))
            continue
        if old_start < old_end:
            parts.append(format_html("<del>{}</del>", " ".join(old_words[old_start:old_end])))
        if new_start < new_end:
            parts.append(format_html("<ins>{}</ins>", " ".join(new_words[new_start:new_end])))
    return mark_safe(" ".join(parts))
