"""The API limits calls per user and per anonymous client address, reading the address the
same way as the lock-out and the security log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from ayni.core.network import client_ip

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits(settings: Any) -> Iterator[None]:
    settings.AYNI_API_RATE_USER = "5/minute"
    settings.AYNI_API_RATE_ANON = "3/minute"
    cache.clear()
    yield
    cache.clear()


def test_a_user_past_the_limit_gets_429_with_retry_after(api_for: Any, caplog: Any) -> None:
    client = api_for("ana")
    answers = [client.get("/api/programmes/").status_code for _ in range(6)]

    assert answers == [200] * 5 + [429]
    refused = client.get("/api/programmes/")
    assert refused.json()["error"]["status"] == 429
    assert int(refused["Retry-After"]) > 0
    assert any(
        "refused" in r.getMessage() and "status=429" in r.getMessage() for r in caplog.records
    )


def test_each_user_has_their_own_allowance(api_for: Any) -> None:
    for _ in range(5):
        api_for("ana").get("/api/programmes/")
    assert api_for("pablo").get("/api/programmes/").status_code == 200


def test_anonymous_calls_are_counted_by_address(api_for: Any) -> None:
    client = api_for(None)
    answers = [client.get("/api/zones/", REMOTE_ADDR="10.0.0.7").status_code for _ in range(4)]
    assert answers[-1] == 429
    assert client.get("/api/zones/", REMOTE_ADDR="10.0.0.8").status_code != 429


def test_a_forged_forwarded_for_does_not_escape_the_limit(api_for: Any, settings: Any) -> None:
    settings.AYNI_PROXY_COUNT = 1  # one proxy: it appends the address it saw
    client = api_for(None)
    answers = [
        client.get(
            "/api/zones/",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 10.0.0.7",  # client-written part, then proxy's
            REMOTE_ADDR="127.0.0.1",
        ).status_code
        for n in range(4)
    ]
    assert answers[-1] == 429


def test_the_client_address_behind_proxies(settings: Any) -> None:
    get = RequestFactory().get
    settings.AYNI_PROXY_COUNT = 0
    assert client_ip(get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"
    settings.AYNI_PROXY_COUNT = 1
    request = get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "1.2.3.4"
    settings.AYNI_PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"
    settings.AYNI_PROXY_COUNT = 1
    assert client_ip(get("/", HTTP_X_FORWARDED_FOR="not-an-ip", REMOTE_ADDR="10.0.0.1")) == (
        "10.0.0.1"
    )
