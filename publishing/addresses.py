"""Page addresses, reversed once per process: a page shows a dozen links, and each reverse() costs."""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language


def address(viewname, **kwargs):
    """reverse(viewname, kwargs=kwargs), remembered under everything reverse() reads besides its arguments."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reversed(viewname, tuple(sorted(kwargs.items())), urlconf, get_script_prefix(), get_language())


@lru_cache(maxsize=4096)
def _reversed(viewname, kwargs, urlconf, script_prefix, language):
    return reverse(viewname, urlconf=urlconf, kwargs=dict(kwargs))
