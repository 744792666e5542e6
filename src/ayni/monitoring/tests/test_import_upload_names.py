"""A refusal of an import started on the page or through the API names the files as they were
uploaded, not as they are kept (the storage's own random names)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from ayni.core.models import Job

CSV = b"indicator,location,period,value,source\nt-births,15,2015,120,t-sien\n"


@pytest.fixture(autouse=True)
def queued(settings: Any, tmp_path: Path) -> None:
    settings.AYNI_JOBS = "worker"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db
@pytest.mark.parametrize("through", ["web", "api"])
def test_a_refusal_names_the_uploaded_files(client_for, api_for, through) -> None:
    files = {
        "format": "csv",
        "file": SimpleUploadedFile("survey 2014.csv", CSV.decode().encode("utf-16-le")),
        "mapping": SimpleUploadedFile("layout.json", b"{}"),
    }
    if through == "web":
        client_for("ana").post(reverse("monitoring:import"), files, HTTP_ACCEPT_LANGUAGE="en")
    else:
        api_for("ana").post("/api/imports/", files, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    call_command("worker", "--once")
    refused = Job.objects.get().result["refused"]
    assert refused.startswith("survey 2014.csv: line 1 holds a NUL character"), refused
    files["mapping"] = SimpleUploadedFile("layout.json", b"{nope")
    files["file"] = SimpleUploadedFile("survey 2014.csv", CSV)
    if through == "web":
        client_for("ana").post(reverse("monitoring:import"), files, HTTP_ACCEPT_LANGUAGE="en")
    else:
        api_for("ana").post("/api/imports/", files, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    call_command("worker", "--once")
    refused = Job.objects.latest("pk").result["refused"]
    assert refused.startswith("layout.json: not valid JSON at line 1"), refused
