"""The database goes down or hangs: pages answer 503 at once, an editor's text is kept, the site recovers by itself.

Most of these run the site under gunicorn on a throwaway PostgreSQL cluster of their own (tests/servers.py),
which they stop, restart and freeze; never the shared one.
"""

import html
import re
import time

import dj_database_url
import psycopg2
import pytest
from django.db import OperationalError, connection
from django.db.utils import ConnectionHandler
from django.test import RequestFactory
from psycopg2 import extensions

from radiology_site import database
from radiology_site.outage import server_error
from tests.html import Outline
from tests.servers import free_port, gunicorn_server, throwaway_postgres

PAGE = "/search/?q=cement"  # a public page the page cache never keeps: each request asks the database
CACHED_PAGE = "/conditions/bone-pain-from-cancer/"
ADD_CONDITION = "/admin/conditions/condition/add/"
USERNAME, PASSWORD = "outage-editor", "a long enough password 1"
TYPED = "Typed while the database was down.\r\nA second line, with <b>brackets</b>, & and “quotes”."


@pytest.fixture(scope="module")
def postgres():
    with throwaway_postgres() as postgres:
        yield postgres


@pytest.fixture(scope="module")
def site(postgres):
    # Cached pages go out of date within a second, so that the outage reaches the views behind them.
    with gunicorn_server(free_port(), {"DATABASE_URL": postgres.url, "DJANGO_PAGE_CACHE_SECONDS": "1"}) as site:
        site.create_superuser(USERNAME, PASSWORD)
        yield site


@pytest.fixture
def stopped(postgres):
    """The database stopped for the test and started again after it."""
    postgres.stop()
    yield
    if not postgres.running:
        postgres.start()


@pytest.fixture
def staff(site):
    """A client logged in to the admin, as an editor's browser."""
    client = site.client()
    login = client.get("/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    fields = {"username": USERNAME, "password": PASSWORD, "next": "/admin/", "csrfmiddlewaretoken": token}
    assert client.post("/admin/login/?next=/admin/", fields).status == 302
    return client


def condition_form(**overrides):
    """The admin's add-condition form, as a browser posts it."""
    return {
        "name": "Bone pain during an outage",
        "slug": "bone-pain-during-an-outage",
        "summary": TYPED,
        "what_it_is": "<p>Cancer has spread to bone.</p>",
        "status": "draft",
        "condition_procedures-TOTAL_FORMS": "0",
        "condition_procedures-INITIAL_FORMS": "0",
        **overrides,
    }


def hidden_fields(page):
    return [(tag["name"], tag["value"]) for tag in Outline(page).find_all("input", type="hidden")]


def shown_text(page):
    """The text of the page's read-only boxes, as an editor would copy it."""
    return [html.unescape(text) for text in re.findall(r"<textarea[^>]*readonly>\n(.*?)</textarea>", page, re.S)]


def stylesheet(page):
    return re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page).group(1)


def query(postgres, sql, *params):
    with psycopg2.connect(postgres.url) as conn, conn.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    conn.close()
    return rows


def test_public_page_answers_503_with_retry_after_when_the_database_is_stopped(site, stopped):
    client = site.client()
    reply = client.get(PAGE)
    assert reply.status == 503
    assert reply.headers["Retry-After"] == "30"
    assert "no-store" in reply.headers["Cache-Control"]
    assert reply.headers.get_all("Set-Cookie") is None
    # The site's own look, from base.html, though nothing could be read from the database.
    assert "<h1>Sorry, this page is temporarily unavailable</h1>" in reply.text
    assert 'class="site-header"' in reply.text and 'class="site-footer"' in reply.text
    assert client.get(stylesheet(reply.text)).status == 200


def test_a_cached_public_page_is_still_served_when_the_database_is_stopped(site, postgres):
    client = site.client()
    cached = client.get(CACHED_PAGE)
    assert cached.status == 200
    time.sleep(1.5)  # out of date: the page cache asks the view, which finds the database gone
    postgres.stop()
    try:
        reply = client.get(CACHED_PAGE)
    finally:
        postgres.start()
    assert reply.status == 200
    assert reply.text == cached.text
    assert "possibly stale: the database is unavailable" in site.log()


def test_admin_answers_a_clear_503_when_the_database_is_stopped(site, staff, stopped):
    reply = staff.get("/admin/")
    assert reply.status == 503
    assert reply.headers["Retry-After"] == "30"
    assert "<h1>The staff admin is temporarily unavailable</h1>" in reply.text
    assert "Everything saved before is safe." in reply.text


def test_an_editors_save_during_the_outage_keeps_the_text_and_saves_it_once_the_database_is_back(
    site, postgres, staff, stopped
):
    sent = condition_form(_save="Save")
    reply = staff.post(ADD_CONDITION, sent, headers={"Origin": site.origin})
    assert reply.status == 503
    assert "<h2>Your changes were not saved</h2>" in reply.text
    shown = [text.replace("\r\n", "\n") for text in shown_text(reply.text)]
    assert TYPED.replace("\r\n", "\n") in shown
    assert "Save" not in shown  # the button pressed is posted again, not shown as if typed
    again = hidden_fields(reply.text)
    token = dict(again).pop("csrfmiddlewaretoken")
    assert [(name, value) for name, value in again if name != "csrfmiddlewaretoken"] == list(sent.items())
    assert 'action="/admin/conditions/condition/add/"' in reply.text and ">Try saving again</button>" in reply.text

    postgres.start()
    assert token
    saved = staff.post(ADD_CONDITION, again, headers={"Origin": site.origin})
    assert saved.status == 302, saved.text
    assert query(postgres, "SELECT summary FROM conditions_condition WHERE slug = %s", sent["slug"]) == [(TYPED,)]


def test_a_form_another_site_posted_during_the_outage_is_not_offered_again(site, staff, stopped):
    # The "Try saving again" form carries a fresh CSRF token, so it must never carry fields another site chose.
    reply = staff.post(ADD_CONDITION, condition_form(), headers={"Origin": "https://attacker.example"})
    assert reply.status == 503
    assert "What you sent was not saved." in reply.text
    assert "csrfmiddlewaretoken" not in reply.text and "brackets" not in reply.text


def test_a_user_form_posted_during_the_outage_is_never_shown_back(site, staff, stopped):
    fields = {"username": "newcomer", "password1": "secret passphrase 1", "password2": "secret passphrase 1"}
    reply = staff.post("/admin/auth/user/add/", fields, headers={"Origin": site.origin})
    assert reply.status == 503
    assert "What you sent was not saved." in reply.text
    assert "secret passphrase" not in reply.text


def test_health_answers_while_the_database_is_stopped_and_readiness_names_it(site, postgres, stopped):
    client = site.client()
    assert client.get("/healthz").status == 200
    ready = client.get("/readyz")
    assert ready.status == 503
    assert "Database(alias='default'): Unavailable" in ready.text
    assert "Cache(alias='default'): OK" in ready.text
    postgres.start()
    assert client.get("/readyz").status == 200


def test_the_site_recovers_by_itself_when_the_database_restarts(site, postgres):
    client = site.client()
    workers = len(site.workers())
    for _ in range(50):  # until every worker holds its persistent connection (CONN_MAX_AGE)
        assert client.get(PAGE).status == 200
        if len(app_connections(postgres)) == workers:
            break
    before = app_connections(postgres)
    assert len(before) == workers

    postgres.stop()  # ends every connection, as a restart or a crash does
    postgres.start()
    # No request fails: each worker finds its connection broken (CONN_HEALTH_CHECKS) and opens a new one.
    assert [client.get(PAGE).status for _ in range(6)] == [200] * 6
    assert set(app_connections(postgres)).isdisjoint(before)


def app_connections(postgres):
    """The backend pids of the site's connections (the test's own excepted)."""
    sql = "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
    return [pid for (pid,) in query(postgres, sql)]


def test_a_frozen_database_gets_503_within_seconds_and_no_worker_is_killed(site, postgres):
    client = site.client()
    css = stylesheet(client.get(PAGE).text)
    workers = site.workers()
    postgres.freeze()
    try:
        pages = [client.get(PAGE, timeout=25) for _ in range(2)]
        ready = client.get("/readyz", timeout=25)
        static = client.get(css, timeout=25)
    finally:
        postgres.thaw()
    # Without deadlines each would wait for gunicorn to kill its worker, 30 s on.
    assert [(reply.status, reply.seconds < 10) for reply in pages] == [(503, True)] * 2
    assert "Sorry, this page is temporarily unavailable" in pages[0].text
    assert (ready.status, ready.seconds < 10) == (503, True)
    assert "Database(alias='default'): Unavailable" in ready.text
    assert static.status == 200
    assert client.get(PAGE).status == 200
    assert site.workers() == workers
    assert "WORKER TIMEOUT" not in site.log()


@pytest.fixture
def cluster_connection(postgres, django_db_blocker):
    """A Django connection of its own to the throwaway cluster, with the site's deadlines but short."""
    previous = extensions.get_wait_callback()
    database.install(connect_timeout=2, query_timeout=1)
    settings = dj_database_url.parse(postgres.url, conn_health_checks=True)
    settings["OPTIONS"] = {"connect_timeout": 2, "options": "-c statement_timeout=1s"}
    conn = ConnectionHandler({"default": settings})["default"]
    with django_db_blocker.unblock():
        yield conn
        conn.close()
    extensions.set_wait_callback(previous)


def test_a_query_the_frozen_database_never_answers_is_given_up_and_its_connection_replaced(
    postgres, cluster_connection
):
    with cluster_connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    postgres.freeze()
    try:
        with pytest.raises(OperationalError, match="did not answer within 2 seconds"):
            with cluster_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        # psycopg2 closes a connection whose wait callback failed: Django finds it unusable and drops it.
        assert cluster_connection.connection.closed
        cluster_connection.close_if_unusable_or_obsolete()  # as at the end of every request
        assert cluster_connection.connection is None
    finally:
        postgres.thaw()
    with cluster_connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_slow_query_is_cancelled_by_the_server_and_its_connection_kept(cluster_connection):
    with pytest.raises(OperationalError, match="statement timeout"):
        with cluster_connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")
    assert cluster_connection.is_usable()


def test_the_deadlines_are_installed_on_postgresql_only():
    assert (extensions.get_wait_callback() is not None) == (connection.vendor == "postgresql")


def test_the_unavailable_page_needs_no_database():
    # No django_db mark: pytest-django fails the test if rendering the page makes a query.
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(RequestFactory().get(PAGE))
    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert response.database_unavailable is True
    assert 'class="site-header"' in response.content.decode()


def test_any_other_error_still_gets_the_server_error_page():
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(RequestFactory().get(PAGE))
    assert response.status_code == 500
    assert not hasattr(response, "database_unavailable")
    assert "<h1>Sorry, something went wrong</h1>" in response.content.decode()
