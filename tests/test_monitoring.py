"""Errors reach someone (ADMINS emails, Sentry) and logs can be JSON; every variable is documented."""

import ast
import gzip
import json
import re
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.test import Client

from conditions.models import Condition
from tests.test_settings import clean_environment, run_check

ROOT = Path(__file__).resolve().parent.parent
SESSION_SECRET = "session-value-that-must-not-leave-the-site"
# The functions settings.py reads variables with; their first argument is the variable's name.
READERS = {"get", "getenv", "env_bool", "env_int", "env_list", "env_site_url"}
TESTS_ONLY = {"REQUIRE_BROWSER_TESTS", "REQUIRE_SERVICE_TESTS", "TEST_REDIS_URL", "CHROMIUM_PATH"}


def failing_home(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the home page broke")

    monkeypatch.setattr(type(Condition.objects), "listed", broken)


@pytest.mark.django_db
def test_a_server_error_is_emailed_to_the_admins_without_cookies(settings, mailoutbox, monkeypatch):
    settings.ADMINS = [("Web team", "webteam@example.org")]
    failing_home(monkeypatch)
    client = Client(raise_request_exception=False)
    client.cookies["csrftoken"] = SESSION_SECRET
    response = client.get("/", headers={"x-forwarded-proto": "https"})
    assert response.status_code == 500
    (message,) = mailoutbox
    assert message.to == ["webteam@example.org"]
    assert "Internal Server Error: /" in message.subject
    assert "RuntimeError" in message.body and "the home page broke" in message.body
    assert SESSION_SECRET not in message.body


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "Web team <webteam@example.org>, oncall@example.org",
            [("Web team", "webteam@example.org"), ("oncall@example.org", "oncall@example.org")],
        ),
        ("", []),
    ],
)
def test_admins_come_from_one_variable(value, expected):
    from radiology_site.monitoring import admins

    assert admins("DJANGO_ADMINS", value) == expected


@pytest.mark.parametrize(
    "value", ["webteam", "a@example.org, <broken", "x@example.org\nBcc: evil@example.org", "Web team"]
)
def test_start_up_fails_on_bad_admins(value):
    result = run_check(DJANGO_DEBUG="1", DJANGO_ADMINS=value)
    assert result.returncode != 0 and "DJANGO_ADMINS must be email addresses" in result.stderr


def test_start_up_fails_on_an_unknown_log_format():
    result = run_check(DJANGO_DEBUG="1", DJANGO_LOG_FORMAT="xml")
    assert result.returncode != 0 and "DJANGO_LOG_FORMAT must be one of text, json" in result.stderr


def test_logs_can_be_json_lines_for_a_log_collector():
    code = "import logging; logging.getLogger('publishing.page_cache').warning('Cache down: %s', 'refused')"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**clean_environment(), "DJANGO_DEBUG": "1", "DJANGO_LOG_FORMAT": "json"},
        capture_output=True,
        text=True,
        check=True,
    )
    (line,) = [line for line in result.stderr.splitlines() if "Cache down" in line]
    record = json.loads(line)
    assert record["message"] == "Cache down: refused"
    assert record["level"] == "WARNING" and record["logger"] == "publishing.page_cache" and record["time"]


class Collector(BaseHTTPRequestHandler):
    """Sentry's ingestion endpoint, as far as the SDK can tell: it keeps every envelope posted."""

    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            # The SDK compresses with Brotli whenever the brotli module is installed, as WeasyPrint's
            # fonttools[woff] installs it.
            import brotli

            body = brotli.decompress(body)
        elif encoding:
            raise AssertionError(f"Unexpected Content-Encoding {encoding!r}")
        self.received.append((self.path, body.decode()))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


SENTRY_SCRIPT = """
import django, sentry_sdk
django.setup()
from django.test import Client
from conditions.models import Condition
def broken(*args, **kwargs):
    raise RuntimeError("the home page broke")
type(Condition.objects).listed = broken
client = Client(raise_request_exception=False)
client.cookies["csrftoken"] = %r
print(client.get("/", headers={"x-forwarded-proto": "https"}).status_code)
sentry_sdk.flush(timeout=10)
"""


def test_an_unhandled_error_reaches_sentry_without_personal_data(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Collector.received = []
    try:
        env = {
            **clean_environment(),
            "DJANGO_DEBUG": "1",
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "SENTRY_DSN": f"http://publickey@127.0.0.1:{server.server_port}/42",
            "SENTRY_ENVIRONMENT": "staging",
            "DJANGO_SETTINGS_MODULE": "radiology_site.settings",
        }
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        result = subprocess.run(
            [sys.executable, "-c", SENTRY_SCRIPT % SESSION_SECRET], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert result.stdout.strip() == "500", result.stderr
    finally:
        server.shutdown()
    events = [body for path, body in Collector.received if path == "/api/42/envelope/" and '"type":"event"' in body]
    assert events, Collector.received
    event = events[0]
    assert "RuntimeError" in event and "the home page broke" in event and '"environment":"staging"' in event
    assert SESSION_SECRET not in event and '"ip_address"' not in event and '"cookies"' not in event


def variables_read_by_the_site():
    names = set()
    for path in [*ROOT.glob("radiology_site/*.py"), *ROOT.glob("publishing/**/*.py"), *ROOT.glob("conditions/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name == "get" and getattr(node.func.value, "attr", None) != "environ":
                continue  # request.META.get() and the like
            first = node.args[0]
            if name in READERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                if re.fullmatch(r"[A-Z][A-Z0-9_]+", first.value) and first.value != "DJANGO_SETTINGS_MODULE":
                    names.add(first.value)
    return names


def test_every_variable_is_in_the_readme_and_the_example_environment():
    names = variables_read_by_the_site()
    assert {"DATABASE_URL", "SENTRY_DSN", "DJANGO_ADMINS", "IMAGE_UPLOAD_MAX_MB"} <= names
    readme = (ROOT / "README.md").read_text()
    configuration = readme[readme.index("## Configuration") : readme.index("## Deploying to production")]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", configuration))
    assert names - documented == set()
    example = (ROOT / "deploy/environment.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert names - listed == set()
    assert listed - names - TESTS_ONLY == set()  # nothing the site does not read
