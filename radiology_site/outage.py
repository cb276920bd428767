"""While the database is unavailable: a 503 page that needs none, and an admin form's text kept to post again."""

import sys

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import loader
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import strip_tags
from django.utils.text import capfirst
from django.views import defaults

from . import database, resubmit


def server_error(request):
    """handler500: a 503 page needing no database when it is unavailable; Django's 500 page for anything else."""
    # Django calls handler500 inside its `except` block, so the error is at hand.
    if not database.unavailable(sys.exc_info()[1]):
        return defaults.server_error(request)
    in_admin = request.path_info.startswith(reverse("admin:index"))
    context = {"site_name": settings.SITE_NAME, "emergency_number": settings.EMERGENCY_NUMBER, "in_admin": in_admin}
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
