"""schema.org JSON-LD describing a public page, built from the rows patients read: its approved version."""

import json
from urllib.parse import urljoin

from django.conf import settings
from django.utils.safestring import mark_safe

# What json.dumps leaves as it is but an HTML parser reads inside <script>: "</script>" would end the
# element and "<!--" start a comment. As JSON \u escapes they mean the same to a JSON parser.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def json_for_script(data):
    """data as JSON that is safe inside a <script> element, whatever its strings hold."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))


def medical_web_page(page, url):
    """The schema.org MedicalWebPage describing a condition's or procedure's page at url (absolute)."""
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "url": url,
        "name": page.name,
        "description": page.summary,
        "inLanguage": "en-GB",
        "audience": {"@type": "Patient"},
        "lastReviewed": page.last_reviewed.isoformat() if page.last_reviewed else None,
        # Pages name the reviewer's role, never a person.
        "reviewedBy": {"@type": "Person", "jobTitle": page.reviewed_by} if page.reviewed_by else None,
        # When the approved version was written, as the Last-Modified header and the sitemap say.
        "dateModified": page.updated_at.isoformat(timespec="seconds"),
        "about": page.schema_about(lambda path: urljoin(url, path)),
    }
    return {key: value for key, value in data.items() if value is not None}


def json_ld(page, url):
    """The page's MedicalWebPage as the body of a <script type="application/ld+json"> element."""
    return json_for_script(medical_web_page(page, url))


def breadcrumb_list(request, crumbs):
    """A schema.org BreadcrumbList of (name, address) pairs as JSON-LD, safe inside a <script> element.

    Addresses are absolute, as search engines want: from the request, or SITE_URL without one (a leaflet).
    """
    # Jinja gives a template rendered without a request an undefined `request`, which is false.
    absolute = request.build_absolute_uri if request else lambda path: settings.SITE_URL + path
    data = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": absolute(href)}
            for position, (name, href) in enumerate(crumbs, start=1)
        ],
    }
    return json_for_script(data)
