"""Page addresses, reversed once per process: a page shows a dozen links, and each reverse() costs."""

from functools import lru_cache

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language


def address(viewname, **kwargs):
    """reverse(viewname, kwargs=kwargs), remembered under what else reverse() reads: URLconf, prefix, language.

    The URLconf is always the site's: nothing here sets a per-request one (request.urlconf).
    """
    urlconf = settings.ROOT_URLCONF
    language = get_language() if is_language_prefix_patterns_used(urlconf)[0] else None
    return _reversed(viewname, tuple(sorted(kwargs.items())), urlconf, get_script_prefix(), language)


@lru_cache(maxsize=4096)
def _reversed(viewname, kwargs, urlconf, script_prefix, language):
    return reverse(viewname, urlconf=urlconf, kwargs=dict(kwargs))
