"""The one allowlist for staff-written rich text.

It matches the CKEditor toolbar (see CKEDITOR_5_CONFIGS) and what static/css/site.css styles,
so anything the editor can produce survives and nothing else does.
"""

import html
import re
from urllib.parse import urlsplit

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


class SanitisedHTML(str):
    """Text as sanitise_html() returned it, so the next step of the same save need not clean it again.

    Like Django's SafeString, the mark does not survive a change: adding to it, slicing or
    replacing gives a plain str, which is cleaned again. Text as it is submitted, or read from a
    fixture, a revision or the database, is always a plain str.
    """


def sanitise_html(value):
    """Return value with every tag, attribute and URL outside the allowlist removed, as SanitisedHTML.

    HTML with no words in it, such as the editor's empty paragraph "<p>&nbsp;</p>", becomes "".
    """
    if not value:
        return SanitisedHTML()
    cleaned = nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer",
    ).strip()
    return SanitisedHTML(cleaned if html.unescape(TAGS.sub("", cleaned)).strip() else "")


def sanitised(value):
    """value cleaned, unless it is already what sanitise_html() returned."""
    return value if type(value) is SanitisedHTML else sanitise_html(value)


HREFS = re.compile(r'<a [^>]*href="([^"]*)"')


def linked_paths(value, site_url=""):
    """The paths of this site's pages that sanitised rich text links to, e.g. {"/procedures/nerve-block/"}.

    Links are site-relative, or absolute to site_url's host; fragments and query strings are ignored.
    """
    own_host = urlsplit(site_url).netloc
    paths = set()
    for href in HREFS.findall(value or ""):
        parts = urlsplit(html.unescape(href))
        if (parts.scheme or parts.netloc) and parts.netloc != own_host:
            continue
        if parts.path.startswith("/"):
            paths.add(parts.path if parts.path.endswith("/") else parts.path + "/")
    return paths
