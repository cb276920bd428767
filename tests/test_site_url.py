"""SITE_URL, the site's public address, gives links read away from the site (reports, emails) their host."""

import datetime
import io
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import make_condition
from tests.test_settings import ROOT, clean_environment


def site_url(**env):
    """settings.SITE_URL in a fresh process with only these variables set, or the start-up error."""
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        cwd=ROOT,
        env={**clean_environment(), "DJANGO_SETTINGS_MODULE": "radiology_site.settings", **env},
        capture_output=True,
        text=True,
    )
    return result.stdout.strip() if result.returncode == 0 else result.stderr


def test_review_report_links_include_the_site_address(db, settings):
    settings.SITE_URL = "https://patientinfo.example.nhs.uk"
    due = timezone.localdate() - datetime.timedelta(days=1)
    page = make_condition(name="Overdue condition", last_reviewed=due - datetime.timedelta(days=1095))
    page.next_review_due = due
    page.save()
    out = io.StringIO()
    call_command("review_report", stdout=out)
    assert f" https://patientinfo.example.nhs.uk/admin/conditions/condition/{page.pk}/change/\n" in out.getvalue()


def test_the_site_url_comes_from_the_environment():
    assert site_url(DJANGO_DEBUG="1") == "http://127.0.0.1:8000"
    assert (
        site_url(DJANGO_DEBUG="1", SITE_URL="https://patientinfo.example.nhs.uk")
        == "https://patientinfo.example.nhs.uk"
    )
    # A trailing slash would double up in front of a path.
    assert (
        site_url(DJANGO_DEBUG="1", SITE_URL="https://patientinfo.example.nhs.uk/")
        == "https://patientinfo.example.nhs.uk"
    )
    assert site_url(DJANGO_DEBUG="1", SITE_URL="http://localhost:8443") == "http://localhost:8443"


@pytest.mark.parametrize(
    "value",
    [
        "patientinfo.example.nhs.uk",
        "ftp://patientinfo.example.nhs.uk",
        "https://patientinfo.example.nhs.uk/patientinfo",
        "https://patientinfo.example.nhs.uk/?page=1",
        "https://user:secret@patientinfo.example.nhs.uk",
        "https://",
        "https://patientinfo.example.nhs.uk:https",
    ],
)
def test_start_up_fails_on_a_site_url_that_is_not_a_web_address_without_a_path(value):
    error = site_url(DJANGO_DEBUG="1", SITE_URL=value)
    assert "ImproperlyConfigured: SITE_URL must be" in error
