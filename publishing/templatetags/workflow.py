from django import template
from django.contrib.auth import get_permission_codename
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from publishing import workflow
from publishing.models import DUE_SOON_DAYS, ApprovedVersion, PendingChanges, pages_due_for_review, publishable_models

register = template.Library()

PANEL_ROWS = 10


def viewable_models(user):
    return [
        model
        for model in publishable_models()
        if user.has_perm(f"{model._meta.app_label}.{get_permission_codename('view', model._meta)}")
    ]


@register.inclusion_tag("admin/publishing/review_panel.html", takes_context=True)
def review_panel(context):
    """The admin index's short list of published pages overdue or soon due for review."""
    models = viewable_models(context["request"].user)
    if not models:
        return {"pages": None}
    overdue, due_soon = pages_due_for_review(models)
    pages = overdue + due_soon
    return {"pages": pages[:PANEL_ROWS], "more": max(len(pages) - PANEL_ROWS, 0), "days": DUE_SOON_DAYS}


@register.inclusion_tag("admin/publishing/waiting_panel.html", takes_context=True)
def waiting_panel(context):
    """The admin index's lists of pages waiting for a clinical review, and of approvals scheduled to go live."""
    models = viewable_models(context["request"].user)
    if not models:
        return {"requests": None}
    labels = [(model._meta.app_label, model._meta.model_name) for model in models]

    def visible(rows):
        return [row for row in rows if (row.content_type.app_label, row.content_type.model) in labels]

    requests = visible(
        PendingChanges.objects.filter(requested_at__isnull=False)
        .select_related("content_type", "requested_by")
        .order_by("requested_at")
    )
    scheduled = visible(
        ApprovedVersion.objects.filter(went_live_at__isnull=True).select_related("content_type").order_by("go_live_at")
    )
    for row in [*requests, *scheduled]:
        name = f"admin:{row.content_type.app_label}_{row.content_type.model}_review"
        row.admin_url = reverse(name, args=[row.object_id])
    return {"requests": requests, "scheduled": scheduled}


@register.inclusion_tag("admin/publishing/workflow_banner.html", takes_context=True)
def workflow_banner(context):
    """On a page's (or its case study's) form: what patients see, what is pending, and what to do next."""
    original = context.get("original")
    page = original if hasattr(original, "approved_versions") else getattr(original, "condition", None)
    if page is None or not page.pk:
        return {}
    user = context["request"].user
    pending = page.pending()
    return {
        "page": page,
        "is_part": page is not original,
        "state": workflow.state(page),
        "pending": pending,
        "has_pending": bool(pending and pending.data),
        "scheduled": page.scheduled_version(),
        "live": page.live_version(),
        "can_approve": workflow.may_approve(user, page),
        "review_url": page.get_admin_url("review"),
        "request_url": page.get_admin_url("request_review"),
        "unschedule_url": page.get_admin_url("unschedule"),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def leaflet_versions_url(page):
    """The admin's list of a page's approved versions and their leaflets."""
    content_type = ContentType.objects.get_for_model(page)
    url = reverse("admin:publishing_approvedversion_changelist")
    return f"{url}?content_type__id__exact={content_type.pk}&object_id={page.pk}"
