"""Public pages served from a cache of their rendered HTML, invalidated exactly by what changes them.

Each cached page depends on tags: its own address ("page:/conditions/bone-pain-from-cancer/") and,
for a list, the list ("list:conditions"). A tag's value in the cache is a random token. A change to
anything a page shows replaces the tokens of the tags of the pages showing it (invalidate(), called
by the signal receivers at the end of this module), so every app server sharing the cache renders
those pages afresh on its next request. An entry records the tokens it was rendered under, read
*before* rendering, so that a change committed while a page renders leaves that entry out of date.

Only visitors without a session cookie are served from the cache: a session cookie means staff, who
may be shown a preview. Entries are kept long after they stop being fresh, so that a page can still be served,
stale, while the database is down.
"""

import hashlib
import logging
import secrets
import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import Min
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers, get_conditional_response, has_vary_header, patch_cache_control
from django.utils.http import http_date

logger = logging.getLogger(__name__)

# How long an entry stays in the cache after rendering, fresh or not: a stale page beats an error
# page while the database is down.
KEEP_SECONDS = 7 * 24 * 3600
_state = threading.local()  # .ignoring: depth of ignoring_changes() blocks in this thread
_unsent = set()  # tags whose new tokens could not be stored (cache down): sent again before any lookup
# After a cache failure, this process renders pages without asking the cache for a few seconds, so
# that a hung Redis costs one socket timeout now and then, not one on every request.
RETRY_SECONDS = 5
_down_until = 0.0
# A tag of every cached page, replaced by clear() (`manage.py clear_page_cache`).
SITE_TAG = "site"
# The tag of /sitemap.xml, which lists every public page with the date of its approved version:
# replaced with the tag of any public page's own address (Publishable.own_pages).
SITEMAP_TAG = "sitemap"


def page_tag(path):
    """The tag of the cached page at path, e.g. page_tag("/conditions/")."""
    return f"page:{path}"


def pages_of(*pages):
    """The tags of the cached pages of pages (conditions or procedures, of any status)."""
    return {page_tag(page.get_absolute_url()) for page in pages}


def cached_page(view, *tags):
    """Mark a public view as served from the page cache; tags name the lists it shows besides its own address."""
    view.page_cache_tags = tags
    return view


def invalidate(*tags):
    """Make every cached page depending on any of tags out of date, now and again once this transaction commits.

    At once, so that this thread's next request shows the change; on commit, because a request
    served meanwhile by another process read the data as it was before the commit.
    """
    if _ignoring() or not tags:
        return
    tags = set(tags)
    _replace_tokens(tags)
    transaction.on_commit(lambda: _replace_tokens(tags), robust=True)


def clear():
    """Make every cached page out of date, e.g. after a release changed the templates; raises if the cache is down."""
    cache.set(_tag_key(SITE_TAG), secrets.token_hex(8), timeout=None)


def _ignoring():
    return getattr(_state, "ignoring", 0) > 0


@contextmanager
def ignoring_changes():
    """A block whose changes are all rolled back (publishing.versions.rolled_back): they invalidate nothing."""
    _state.ignoring = getattr(_state, "ignoring", 0) + 1
    try:
        yield
    finally:
        _state.ignoring -= 1


def _replace_tokens(tags):
    tags = tags | _unsent
    try:
        cache.set_many({_tag_key(tag): secrets.token_hex(8) for tag in tags}, timeout=None)
    except Exception:
        logger.exception("The page cache could not be told of a change to %s; retrying before the next lookup.", tags)
        _unsent.update(tags)
        _cache_failed()
    else:
        _unsent.difference_update(tags)


def _tag_key(tag):
    return f"tag:{tag}"


def _entry_key(request):
    # Scheme and host too: the page's canonical link is absolute.
    return f"page:{request.scheme}://{request.get_host()}{request.path}"


class PageCacheMiddleware:
    """Serves anonymous visitors' public pages from the cache and gives them HTTP caching headers.

    First in MIDDLEWARE, so that a cached page skips the rest, and an entry holds the headers every
    other middleware added to it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tags = public_page_tags(request)
        if tags is None:
            return self.get_response(request)
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            # Staff, or someone who was: they may be shown a preview, which no cache may keep.
            response = self.get_response(request)
            add_never_cache_headers(response)
            return response
        key = _entry_key(request)
        entry, tokens = _lookup(key, tags) if settings.PAGE_CACHE_SECONDS else (None, None)
        if entry is not None and entry["tokens"] == tokens and entry["fresh_until"] > time.time():
            return _from_entry(request, entry)
        response = self.get_response(request)
        if getattr(response, "database_unavailable", False) and entry is not None:
            logger.warning("Serving %s from the page cache, possibly stale: the database is unavailable.", key)
            return _from_entry(request, entry)
        if not _shareable(response):
            return response
        _add_http_caching(response)
        if tokens is not None:
            _store(key, tokens, response)
        return get_conditional_response(
            request, etag=response["ETag"], last_modified=_last_modified(response), response=response
        )


def public_page_tags(request):
    """The tags of the cached public page a GET asks for; None if it is not one."""
    if request.method not in {"GET", "HEAD"} or request.META.get("QUERY_STRING"):
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    tags = getattr(match.func, "page_cache_tags", None)
    return None if tags is None else [page_tag(request.path), SITE_TAG, *tags]


def _lookup(key, tags):
    """The entry at key and the current tokens of tags, each made if missing; (None, None) if the cache fails."""
    if time.monotonic() < _down_until:
        return None, None
    if _unsent:
        _replace_tokens(set())
        if _unsent:
            return None, None  # a change the cache has not been told of may be on this page
    tag_keys = [_tag_key(tag) for tag in tags]
    try:
        found = cache.get_many([key, *tag_keys])
        missing = [tag_key for tag_key in tag_keys if tag_key not in found]
        if missing:
            for tag_key in missing:
                cache.add(tag_key, secrets.token_hex(8), timeout=None)
            found.update(cache.get_many(missing))  # another process may have added its own first
    except Exception:
        logger.exception("The page cache is unavailable; rendering %s.", key)
        _cache_failed()
        return None, None
    tokens = [found.get(tag_key) for tag_key in tag_keys]
    return found.get(key), (None if None in tokens else tokens)


def _shareable(response):
    """Whether a response may be cached and shared: a whole 200 page that sets no cookie and says nothing against it."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Cache-Control")
        # Pages read no session for visitors without a cookie (can_preview, SessionLifetimeMiddleware).
        and not has_vary_header(response, "Cookie")
    )


def _add_http_caching(response):
    patch_cache_control(
        response,
        public=True,
        max_age=settings.HTTP_MAX_AGE_SECONDS,
        stale_while_revalidate=settings.HTTP_STALE_WHILE_REVALIDATE_SECONDS,
        stale_if_error=settings.HTTP_STALE_IF_ERROR_SECONDS,
    )
    # A hash of the page as rendered from approved versions: the same on every app server.
    response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
    if _last_modified(response):
        response["Last-Modified"] = http_date(_last_modified(response))


def _last_modified(response):
    # Whole seconds, as HTTP dates are: a fraction would make every If-Modified-Since look older.
    return int(response.approved_at.timestamp()) if getattr(response, "approved_at", None) else None


def _store(key, tokens, response):
    fresh_for = settings.PAGE_CACHE_SECONDS
    try:
        expiring = _seconds_to_next_expiry()
    except DatabaseError:
        return  # the database went down after the page was rendered: serve it, but keep nothing
    if expiring is not None:
        fresh_for = min(fresh_for, expiring)
    if fresh_for <= 0:
        return
    entry = {
        "tokens": tokens,
        "fresh_until": time.time() + fresh_for,
        "headers": list(response.items()),
        "content": response.content,
        "last_modified": _last_modified(response),
    }
    try:
        cache.set(key, entry, timeout=KEEP_SECONDS)
    except Exception:
        logger.exception("The page cache is unavailable; %s was not stored.", key)
        _cache_failed()


def _cache_failed():
    global _down_until
    _down_until = time.monotonic() + RETRY_SECONDS


def _seconds_to_next_expiry():
    """Seconds until the next published page expires, if one is due to: no page may be served after that."""
    from .models import publishable_models

    found = [
        model.objects.published().aggregate(soonest=Min("expires_at"))["soonest"] for model in publishable_models()
    ]
    soonest = [moment.timestamp() for moment in found if moment is not None]
    return min(soonest) - time.time() if soonest else None


def _from_entry(request, entry):
    response = HttpResponse(b"" if request.method == "HEAD" else entry["content"], headers=entry["headers"])
    response["Content-Length"] = len(entry["content"])
    return get_conditional_response(
        request, etag=response["ETag"], last_modified=entry["last_modified"], response=response
    )


# What each change invalidates. A model says which cached pages show it with pages_showing(), and
# a page model, which also has pages_changed_from(before), whether a change reaches beyond its own page.


def watch(model):
    """Invalidate the pages showing model's rows whenever one is saved, deleted or linked to another."""
    pre_save.connect(_remember_before, sender=model, dispatch_uid=f"page_cache_pre_save_{model._meta.label}")
    post_save.connect(_saved, sender=model, dispatch_uid=f"page_cache_post_save_{model._meta.label}")
    pre_delete.connect(_deleting, sender=model, dispatch_uid=f"page_cache_pre_delete_{model._meta.label}")
    for field in model._meta.local_many_to_many:
        m2m_changed.connect(
            _linked, sender=field.remote_field.through, dispatch_uid=f"page_cache_m2m_{field.remote_field.through}"
        )


def _remember_before(sender, instance, **kwargs):
    if _ignoring():
        return  # nothing will be invalidated: spare the queries, here and after the save
    instance._page_cache_before = sender._base_manager.filter(pk=instance.pk).first() if instance.pk else None


def _saved(sender, instance, **kwargs):
    if _ignoring():
        return
    before = instance.__dict__.pop("_page_cache_before", None)
    if hasattr(instance, "pages_changed_from"):
        invalidate(*instance.pages_changed_from(before))
    elif before is None or _fields(before) != _fields(instance):
        # Approving a page saves all its parts again, most of them unchanged.
        invalidate(*(before.pages_showing() if before else set()), *instance.pages_showing())


def _fields(obj):
    return [field.value_from_object(obj) for field in obj._meta.concrete_fields]


def _deleting(sender, instance, **kwargs):
    if _ignoring():
        return
    # Before the delete, while the rows that lead to the pages showing it are still there.
    invalidate(*instance.pages_showing())


def _linked(sender, instance, action, model, pk_set, **kwargs):
    """A many-to-many link changed (often combined with, image guidance): it shows on the pages at its ends."""
    if _ignoring():
        return
    if action == "pre_clear":
        invalidate(*instance.pages_showing())  # every page it could have been linked from
    elif action in {"post_add", "post_remove"} and pk_set:
        ends = [instance, *model._default_manager.filter(pk__in=pk_set)]
        invalidate(*(tag for end in ends if hasattr(end, "own_pages") for tag in end.own_pages()))
