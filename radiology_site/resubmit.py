"""Nothing typed is lost when a session ends: an admin form posted after it is kept and offered again.

Staff sessions end after SESSION_COOKIE_AGE without a request, so an editor who types in a change
form for longer than that arrives logged out when they press Save, and the admin would send them
to the login page without what they sent. Instead its fields (never its uploaded files) are kept in
their new session; once they have logged in again, the address they were saving to shows a page
that re-posts exactly those fields with a fresh CSRF token, through the ordinary save and its
edit-conflict check, or discards them.

The CSRF token is a cookie (CSRF_USE_SESSIONS is off), so such a post still passes the CSRF
check. A post that fails it, because its author logged in again in another window and so got a
new token, is kept too, by csrf_failure(), but only if the browser says a page of this site sent it.

Forms are kept only for the member of staff this browser last showed an admin form to (the signed
EDITOR_COOKIE), so a stranger's post stores nothing and another login does not get them; only for
the pages editors write (never user or authenticator forms, which carry passwords and secrets);
up to MAX_BYTES in all; and each only at the address it was posted to.
"""

from datetime import datetime
from functools import update_wrapper

from django.conf import settings
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.contrib.admin.utils import unquote
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.timezone import now
from django.views import csrf
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

APPS = {"conditions", "procedures"}  # the pages editors write
VIEWS = {"add_view", "change_view"}  # not deletes, actions or reverts: "Save my changes" would mislead
SESSION_KEY = "_unsaved_admin_forms"  # {address: {"user", "fields", "files", "size", "kept_at"}}
MAX_BYTES = 1024 * 1024  # all the forms one session keeps, together
DISCARD = "_discard_unsaved_changes"  # the restore page's "Discard them" button
EDITOR_COOKIE = "admin_editor"
EDITOR_COOKIE_SALT = "radiology_site.resubmit"
EDITOR_COOKIE_MAX_AGE = 24 * 60 * 60  # outlives any session: the form may have been open all day


def model_admin_keeping(view):
    """The ModelAdmin whose add or change form `view` is, if its unsaved changes are kept; else None."""
    model_admin = getattr(view, "__self__", None)
    if isinstance(model_admin, ModelAdmin) and view.__name__ in VIEWS and model_admin.opts.app_label in APPS:
        return model_admin
    return None


def keep_unsaved_changes(model_admin, view):
    """Wrap an add or change view, as AdminSite.admin_view() returns it, to keep and offer unsaved changes."""
    admin_site = model_admin.admin_site

    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and not request.user.is_authenticated:
            return keep_and_log_in(request, admin_site)
        if not admin_site.has_permission(request):
            return view(request, *args, **kwargs)  # the admin's own redirect to its login page
        kept = kept_forms(request).get(request.get_full_path())
        if request.method == "POST" and (kept or DISCARD in request.POST):
            forget(request)  # used, or discarded: offered once only
            if DISCARD in request.POST:
                messages.info(request, "Your unsaved changes were discarded.")
                return HttpResponseRedirect(request.get_full_path())
        elif request.method == "GET" and kept:
            response = offer(request, model_admin, kwargs.get("object_id"), kept)
            if response is not None:
                return remember_editor(request, response)
        return remember_editor(request, view(request, *args, **kwargs))

    return update_wrapper(never_cache(csrf_protect(wrapper)), view)


def keep_and_log_in(request, admin_site):
    """Keep a form posted by someone no longer logged in for its editor, and send them to log in."""
    owner = editor(request)
    if owner is not None and DISCARD not in request.POST:
        kept = keep(request, owner)
        if kept is None:
            messages.warning(
                request,
                "Your session had ended, so your changes were not saved, and they are too large to keep for you "
                f"(more than {filesizeformat(MAX_BYTES)}). Go back in your browser and copy your text somewhere "
                "safe before you log in again.",
            )
        else:
            message = (
                "Your session had ended, so your changes were not saved yet. They are kept: log in again to save them."
            )
            if kept["files"]:
                message += " Files you chose to upload are not kept: you will need to choose them again."
            messages.info(request, message)
    return redirect_to_login(request.get_full_path(), reverse("admin:login", current_app=admin_site.name))


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: keep an admin form whose only fault is a stale CSRF token; else Django's page."""
    model_admin = model_admin_keeping(getattr(getattr(request.resolver_match, "func", None), "__wrapped__", None))
    owner = editor(request)
    user = request.user
    if (
        request.method == "POST"
        and model_admin is not None
        and owner is not None
        and posted_from_this_site(request)
        and DISCARD not in request.POST
    ):
        if not user.is_authenticated:
            return keep_and_log_in(request, model_admin.admin_site)
        if str(user.pk) == owner and keep(request, owner) is not None:
            return HttpResponseRedirect(request.get_full_path())  # to the page offering them
    return csrf.csrf_failure(request, reason)


def posted_from_this_site(request):
    """Whether the browser says a page of this site sent the request (every current browser sends Origin)."""
    return request.META.get("HTTP_ORIGIN") == f"{request.scheme}://{request.get_host()}"


def keep(request, owner):
    """Keep the posted fields at this address for the user `owner` (a pk); None if that would pass MAX_BYTES."""
    path = request.get_full_path()
    fields = posted_fields(request)
    size = sum(len(name.encode()) + len(value.encode()) for name, value in fields)
    others = {other: form for other, form in kept_forms(request, owner).items() if other != path}
    if size + sum(form["size"] for form in others.values()) > MAX_BYTES:
        return None
    kept = {"user": owner, "fields": fields, "files": sorted(request.FILES), "size": size, "kept_at": now().isoformat()}
    store(request, {**others, path: kept})
    return kept


def posted_fields(request):
    """The fields a form posted, as [name, value] pairs in order, without its CSRF token."""
    return [[name, value] for name, values in request.POST.lists() if name != "csrfmiddlewaretoken" for value in values]


def kept_forms(request, owner=None):
    """This session's kept forms by address, for the user `owner` (a pk), by default the one logged in.

    Anyone else's are dropped: only the editor who posted a form is offered it.
    """
    owner = str(request.user.pk) if owner is None else owner
    forms = request.session.get(SESSION_KEY, {})
    theirs = {path: form for path, form in forms.items() if form["user"] == owner}
    if theirs != forms:
        store(request, theirs)
    return theirs


def forget(request):
    """Drop the form kept at this address."""
    forms = kept_forms(request)
    forms.pop(request.get_full_path(), None)
    store(request, forms)


def store(request, forms):
    if forms:
        request.session[SESSION_KEY] = forms
    else:
        request.session.pop(SESSION_KEY, None)


def offer(request, model_admin, object_id, kept):
    """The page offering to save or discard the kept form; None if this user may not use that form."""
    obj = model_admin.get_object(request, unquote(object_id)) if object_id else None
    if object_id and (obj is None or not model_admin.has_change_permission(request, obj)):
        return None
    if not object_id and not model_admin.has_add_permission(request):
        return None
    request.current_app = model_admin.admin_site.name
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Your session had ended",
        "opts": model_admin.opts,
        "original": obj,
        "fields": kept["fields"],
        "files": kept["files"],
        "kept_at": datetime.fromisoformat(kept["kept_at"]),
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
        "discard": DISCARD,
    }
    return TemplateResponse(request, "admin/unsaved_changes.html", context)


def editor(request):
    """The pk (a string) of the member of staff this browser last showed an admin form to, or None."""
    return request.get_signed_cookie(
        EDITOR_COOKIE, default=None, salt=EDITOR_COOKIE_SALT, max_age=EDITOR_COOKIE_MAX_AGE
    )


def remember_editor(request, response):
    response.set_signed_cookie(
        EDITOR_COOKIE,
        str(request.user.pk),
        salt=EDITOR_COOKIE_SALT,
        max_age=EDITOR_COOKIE_MAX_AGE,
        path=reverse("admin:index"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite=settings.SESSION_COOKIE_SAMESITE,
    )
    return response
