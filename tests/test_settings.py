"""Settings come from the environment, and nonsense stops the site at start-up with a clear message."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from radiology_site.settings import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parent.parent


def clean_environment():
    """This process's environment without any of the site's settings."""
    return {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}


def run_check(**env):
    """Run `manage.py check` in a clean process with only the given variables set."""
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean_environment(), **env},
        capture_output=True,
        text=True,
    )


def test_env_bool_reads_yes_and_no(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG") is True
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG") is False
    monkeypatch.delenv("FLAG")
    assert env_bool("FLAG", default=True) is True


@pytest.mark.parametrize("value", ["maybe", "2", "enabled"])
def test_env_bool_refuses_nonsense_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("DJANGO_DEBUG", value)
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG"):
        env_bool("DJANGO_DEBUG")


def test_env_list_ignores_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example, ,b.example ,")
    assert env_list("HOSTS") == ["a.example", "b.example"]


@pytest.mark.parametrize("value", ["soon", "-3", "0"])
def test_env_int_refuses_nonsense_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("SOME_NUMBER", value)
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        env_int("SOME_NUMBER", 1)


def test_start_up_fails_without_a_secret_key_when_debug_is_off():
    result = run_check()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_start_up_fails_on_a_bad_debug_value():
    result = run_check(DJANGO_DEBUG="perhaps", DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


def test_start_up_fails_on_a_bad_database_url():
    result = run_check(DJANGO_SECRET_KEY="x" * 50, DATABASE_URL="oracle-ish://nowhere")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_debug_mode_starts_without_a_secret_key():
    result = run_check(DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_postgresql_is_configured_from_database_url():
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "radiology_site.settings",
            "DJANGO_SECRET_KEY": "x" * 50,
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        },
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "django.db.backends.postgresql", result.stderr


def test_start_up_fails_on_a_bad_review_interval():
    result = run_check(DJANGO_SECRET_KEY="x" * 50, REVIEW_INTERVAL_DAYS="three years")
    assert result.returncode != 0
    assert "REVIEW_INTERVAL_DAYS" in result.stderr


def test_the_review_interval_is_three_years_unless_configured(settings):
    assert settings.REVIEW_INTERVAL_DAYS == 3 * 365


def setting(expression, **env):
    """`settings.<expression>` as settings.py makes it in a clean process with a secret key and the given variables."""
    code = f"from django.conf import settings; print(repr(settings.{expression}))"
    env = {**clean_environment(), "DJANGO_SECRET_KEY": "x" * 50, **env}
    env["DJANGO_SETTINGS_MODULE"] = "radiology_site.settings"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout)


def database_options(**env):
    """The database's OPTIONS as settings.py makes them from the given variables."""
    return setting("DATABASES['default'].get('OPTIONS', {})", **env)


def test_debug_is_off_unless_asked_for():
    # In a process of its own: pytest-django turns DEBUG off in this one whatever settings.py says.
    assert setting("DEBUG") is False
    assert setting("DEBUG", DJANGO_DEBUG="1") is True


def test_postgresql_waits_two_seconds_to_connect_and_three_for_a_query_unless_configured():
    options = database_options(DATABASE_URL="postgres://app@db.example/patientinfo?sslmode=require")
    assert options == {"sslmode": "require", "connect_timeout": 2, "options": "-c statement_timeout=3s"}
    options = database_options(
        DATABASE_URL="postgres://app@db.example/patientinfo",
        DJANGO_DB_CONNECT_TIMEOUT_SECONDS="5",
        DJANGO_DB_QUERY_TIMEOUT_SECONDS="0",  # no limit, e.g. for a long migration
    )
    assert options == {"connect_timeout": 5}


def test_sqlite_gets_no_database_timeouts():
    assert database_options(DATABASE_URL="sqlite:///db.sqlite3") == {}


def test_start_up_fails_on_a_bad_database_timeout():
    result = run_check(DJANGO_SECRET_KEY="x" * 50, DJANGO_DB_QUERY_TIMEOUT_SECONDS="soon")
    assert result.returncode != 0
    assert "DJANGO_DB_QUERY_TIMEOUT_SECONDS" in result.stderr


def test_the_emergency_number_is_999_unless_the_department_sets_another():
    assert setting("EMERGENCY_NUMBER") == "999"
    assert setting("EMERGENCY_NUMBER", DJANGO_EMERGENCY_NUMBER=" 995 ") == "995"


@pytest.mark.parametrize("value", ["nine nine nine", "+65 995", "9", "999; call us", "<b>999</b>"])
def test_start_up_fails_on_an_emergency_number_that_is_not_digits(value):
    result = run_check(DJANGO_SECRET_KEY="x" * 50, DJANGO_EMERGENCY_NUMBER=value)
    assert result.returncode != 0
    assert "DJANGO_EMERGENCY_NUMBER" in result.stderr
