"""Production mode: Django's deploy checks, the error pages, and media left to the web server."""

import subprocess
import sys

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from tests.conftest import make_case, make_condition
from tests.test_security import PRODUCTION
from tests.test_settings import ROOT, clean_environment


def test_the_deploy_check_passes_with_production_settings():
    result = run_check_deploy(**PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def run_check_deploy(**env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean_environment(), **env},
        capture_output=True,
        text=True,
    )


def test_the_deploy_check_fails_when_https_is_switched_off():
    result = run_check_deploy(**PRODUCTION, DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout


def test_the_deploy_check_fails_without_the_site_address():
    result = run_check_deploy(**{**PRODUCTION, "SITE_URL": ""})
    assert result.returncode != 0
    assert "radiology_site.E001" in result.stderr and "SITE_URL" in result.stderr


def test_the_deploy_check_warns_of_a_plain_http_site_address():
    result = run_check_deploy(**{**PRODUCTION, "SITE_URL": "http://patientinfo.example.org"})
    assert result.returncode != 0
    assert "radiology_site.W001" in result.stderr


def test_the_server_error_page_needs_no_database():
    # No django_db mark here: pytest-django makes any query fail this test.
    response = server_error(RequestFactory().get("/conditions/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "<h1>Sorry, something went wrong</h1>" in page
    assert "css/site.css" in page


@pytest.mark.django_db
def test_the_not_found_page_is_in_the_site_style(client):
    response = client.get("/conditions/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page and "css/site.css" in page and 'class="site-header"' in page


@pytest.mark.django_db
def test_uploaded_media_is_never_served_by_the_app(client):
    image = make_case(make_condition(), images=1).images.get()
    assert client.get(image.image.url).status_code == 404
    assert client.get(image.src).status_code == 404
