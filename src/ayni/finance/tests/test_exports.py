"""Finance downloads as exports: the budget and the grant list as jobs, and through the API."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from ayni.core.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def queued_jobs(settings):
    settings.AYNI_JOBS = "worker"


def lines(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_a_large_budget_runs_as_a_job_with_the_same_rows(client_for, funded, settings) -> None:
    client = client_for("ana")
    url = reverse("finance:budget", args=[funded["programme"].pk])
    inline = lines(client.get(url, {"format": "csv"}))
    settings.AYNI_EXPORT_INLINE_MAX_ROWS = 1
    response = client.get(url, {"format": "csv"})
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.payload["params"] == {"programme": str(funded["programme"].pk)}
    call_command("worker", "--once")
    fetched = client.get(f"/jobs/{job.pk}/download/")
    assert fetched["Content-Disposition"].startswith('attachment; filename="budget-')
    assert lines(fetched) == inline and len(inline) > 2
    # Who may not read the office's budget may not start it either.
    assert client_for("diego").get(url, {"format": "csv"}).status_code == 403
    assert Job.objects.count() == 1


def test_an_export_started_through_the_api_keeps_the_users_scope(api_for, funded) -> None:
    api = api_for("diego")  # donor viewer for CIDA: sees CIDA's grants only
    started = api.post(
        "/api/exports/",
        {"type": "finance.grants", "format": "csv", "params": {"sort": "reference"}},
        format="json",
    )
    assert started.status_code == 201, started.content
    job_id = started.json()["id"]
    call_command("worker", "--once")
    body = api.get(f"/api/jobs/{job_id}/").json()
    assert body["status"] == "succeeded" and body["result"]["rows"] == 1
    rows = lines(api.get(body["download"]))
    assert [row[0] for row in rows[1:]] == ["G-CIDA"]
    assert api_for("ana").get(body["download"]).status_code == 404


def test_the_api_refuses_an_export_the_user_may_not_read(api_for, funded) -> None:
    refused = api_for("paula").post(
        "/api/exports/", {"type": "finance.budget", "format": "csv"}, format="json"
    )
    assert refused.status_code == 403
    unknown = api_for("ana").post(
        "/api/exports/", {"type": "finance.nothing", "format": "csv"}, format="json"
    )
    assert unknown.status_code == 400
    assert not Job.objects.exists()
