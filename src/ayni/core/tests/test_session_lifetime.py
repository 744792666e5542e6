"""A signed-in session ends when idle too long and at the latest some hours after signing in."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ayni.core import sessions

pytestmark = pytest.mark.django_db


def signed_in(name: str, actor: Any) -> Client:
    client = Client()
    client.force_login(actor(name))
    return client


def shift(client: Client, *, auth: float = 0, seen: float = 0) -> None:
    """Move the session's sign-in and last-seen times into the past by so many seconds."""
    session = client.session
    session[sessions.AUTH_AT] -= auth
    session[sessions.SEEN_AT] -= seen
    session.save()


def test_a_fresh_session_is_kept(actor: Any) -> None:
    client = signed_in("ana", actor)
    assert client.get(reverse("reporting:home")).wsgi_request.user.is_authenticated


def test_an_idle_session_ends_and_the_page_says_why(actor: Any, settings: Any) -> None:
    settings.AYNI_SESSION_IDLE_MINUTES = 30
    client = signed_in("ana", actor)
    shift(client, auth=31 * 60, seen=31 * 60)

    response = client.get(reverse("reporting:home"), follow=True, HTTP_ACCEPT_LANGUAGE="es")

    assert not response.wsgi_request.user.is_authenticated
    assert "Su sesión terminó tras 30 minutos sin actividad." in response.content.decode()
    assert sessions.AUTH_AT not in client.session  # flushed, as a sign-out does


def test_an_active_session_ends_at_its_absolute_limit(actor: Any, settings: Any) -> None:
    settings.AYNI_SESSION_MAX_HOURS = 8
    client = signed_in("ana", actor)
    shift(client, auth=8 * 3600 + 1)  # seen just now: busy, but signed in too long ago

    response = client.get(reverse("reporting:home"), follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert not response.wsgi_request.user.is_authenticated
    assert "8 hours after you signed in" in response.content.decode()


def test_activity_moves_the_idle_limit(actor: Any, settings: Any) -> None:
    settings.AYNI_SESSION_IDLE_MINUTES = 30
    client = signed_in("ana", actor)
    shift(client, auth=20 * 60, seen=20 * 60)
    client.get(reverse("reporting:home"))  # seen 20 minutes after the last request: renewed
    shift(client, seen=20 * 60)  # another 20 minutes: 40 since sign-in, 20 since last seen

    assert client.get(reverse("reporting:home")).wsgi_request.user.is_authenticated


def test_the_last_seen_time_is_written_at_most_once_a_minute(actor: Any) -> None:
    client = signed_in("ana", actor)
    before = client.session[sessions.SEEN_AT]
    client.get(reverse("reporting:home"))
    assert client.session[sessions.SEEN_AT] == before


def test_an_api_call_on_an_ended_session_is_refused(actor: Any, settings: Any) -> None:
    settings.AYNI_SESSION_IDLE_MINUTES = 30
    client = signed_in("ana", actor)
    shift(client, auth=31 * 60, seen=31 * 60)

    response = client.get("/api/programmes/")

    assert response.status_code in (401, 403)
    assert sessions.AUTH_AT not in client.session


def test_expiry_reasons() -> None:
    now = time.time()
    assert sessions.expired({}, now) is None  # a session from before the limits: counted anew
    fresh = {sessions.AUTH_AT: now, sessions.SEEN_AT: now}
    assert sessions.expired(fresh, now) is None
    assert sessions.expired({**fresh, sessions.AUTH_AT: now - 13 * 3600}, now) == "absolute"
    assert sessions.expired({**fresh, sessions.SEEN_AT: now - 61 * 60}, now) == "idle"
