"""Uploads of an import (page and API): each file (data, mapping, SDMX structure) is checked
against its limit before it is stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ayni.core.models import Job
from ayni.monitoring.imports.pipeline import MAX_MAPPING_BYTES

LIMIT = 10_000
CSV = b"indicator,location,period,value,source\nt-births,15,2015,120,t-sien\n"


@pytest.fixture(autouse=True)
def queued(settings: Any, tmp_path: Path) -> None:
    settings.AYNI_MAX_IMPORT_BYTES = LIMIT
    settings.AYNI_JOBS = "worker"
    settings.MEDIA_ROOT = tmp_path / "media"


def _files(**extra: bytes) -> dict[str, Any]:
    files: dict[str, Any] = {"format": "csv", "file": SimpleUploadedFile("data.csv", CSV)}
    for key, content in extra.items():
        files[key] = SimpleUploadedFile(f"{key}.bin", content)
    return files


TOO_LARGE = [("mapping", MAX_MAPPING_BYTES + 1), ("structure", LIMIT + 1), ("file", LIMIT + 1)]


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "size"), TOO_LARGE)
def test_the_page_refuses_a_file_above_its_limit_before_storing_it(client_for, key, size):
    response = client_for("ana").post(
        reverse("monitoring:import"), _files(**{key: b" " * size}), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert response.context["form"].errors[key] == [
        f"The file is larger than the limit of {MAX_MAPPING_BYTES if key == 'mapping' else LIMIT}"
        " bytes."
    ]
    assert not Job.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "size"), TOO_LARGE)
def test_the_api_refuses_a_file_above_its_limit_before_storing_it(api_for, key, size):
    response = api_for("ana").post(
        "/api/imports/", _files(**{key: b" " * size}), format="multipart"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [key]
    assert not Job.objects.exists()
