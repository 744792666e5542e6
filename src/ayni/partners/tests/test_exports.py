"""The agreement list's downloads through the export mechanism: streamed while small, a job
when large, with the page's rows and scope, and a file only its starter can fetch."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.http import StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from ayni.core.models import Job, JobFile
from ayni.core.roles import Role

pytestmark = pytest.mark.django_db

LIST = reverse("partners:agreement-list")


@pytest.fixture(autouse=True)
def queued_jobs(settings):
    # Jobs wait in the database; the test runs them with `ayni worker --once`.
    settings.AYNI_JOBS = "worker"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_a_small_list_streams_csv_and_xlsx_in_the_request(client_for, make_agreement) -> None:
    make_agreement(reference="PER/1", title="=1+1")
    make_agreement("CARE", reference="PER/2")
    client = client_for("pablo")
    response = client.get(LIST, {"format": "csv", "sort": "reference"})
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == 'attachment; filename="agreements.csv"'
    assert [row[0] for row in csv_rows(body(response))[1:]] == ["PER/1", "PER/2"]
    xlsx = client.get(LIST, {"format": "xlsx", "sort": "reference"})
    assert isinstance(xlsx, StreamingHttpResponse)
    sheet = load_workbook(io.BytesIO(body(xlsx)), read_only=True).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [v[0] for v in values[1:]] == ["PER/1", "PER/2"]
    assert values[1][1] == "'=1+1"  # a formula in a cell stays text
    assert not Job.objects.exists()


def test_a_large_list_becomes_a_job_whose_file_holds_the_pages_rows(
    client_for, make_agreement, settings
) -> None:
    for n in range(4):
        make_agreement("PLAN" if n % 2 else "CARE", reference=f"PER/{n}", title=f"T{n}")
    settings.AYNI_EXPORT_INLINE_MAX_ROWS = 2
    client = client_for("pablo")
    query = {"sort": "-reference", "partner": "", "q": "PER"}
    page = client.get(LIST, query)
    response = client.get(LIST, {**query, "format": "csv"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.kind == "core.export" and job.created_by.username == "pablo"
    assert job.payload["params"] == {"sort": "-reference", "partner": "", "q": "PER"}
    waiting = client.get(response["Location"]).content.decode()
    assert "hx-get" in waiting and "<progress" in waiting  # a progress bar until it is done

    call_command("worker", "--once")
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.result["rows"] == 4
    assert (job.progress_done, job.progress_total) == (4, 4)
    done = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    download = reverse("core:job-download", args=[job.pk])
    assert download in done and "hx-get" not in done
    assert "<dd>Reference (descending)</dd>" in done and "<dd>PER</dd>" in done
    fetched = client.get(download)
    assert fetched["Content-Disposition"] == 'attachment; filename="agreements.csv"'
    rows = csv_rows(body(fetched))
    assert [row[0] for row in rows[1:]] == [a.reference for a in page.context["agreement_list"]]
    assert [row[0] for row in rows[1:]] == ["PER/3", "PER/2", "PER/1", "PER/0"]


def test_the_job_keeps_the_users_scope(client_for, make_agreement, settings) -> None:
    make_agreement("PLAN", reference="PER/PLAN")
    make_agreement("CARE", reference="PER/CARE")
    settings.AYNI_EXPORT_INLINE_MAX_ROWS = 0
    client = client_for("pia")
    client.get(LIST, {"format": "xlsx"})
    call_command("worker", "--once")
    job = Job.objects.get()
    sheet = load_workbook(io.BytesIO(body(client.get(f"/jobs/{job.pk}/download/")))).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["PER/PLAN"]


def test_only_the_starter_downloads_the_file(client_for, make_agreement, settings) -> None:
    make_agreement(reference="PER/1")
    settings.AYNI_EXPORT_INLINE_MAX_ROWS = 0
    client_for("pablo").get(LIST, {"format": "csv"})
    call_command("worker", "--once")
    job = Job.objects.get()
    download = f"/jobs/{job.pk}/download/"
    assert client_for("pablo").get(download).status_code == 200
    for other in ("ana", "pia", "bruno", "root"):
        assert client_for(other).get(download).status_code == 404, other
        assert client_for(other).get(f"/jobs/{job.pk}/").status_code in {404}, other
    assert client_for("ana").get(f"/api/jobs/{job.pk}/download/").status_code == 404


def test_a_starter_who_lost_the_right_gets_nothing(
    client_for, make_agreement, settings, actor
) -> None:
    make_agreement(reference="PER/1")
    settings.AYNI_EXPORT_INLINE_MAX_ROWS = 0
    client = client_for("pablo")
    client.get(LIST, {"format": "csv"})
    call_command("worker", "--once")
    finished = Job.objects.get()
    client.get(LIST, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en")  # queued, not yet run

    pablo = actor("pablo")
    pablo.role = Role.PUBLIC  # may no longer read agreements
    pablo.save()
    assert client.get(f"/jobs/{finished.pk}/download/").status_code == 404
    call_command("worker", "--once")
    queued = Job.objects.exclude(pk=finished.pk).get()
    assert queued.status == Job.Status.FAILED
    assert queued.message == "You may no longer read these records."
    assert not JobFile.objects.filter(job=queued).exists()
