import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import strip_tags
from django.utils.text import capfirst
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from health_check import checks
from health_check.views import HealthCheckView

from conditions.models import Condition
from procedures.models import Procedure, ProcedureCategory
from publishing.models import search_words

from . import database, resubmit


@require_safe
def home(request):
    return render(
        request,
        "home.html",
        {
            "conditions": Condition.objects.listed(),
            "categories": ProcedureCategory.objects.with_published_procedures(),
        },
    )


@require_safe
def search(request):
    query = request.GET.get("q", "")
    conditions = list(Condition.objects.search(query).only(*Condition.LISTED_FIELDS))
    procedures = list(Procedure.objects.search(query).only(*Procedure.LISTED_FIELDS))
    return render(
        request,
        "search.html",
        {
            "query": query,
            "searched": bool(search_words(query)),
            "conditions": conditions,
            "procedures": procedures,
            "result_count": len(conditions) + len(procedures),
        },
    )


@require_safe
def logged_out(request):
    """The admin's logged-out page, where a logout always ends (LOGOUT_REDIRECT_URL)."""
    context = {**admin.site.each_context(request), "title": "Logged out", "has_permission": False}
    return render(request, "registration/logged_out.html", context)


def refuse_editor_upload(request):
    """The editor's own upload endpoint: images enter only as case images, with alt text and consent."""
    message = "Images cannot be uploaded in the text editor. Add them to a case study instead."
    # The shape CKEditor's upload adapter shows to the editor.
    return JsonResponse({"error": {"message": message}}, status=403)


def locked_out(request, original_response=None, credentials=None):
    """What django-axes shows after too many failed logins: the same for every username."""
    minutes = AxesProxyHandler.get_implementation().lockout_time(request, credentials) // timedelta(minutes=1)
    return render(request, "locked_out.html", {"minutes": minutes}, status=429)


@never_cache
@require_safe
def healthz(request):
    """Liveness, for systemd and load balancers: the app is up and answering. It touches no database or cache."""
    return HttpResponse("OK\n", content_type="text/plain; charset=utf-8")


class Database(checks.Database):
    # The library waits a second longer than a check's timeout: /readyz answers within 2 s of a hung database.
    timeout = timedelta(seconds=0.8)


class Readiness(HealthCheckView):
    """Readiness, for load balancers: 200 when the database and the cache answer, else 503 naming which did not."""

    # The cache check's timeout is also its probe key's lifetime, which Redis rounds down to whole seconds. Redis's
    # own socket timeouts (settings.CACHES) answer well within the 2 s the library waits.
    checks = (Database, (checks.Cache, {"timeout": timedelta(seconds=1)}))

    async def get(self, request, *args, **kwargs):
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 503  # not ready, rather than broken: what load balancers expect
        return response

    def render_to_response(self, context, **response_kwargs):
        # The library's HTML page has an inline stylesheet, which the Content-Security-Policy refuses.
        return self.render_to_response_text(response_kwargs.get("status", 200))

    @contextmanager
    def get_executor(self):
        # Threads of its own, not waited for: a database check past its deadline must not hold up the answer.
        executor = ThreadPoolExecutor(max_workers=1)
        try:
            yield executor
        finally:
            executor.shutdown(wait=False)


def server_error(request):
    """handler500: a 503 page needing no database when it is unavailable; Django's 500 page for anything else."""
    # Django calls handler500 inside its `except` block, so the error is at hand.
    if not database.unavailable(sys.exc_info()[1]):
        return defaults.server_error(request)
    in_admin = request.path_info.startswith(reverse("admin:index"))
    context = {"site_name": settings.SITE_NAME, "in_admin": in_admin}
    if in_admin and request.method == "POST":
        context.update(unsaved_form(request))
    # A plain context, not the request's: its context processors and session would ask the database for the user.
    response = HttpResponse(loader.render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER)
    add_never_cache_headers(response)
    response.database_unavailable = True  # publishing/page_cache.py serves its cached copy of the page instead
    return response


# An inline's bookkeeping, which the form posts but nobody typed (nor the admin's buttons, "_save" and the like).
FORMSET_MANAGEMENT = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")


def unsaved_form(request):
    """What the 503 page shows of an admin form the outage kept from being saved, to copy or post again."""
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return {"unsaved": True}
    model_admin = resubmit.model_admin_keeping(getattr(view, "__wrapped__", None))
    # Only the same forms that resubmit.py keeps, and only when a page of this site sent it: the page hands out a
    # fresh CSRF token, which must never be attached to fields another site chose.
    if model_admin is None or not resubmit.posted_from_this_site(request):
        return {"unsaved": True}
    fields = resubmit.posted_fields(request)
    return {
        "unsaved": True,
        "fields": fields,
        "shown": [
            (field_label(model_admin.opts, name), value)
            for name, value in fields
            if typed(value)
            and not name.startswith("_")
            and not name.endswith(FORMSET_MANAGEMENT)
            and "__prefix__" not in name  # an inline's blank template row, posted by every admin form
        ],
        "files": sorted(request.FILES),
        "action": request.get_full_path(),
        "csrf_token": get_token(request),  # from the CSRF cookie: no session needed
    }


def typed(value):
    """Whether a posted value holds any text: an empty rich-text field posts `<p>&nbsp;</p>`."""
    return bool(strip_tags(value).replace("&nbsp;", "").strip())


def field_label(opts, name):
    try:
        field = opts.get_field(name)
    except FieldDoesNotExist:
        return name  # an inline's or the form's own field, e.g. "condition_procedures-0-procedure"
    return capfirst(getattr(field, "verbose_name", name))
