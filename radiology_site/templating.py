"""The Jinja2 environment of the public pages (templates/): Django's static files, URLs and date formats."""

import json
from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaultfilters import date, pluralize, truncatechars
from django.templatetags.static import static
from django.urls import get_script_prefix
from jinja2 import Environment
from markupsafe import Markup

from publishing.addresses import address

# What could end a <script> element or open a comment inside one, written as JSON escapes instead.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


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
    return Markup(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))


def environment(**options):
    env = Environment(**options)
    env.globals.update(static=static_address, url=address, breadcrumb_list=breadcrumb_list)
    env.filters.update(date=date, pluralize=pluralize, truncatechars=truncatechars)
    return env


def static_address(path):
    """static(path), remembered: the manifest of hashed names is read once per process, and each lookup cost
    more than the rest of a page's header. Keyed by the script prefix, which a relative STATIC_URL starts with."""
    return _static(path, get_script_prefix())


@lru_cache(maxsize=256)
def _static(path, script_prefix):
    return static(path)


@receiver(setting_changed)
def _forget_static_addresses(*, setting, **kwargs):
    # As Django's own static files storage does when a test changes where static files live.
    if setting in {"STATIC_URL", "STORAGES"}:
        _static.cache_clear()
