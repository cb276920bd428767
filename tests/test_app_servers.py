"""Two app servers sharing PostgreSQL, Redis and the media folder behave as one site."""

import re
import secrets
import tempfile
from urllib.parse import urlsplit

import pytest
import redis

from tests.servers import BIN, ROOT, free_port, gunicorn_server, run, throwaway_postgres
from tests.services import require_redis

pytestmark = pytest.mark.django_db(databases=[])  # everything goes through the servers
PAGE = "/conditions/bone-pain-from-cancer/"
PASSWORD = "a long passphrase for rita"


def shell(site, code):
    """Run Python in the site's Django shell, as its settings have it; returns what it printed."""
    return run(
        [BIN / "python", "manage.py", "shell", "--no-imports", "-c", code], cwd=ROOT, env=site.env
    ).stdout.strip()


def log_in(client, address="198.51.100.7", password=PASSWORD):
    client.get("/admin/login/")
    fields = {"username": "rita", "password": password, "csrfmiddlewaretoken": client.cookies["csrftoken"]}
    return client.post("/admin/login/?next=/admin/", fields, headers={"X-Real-IP": address})


@pytest.fixture
def two_servers():
    base = urlsplit(require_redis())
    redis_url = f"redis://{base.hostname}:{base.port or 6379}/4"  # a database number of this test's own
    redis.Redis.from_url(redis_url).flushdb()
    with throwaway_postgres() as postgres, tempfile.TemporaryDirectory() as media:
        # One secret key, as on every server of a site: sessions and CSRF tokens are signed with it.
        env = {
            "DATABASE_URL": postgres.url,
            "REDIS_URL": redis_url,
            "DJANGO_MEDIA_ROOT": media,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        }
        with gunicorn_server(free_port(), env) as first, gunicorn_server(free_port(), env, migrate=False) as second:
            shell(
                first,
                "from django.contrib.auth.models import Group, User; "
                f"rita = User.objects.create_user('rita', password={PASSWORD!r}, is_staff=True); "
                "rita.groups.add(Group.objects.get(name='Clinical reviewers'))",
            )
            yield first, second, redis_url


def test_a_change_approved_through_one_server_is_on_the_others_next_request(two_servers):
    first, second, _ = two_servers
    visitor = second.client()
    for _ in range(2):  # rendered, then cached in Redis
        assert "New words from the first server." not in visitor.get(PAGE).text
    edit = """
from django.contrib.auth.models import User
from conditions.models import Condition
from publishing import versions
page = Condition.objects.get(slug="bone-pain-from-cancer")
with versions.editing([page], User.objects.get(username="rita")):
    page.summary = "New words from the first server."
    page.save()
print(page.pk)
"""
    page_id = shell(first, edit)
    assert "New words from the first server." not in visitor.get(PAGE).text  # pending, not approved
    reviewer = first.client()
    assert log_in(reviewer).status == 302
    review = f"/admin/conditions/condition/{page_id}/review/"
    assert reviewer.get(review).status == 200
    fields = {
        "approve": "1",
        "last_reviewed": "2026-12-01",
        "reviewed_by": "Consultant interventional radiologist",
        "csrfmiddlewaretoken": reviewer.cookies["csrftoken"],
    }
    assert reviewer.post(review, fields).status == 302
    assert "New words from the first server." in visitor.get(PAGE).text


def test_a_login_works_on_both_and_a_redis_flush_logs_nobody_out_or_forgets_a_lockout(two_servers):
    first, second, redis_url = two_servers
    staff = first.client()
    assert log_in(staff).status == 302
    second_staff = second.client()
    second_staff.cookies = dict(staff.cookies)
    assert second_staff.get("/admin/").status == 200 and staff.get("/admin/").status == 200

    attacker = first.client()
    # AXES_FAILURE_LIMIT (5) failures for one username from one address: the fifth locks both out.
    statuses = [log_in(attacker, address="203.0.113.9", password="wrong guess").status for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert log_in(second.client(), address="203.0.113.9").status == 429

    assert second.client().get(PAGE).status == 200  # a page now cached in Redis
    redis.Redis.from_url(redis_url).flushdb()
    assert second_staff.get("/admin/").status == 200 and staff.get("/admin/").status == 200
    assert log_in(second.client(), address="203.0.113.9").status == 429
    assert re.search(r"Bone pain from cancer", second.client().get(PAGE).text)
