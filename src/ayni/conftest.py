"""Shared fixtures: the test world (see ``ayni.core.tests.world``) is built once per session.

Actors (named so a test reads as a sentence):
- ana: administrator of the Peru office        - bruno: administrator of the Bolivia office
- pablo: programme manager (Peru)              - rosa: regional focal point for Apurímac (03)
- pia: partner focal point for Plan International (Peru)
- carlos: partner focal point for CARE (Peru)  - diego: donor viewer for CIDA (Peru)
- paula: public user                            - root: superuser
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from ayni.accounts.models import User
from ayni.core.tests import shared_data
from ayni.core.tests.world import build_world, make_programme


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI the third-party test data must be there: stop at once, saying where it was
    looked for, rather than let the interoperability tests skip."""
    if shared_data.required() and not shared_data.SHARED_DATA.is_dir():
        raise pytest.UsageError(
            f"AYNI_REQUIRE_SHARED_DATA=1 but no shared test data at {shared_data.SHARED_DATA}"
        )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        build_world()
    yield


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    """Tests read service messages in English (the source language); pages still follow
    each request's language, Spanish by default, through the locale middleware."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def analytics_dir(settings: Any, tmp_path: Any) -> None:
    """Each test writes its analytics store (refreshed after imports) to its own folder."""
    settings.AYNI_ANALYTICS_DIR = tmp_path / "analytics"


@pytest.fixture(autouse=True)
def media_dir(settings: Any, tmp_path: Any) -> None:
    """Job files (uploads, exports) of each test go to its own folder, not the data directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def no_api_rate_limits(settings: Any) -> None:
    """The API's rate limits count across tests in one process (the cache outlives a test), so
    they are off here and on in the tests about them (core/tests/test_api_rate_limits.py)."""
    settings.AYNI_API_RATE_USER = None
    settings.AYNI_API_RATE_ANON = None


@pytest.fixture
def actor(db: None) -> Any:
    """``actor("rosa")`` → the user; fixtures are loaded once per session."""
    return lambda name: User.objects.get(username=name)


@pytest.fixture
def programme(db: None) -> Any:
    """A small test programme of the Peru office (see ``world.make_programme``)."""
    return make_programme()


@pytest.fixture
def client_for(db: None) -> Any:
    """``client_for("pia")`` → a Django test client signed in as pia."""

    def make(name: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=name))
        return client

    return make


@pytest.fixture
def api_for(db: None) -> Any:
    """``api_for("pia")`` → a DRF client authenticated as pia (or anonymous for None)."""

    def make(name: str | None) -> APIClient:
        client = APIClient()
        if name:
            client.force_authenticate(User.objects.get(username=name))
        return client

    return make


def chromium_path() -> str | None:
    return settings.AYNI_CHROMIUM or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright. Skips with the reason where it is missing,
    unless AYNI_REQUIRE_BROWSER=1 (CI), where a missing browser fails the run."""
    required = settings.AYNI_REQUIRE_BROWSER
    path = chromium_path()
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "the playwright package is not installed"
    if reason is None and not path:
        reason = "no Chromium found (apt-get install chromium, or set AYNI_CHROMIUM)"
    if reason:
        if required:
            pytest.fail(f"browser tests required: {reason}")
        pytest.skip(reason)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="es-PE")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
