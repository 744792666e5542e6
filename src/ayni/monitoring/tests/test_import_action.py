"""Starting an import is the data value policy's ``import`` action, asked the same way by the
import page and the API (no check of their own beside the policies)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ayni.core.models import Job
from ayni.core.permissions import has_perm
from ayni.monitoring.models import DataValue
from ayni.monitoring.policies import IMPORT

pytestmark = pytest.mark.django_db

# Administrators and M&E officers of an office import; nobody else.
IMPORTS = {"ana": True, "bruno": True, "root": True, "pablo": False, "rosa": False}
IMPORTS |= {"pia": False, "diego": False, "paula": False}


@pytest.mark.parametrize(("name", "allowed"), list(IMPORTS.items()))
def test_who_may_start_an_import(actor, client_for, api_for, settings, tmp_path, name, allowed):
    settings.AYNI_JOBS = "worker"
    settings.MEDIA_ROOT = tmp_path / "media"
    assert has_perm(actor(name), IMPORT, DataValue) is allowed
    page = client_for(name).get(reverse("monitoring:import"))
    assert page.status_code == (200 if allowed else 403)
    response = api_for(name).post(
        "/api/imports/",
        {"file": SimpleUploadedFile("values.csv", b"indicator\n"), "format": "csv"},
        format="multipart",
    )
    assert response.status_code == (201 if allowed else 403)
    assert Job.objects.exists() is allowed


def test_anonymous_visitors_import_nothing(client, api_for) -> None:
    assert has_perm(AnonymousUser(), IMPORT, DataValue) is False
    assert client.get(reverse("monitoring:import")).status_code == 302  # to sign in
    response = api_for(None).post("/api/imports/", {}, format="multipart")
    assert response.status_code in {401, 403}


def test_reading_a_job_stays_the_starters(api_for, client_for, settings, tmp_path) -> None:
    settings.AYNI_JOBS = "worker"
    settings.MEDIA_ROOT = tmp_path / "media"
    created = api_for("ana").post(
        "/api/imports/",
        {"file": SimpleUploadedFile("values.csv", b"indicator\n"), "format": "csv"},
        format="multipart",
    )
    job_id = created.json()["id"]
    assert api_for("ana").get(f"/api/imports/{job_id}/").status_code == 200
    assert api_for("bruno").get(f"/api/imports/{job_id}/").status_code == 404
    # Reading one's jobs needs no import right: pablo reads none of ana's, and is not refused
    # the endpoint as a whole.
    assert api_for("pablo").get(f"/api/imports/{job_id}/").status_code == 404
