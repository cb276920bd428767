"""Emails about pages waiting for review, sent with Django's email settings (see README, "Email")."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail

from .models import CLINICAL_REVIEWERS

logger = logging.getLogger(__name__)


def reviewers():
    """Active members of Clinical reviewers with an email address."""
    return get_user_model().objects.filter(groups__name=CLINICAL_REVIEWERS, is_active=True).exclude(email="").distinct()


def review_requested(page, requester):
    """Tell every clinical reviewer that a page waits for them; a mail server that fails loses no work."""
    who = requester.get_full_name() or requester.get_username() if requester else "Someone"
    subject = f"Waiting for your review: {page}"
    address = settings.SITE_URL + page.get_admin_url("review")
    body = (
        f"{who} has asked for a clinical review of the {page.kind} “{page}”.\n\n"
        f"Review the changes and approve them or send them back:\n{address}\n\n"
        "Patients keep seeing the approved version until the changes are approved.\n"
    )
    messages = [(subject, body, None, [user.email]) for user in reviewers()]
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:
        # The request is recorded and shown on the admin home either way.
        logger.exception("Could not email the clinical reviewers about %s", page)
