"""The Jinja2 environment of the public pages (templates/): Django's static files, URLs and date formats, JSON-LD."""

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaultfilters import date, pluralize, truncatechars
from django.templatetags.static import static
from django.urls import get_script_prefix
from jinja2 import Environment

from feedback.protection import form_token
from publishing.addresses import address
from publishing.structured_data import breadcrumb_list, json_ld


def environment(**options):
    env = Environment(**options)
    env.globals.update(feedback_token=form_token, static=static_address, url=address, breadcrumb_list=breadcrumb_list)
    env.filters.update(date=date, json_ld=json_ld, pluralize=pluralize, truncatechars=truncatechars)
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
