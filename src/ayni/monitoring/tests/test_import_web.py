"""Importing through the browser: upload, dry-run preview, confirm, progress, error report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from ayni.core.models import Job
from ayni.demo.indicators import load_demo_indicators
from ayni.geography.models import Country
from ayni.monitoring.models import DataValue

pytestmark = pytest.mark.django_db

GOOD = (
    "indicator,location,period,value,source\n"
    "stunting-u5,03,2019,21.5,andina-inei-2018\n"
    "stunting-u5,09,2019,30.1,andina-inei-2018\n"
)


@pytest.fixture(autouse=True)
def queued_jobs(settings, tmp_path):
    # Jobs wait in the database; the test runs them with `ayni worker --once`.
    settings.AYNI_JOBS = "worker"
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo_indicators(Country.objects.get(iso2="PE"))


def _upload(client, content: str, **extra):
    data = {"file": SimpleUploadedFile("values.csv", content.encode()), "format": "csv", **extra}
    return client.post(reverse("monitoring:import"), data)


def test_dry_run_first_then_confirm_writes(client_for) -> None:
    client = client_for("ana")
    response = _upload(client, GOOD)
    assert response.status_code == 302
    job_url = response["Location"]
    call_command("worker", "--once")
    page = client.get(job_url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["job"].status == Job.Status.SUCCEEDED
    assert page.context["batch"].counts["created"] == 2 and page.context["batch"].dry_run
    assert not DataValue.objects.filter(year=2019).exists()
    assert "Import for real" in page.content.decode()
    # The counts of a dry run say what would happen, in the reader's language.
    assert "<dt>would be created</dt>" in page.content.decode()
    spanish = client.get(job_url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "<dt>se crearían</dt>" in spanish and "<dt>rechazados</dt>" in spanish

    confirmed = client.post(job_url)
    call_command("worker", "--once")
    page = client.get(confirmed["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["batch"].counts["created"] == 2 and not page.context["batch"].dry_run
    assert "<dt>created</dt>" in page.content.decode()
    assert DataValue.objects.filter(year=2019).count() == 2
    listing = client.get(reverse("monitoring:import"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "creados: 2" in listing and "se crearían: 2" in listing


def test_refused_rows_are_listed_with_a_downloadable_report(client_for) -> None:
    client = client_for("ana")
    response = _upload(client, GOOD + "stunting-u5,99,2019,1,andina-inei-2018\n")
    call_command("worker", "--once")
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    batch = page.context["batch"]
    assert page.context["job"].result["refused"]
    assert batch.errors[0]["line"] == 4
    report = client.get(reverse("monitoring:import-errors", args=[batch.pk]))
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0] == "line,field,message,item" and "99" in text


def test_progress_page_polls_while_running(client_for) -> None:
    client = client_for("ana")
    response = _upload(client, GOOD)
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page  # still queued: the status block refreshes itself


def test_only_data_writers_may_import(client_for) -> None:
    assert client_for("pia").get(reverse("monitoring:import")).status_code == 403
    assert client_for("pablo").get(reverse("monitoring:import")).status_code == 403


def test_a_job_is_visible_to_its_starter_only(client_for) -> None:
    response = _upload(client_for("ana"), GOOD)
    assert client_for("bruno").get(response["Location"]).status_code == 404


def test_an_oversize_upload_is_refused_before_it_is_queued(client_for, settings) -> None:
    settings.AYNI_MAX_IMPORT_BYTES = 10
    response = _upload(client_for("ana"), GOOD)
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not Job.objects.exists()


def test_api_import_starts_a_job_and_reports_progress(api_for) -> None:
    api = api_for("ana")
    response = api.post(
        "/api/imports/",
        {
            "file": SimpleUploadedFile("values.csv", GOOD.encode()),
            "format": "csv",
            "dry_run": "false",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    job_id = response.json()["id"]
    call_command("worker", "--once")
    body = api.get(f"/api/imports/{job_id}/").json()
    assert body["status"] == "succeeded" and body["result"]["counts"]["created"] == 2
    assert DataValue.objects.filter(year=2019).count() == 2


def test_api_import_is_refused_to_partners(api_for) -> None:
    response = api_for("pia").post(
        "/api/imports/",
        {"file": SimpleUploadedFile("values.csv", GOOD.encode()), "format": "csv"},
        format="multipart",
    )
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_job_messages_use_the_language_of_who_started_it(client_for) -> None:
    client = client_for("ana")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = _upload(client, GOOD + "stunting-u5,99,2019,1,andina-inei-2018\n")
    call_command("worker", "--once")
    batch = client.get(response["Location"]).context["batch"]
    assert batch.errors[0]["message"] == "no place of PE has the code '99'"


def test_the_upload_is_a_stored_file_of_the_job_reused_by_a_retry(client_for) -> None:
    client = client_for("ana")
    job = Job.objects.get(pk=int(_upload(client, GOOD)["Location"].rstrip("/").split("/")[-1]))
    stored = job.input("data")
    assert stored is not None and stored.name == "values.csv"
    assert stored.file.read().decode() == GOOD and "path" not in job.payload
    # As if its worker had died: failed, and retried from its page with the same upload.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, message="stopped")
    page = client.get(reverse("monitoring:import-job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert reverse("core:job-retry", args=[job.pk]) in page.content.decode()
    retried = client.post(reverse("core:job-retry", args=[job.pk]))
    retry = Job.objects.get(retry_of=job)
    assert retried["Location"] == reverse("monitoring:import-job", args=[retry.pk])
    assert retry.input("data").file.name == stored.file.name
    call_command("worker", "--once")
    retry.refresh_from_db()
    assert retry.status == Job.Status.SUCCEEDED and retry.result["counts"]["created"] == 2
    # The job page of an import is the import page.
    assert client.get(f"/jobs/{retry.pk}/")["Location"] == retried["Location"]
