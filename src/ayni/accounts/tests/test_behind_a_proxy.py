"""Sign-in lock-outs behind a reverse proxy: every request reaches Ayni from the proxy's
address, so the lock-out must take the client's address from X-Forwarded-For, as many
places from the right as there are proxies (``AYNI_PROXY_COUNT``), and ignore it without
a proxy."""

import pytest
from django.test import Client
from django.urls import reverse

from ayni.core.tests.world import PASSWORD

pytestmark = pytest.mark.django_db
PROXY = "127.0.0.1"  # what REMOTE_ADDR is for every request that came through the proxy


def sign_in(password: str, forwarded_for: str) -> int:
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
    response = client.post(reverse("accounts:login"), {"username": "pablo", "password": password})
    return response.status_code


def test_an_attacker_behind_the_proxy_locks_out_only_their_own_address(settings) -> None:
    settings.AYNI_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in("wrong", "203.0.113.5")
    assert sign_in(PASSWORD, "203.0.113.5") == 429
    # pablo himself, from his own address through the same proxy, still signs in.
    assert sign_in(PASSWORD, "198.51.100.7") == 302


def test_addresses_the_client_wrote_before_the_proxys_are_not_trusted(settings) -> None:
    settings.AYNI_PROXY_COUNT = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The attacker varies a forged first entry; the proxy appends the address it saw.
        sign_in("wrong", f"192.0.2.{n}, 203.0.113.5")
    assert sign_in(PASSWORD, "192.0.2.99, 203.0.113.5") == 429


def test_without_a_proxy_the_header_is_ignored(settings) -> None:
    settings.AYNI_PROXY_COUNT = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in("wrong", f"192.0.2.{n}")  # a client cannot escape its lock-out with it
    assert sign_in(PASSWORD, "192.0.2.99") == 429
