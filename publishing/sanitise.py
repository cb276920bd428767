"""The one allowlist for staff-written rich text.

It matches the CKEditor toolbar (see CKEDITOR_5_CONFIGS) and what static/css/site.css styles,
so anything the editor can produce survives and nothing else does.
"""

import html
import re

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "figure",
    "table",
    "caption",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"https", "mailto"}


def _filter_attribute(tag, attribute, value):
    # nh3 treats "//host/path" as relative; it would leave the site, so only "/path" counts.
    if attribute == "href" and value.lstrip().startswith(("//", "\\")):
        return None
    return value


TAGS = re.compile(r"<[^>]*>")


def sanitise_html(value):
    """Return value with every tag, attribute and URL outside the allowlist removed.

    HTML with no words in it, such as the editor's empty paragraph "<p>&nbsp;</p>", becomes "".
    """
    if not value:
        return ""
    cleaned = nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer",
    ).strip()
    return cleaned if html.unescape(TAGS.sub("", cleaned)).strip() else ""
