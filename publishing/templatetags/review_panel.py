from django import template
from django.contrib.auth import get_permission_codename

from publishing.models import DUE_SOON_DAYS, pages_due_for_review, publishable_models

register = template.Library()

PANEL_ROWS = 10


@register.inclusion_tag("admin/publishing/review_panel.html", takes_context=True)
def review_panel(context):
    """The admin index's short list of published pages overdue or soon due for review."""
    user = context["request"].user
    models = [
        model
        for model in publishable_models()
        if user.has_perm(f"{model._meta.app_label}.{get_permission_codename('view', model._meta)}")
    ]
    if not models:
        return {"pages": None}
    overdue, due_soon = pages_due_for_review(models)
    pages = overdue + due_soon
    return {"pages": pages[:PANEL_ROWS], "more": max(len(pages) - PANEL_ROWS, 0), "days": DUE_SOON_DAYS}
