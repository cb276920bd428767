"""Word-by-word differences between two versions of an object, for staff to read before they approve,
revert or re-save. Rich text is compared as the words a patient reads, never as HTML."""

import difflib
import re
from html.parser import HTMLParser
from typing import NamedTuple

from django.db import models
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from .fields import RichTextField

# A line break is a word of its own, so a new paragraph or list item shows where it starts.
WORDS = re.compile(r"\n|[^\s]+")


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
    """A field's value as staff read it: names for related objects, labels for choices, rich text as words."""
    if isinstance(field, RichTextField):
        return readable_text(value or "")
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
    """The new text as safe HTML, with removed words in <del> and added words in <ins>; lines kept."""
    old_words, new_words = WORDS.findall(old), WORDS.findall(new)
    parts = []
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            parts.append(_words(old_words[old_start:old_end], escape))
            continue
        if old_start < old_end:
            parts.append(_words(old_words[old_start:old_end], lambda text: format_html("<del>{}</del>", text)))
        if new_start < new_end:
            parts.append(_words(new_words[new_start:new_end], lambda text: format_html("<ins>{}</ins>", text)))
    return mark_safe(" ".join(parts).replace(" <br> ", "<br>"))


def _words(words, mark):
    """Words joined and marked, with line breaks as <br> outside the marks."""
    lines = " ".join(words).split("\n")
    return " <br> ".join(str(mark(line.strip())) if line.strip() else "" for line in lines)


class _Reader(HTMLParser):
    """Sanitised rich text as lines of words: headings and list items say what they are."""

    BLOCKS = {"p", "h3", "h4", "li", "blockquote", "tr", "br"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines, self.line, self.lists = [], [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.end_line()
        if tag in ("ul", "ol"):
            self.lists.append([tag, 0])
        elif tag in ("h3", "h4"):
            self.line.append("Heading:")
        elif tag == "li" and self.lists:
            kind = self.lists[-1]
            kind[1] += 1
            self.line.append("•" if kind[0] == "ul" else f"{kind[1]}.")
        elif tag == "blockquote":
            self.line.append("Quote:")
        elif tag == "td" or tag == "th":
            self.line.append("|")
        elif tag == "a":
            self.href = dict(attrs).get("href", "")

    def handle_endtag(self, tag):
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag == "a" and getattr(self, "href", ""):
            self.line.append(f"[link: {self.href}]")
            self.href = ""
        if tag in self.BLOCKS or tag in ("ul", "ol"):
            self.end_line()

    def handle_data(self, data):
        self.line.extend(data.split())

    def end_line(self):
        if self.line:
            self.lines.append(" ".join(self.line))
        self.line = []


def readable_text(html):
    """Rich text as the words a reader sees, a line per paragraph, heading or list item."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader.end_line()
    return "\n".join(reader.lines)


class PartChange(NamedTuple):
    """How one row shown with a page (a treatment link, case study or case image) differs between versions."""

    label: str
    kind: str  # "added", "removed" or "changed"
    changes: list
    before: object  # the row in the older version, or None
    after: object  # the row in the newer version, or None


def version_changes(before, after):
    """(page changes, part changes) between two snapshots of a page (publishing.versions.snapshot)."""
    from .versions import deserialize

    old, new = _objects(deserialize(before) if before else []), _objects(deserialize(after))
    page_key = next(iter(new))
    page_changes = _changes(page_key[0], old.get(page_key), new[page_key])
    parts = []
    for key in [*new, *(key for key in old if key not in new)]:
        if key == page_key:
            continue
        model, (then, now) = key[0], (old.get(key), new.get(key))
        if then is None or now is None:
            row = now or then
            parts.append(
                PartChange(_label(row[0]), "added" if now else "removed", [], then and then[0], now and now[0])
            )
            continue
        changes = _changes(model, then, now)
        if changes:
            parts.append(PartChange(_label(now[0]), "changed", changes, then[0], now[0]))
    return page_changes, parts


def _objects(items):
    """{(model, pk): (object, values by attname)} of deserialized rows, m2m values included."""
    found = {}
    for item in items:
        obj = item.object
        values = {field.attname: field.value_from_object(obj) for field in obj._meta.concrete_fields}
        values.update({name: list(keys) for name, keys in item.m2m_data.items()})
        found[(type(obj), obj.pk)] = (obj, values)
    return found


def _changes(model, before, after):
    names = [field.name for field in (*model._meta.fields, *model._meta.many_to_many) if field.editable]
    return field_changes(model, names, before[1] if before else {}, after[1])


def _label(obj):
    try:
        text = str(obj)
    except models.ObjectDoesNotExist:  # it points at something deleted since
        text = ""
    return f"{capfirst(obj._meta.verbose_name)}: {text}" if text else capfirst(obj._meta.verbose_name)
