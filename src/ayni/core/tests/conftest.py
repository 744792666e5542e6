"""Fixtures of the core tests: the records of the authorization matrix (``authz_world``),
built once per module that asks for them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from ayni.core.tests.authz_world import build


@pytest.fixture(scope="module")
def matrix(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[dict[str, Any]]:
    """Both offices' records, built once for the module and rolled back after it."""
    media = tmp_path_factory.mktemp("matrix-media")
    analytics = tmp_path_factory.mktemp("matrix-analytics")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, AYNI_ANALYTICS_DIR=analytics),
        transaction.atomic(),
    ):
        world = build()
        world["_dirs"] = {"media": media, "analytics": analytics}
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def matrix_dirs(
    matrix: dict[str, Any], settings: Any, media_dir: None, analytics_dir: None
) -> None:
    """The job files and analytics of the module's records (not each test's own folder)."""
    settings.MEDIA_ROOT = matrix["_dirs"]["media"]
    settings.AYNI_ANALYTICS_DIR = matrix["_dirs"]["analytics"]
