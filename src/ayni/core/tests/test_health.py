"""``/healthz``: 200 when the database and the cache answer, 503 naming the one that does
not, nothing else said, and reachable over plain HTTP when HTTPS is enforced."""

from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client

pytestmark = pytest.mark.django_db


def test_ready_when_database_and_cache_answer(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-store" in response["Cache-Control"]
    assert "Set-Cookie" not in response


def test_unavailable_when_the_cache_does_not_answer(client: Client, settings: Any) -> None:
    # A Redis cache on a port where nothing listens (the connection is refused at once).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "cache": "failed"},
    }
    assert b"127.0.0.1" not in response.content and b"Error" not in response.content


def test_unavailable_when_the_database_does_not_answer(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("connection refused by db.internal:5432")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "failed", "cache": "ok"}
    assert b"db.internal" not in response.content


def test_answers_over_plain_http_when_https_is_enforced(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get("/healthz").status_code == 200
    # Every other address is still sent to HTTPS.
    home = client.get("/")
    assert home.status_code == 301 and home["Location"].startswith("https://")
    assert client.get("/healthzx").status_code == 301
