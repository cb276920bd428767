from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from conditions.models import Condition
from procedures.models import Procedure, ProcedureCategory
from publishing.addresses import address
from publishing.models import search_words


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
def robots_txt(request):
    """Crawlers may read every public page, listed in the sitemap; the admin and search results are kept out."""
    sitemap = (settings.SITE_URL or f"{request.scheme}://{request.get_host()}") + address("sitemap")
    lines = ["User-agent: *", f"Disallow: {address('admin:index')}", f"Disallow: {address('search')}"]
    return HttpResponse("\n".join([*lines, f"Sitemap: {sitemap}", ""]), content_type="text/plain; charset=utf-8")


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
