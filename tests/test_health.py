"""/healthz says the app is up without touching the database; /readyz checks the database and the cache."""

import pytest

from tests.servers import free_port


def test_liveness_answers_200_without_touching_the_database(client):
    # No django_db mark: pytest-django fails the test if the request makes a query.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"OK\n"
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


@pytest.mark.django_db
def test_readiness_answers_200_when_the_database_and_the_cache_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.content.decode().splitlines() == ["Database(alias='default'): OK", "Cache(alias='default'): OK"]
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


@pytest.mark.django_db
def test_readiness_answers_503_naming_the_cache_when_redis_is_unreachable(client, settings):
    nothing_listens = f"redis://127.0.0.1:{free_port()}/2"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": nothing_listens,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    database, cache = response.content.decode().splitlines()
    assert database == "Database(alias='default'): OK"
    assert cache.startswith("Cache(alias='default'): ") and not cache.endswith(": OK")


@pytest.mark.django_db
def test_readiness_answers_json_when_asked(client):
    response = client.get("/readyz", HTTP_ACCEPT="application/json")
    assert response.json() == {"Database(alias='default')": "OK", "Cache(alias='default')": "OK"}


@pytest.mark.django_db
def test_health_checks_are_not_redirected_to_https(client, settings):
    # Load balancers and systemd ask gunicorn directly, over plain HTTP.
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/").status_code == 301
