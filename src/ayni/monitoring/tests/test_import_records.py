"""Every run of an import leaves its batch: an empty file, a bad mapping file or a mapping
naming a column the file lacks are recorded as failed, with the message, under the name of the
file the user gave (not the random name it is stored under), through the web form, the API and
``ayni import``; and the job of a refused import ends failed with the reason."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from ayni.accounts.models import User
from ayni.core.models import ImportBatch, Job
from ayni.core.roles import Role
from ayni.demo.indicators import load_demo_indicators
from ayni.geography.models import Country
from ayni.monitoring.models import DataValue

pytestmark = pytest.mark.django_db

NAME = "valores-2019.csv"
GOOD = (
    "indicator,location,period,value,source\n"
    "stunting-u5,03,2019,21.5,andina-inei-2018\n"
    "stunting-u5,09,2019,30.1,andina-inei-2018\n"
)
SURVEY = "region_code,year,valor\n03,2019,21.5\n"
# (data, mapping, what the message says): the mapping file is "mapa.json".
CASES = {
    "empty file": ("", None, f"{NAME}: the file is empty"),
    "bad mapping file": (SURVEY, '{"columns": {"location": "region_code"\n', "mapa.json: "),
    "missing column": (
        SURVEY,
        '{"columns": {"location": "departamento", "period": "year", "value": "valor"},'
        ' "constants": {"indicator": "stunting-u5", "source": "andina-inei-2018"}}',
        "departamento",
    ),
}


@pytest.fixture(autouse=True)
def queued_jobs(settings: Any, tmp_path: Path) -> None:
    settings.AYNI_JOBS = "worker"
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo_indicators(Country.objects.get(iso2="PE"))


def _uploads(data: str, mapping: str | None) -> dict[str, Any]:
    files = {"file": SimpleUploadedFile(NAME, data.encode()), "format": "csv"}
    if mapping is not None:
        files["mapping"] = SimpleUploadedFile("mapa.json", mapping.encode())
    return files


def through_the_form(client_for: Any, tmp_path: Path, data: str, mapping: str | None) -> Job:
    response = client_for("ana").post(
        reverse("monitoring:import"), _uploads(data, mapping), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302, response.context["form"].errors
    call_command("worker", "--once")
    return Job.objects.get(kind="monitoring.import")


def through_the_api(api_for: Any, tmp_path: Path, data: str, mapping: str | None) -> Job:
    response = api_for("ana").post(
        "/api/imports/",
        {**_uploads(data, mapping), "dry_run": "false"},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 201, response.json()
    call_command("worker", "--once")
    return Job.objects.get(pk=response.json()["id"])


def through_the_command(tmp_path: Path, data: str, mapping: str | None) -> str:
    path = tmp_path / NAME
    path.write_text(data, encoding="utf-8")
    options = ["--office", "peru", "--user", "ana"]
    if mapping is not None:
        (tmp_path / "mapa.json").write_text(mapping, encoding="utf-8")
        options += ["--mapping", str(tmp_path / "mapa.json")]
    with pytest.raises(CommandError) as refused:
        call_command("import", "csv", str(path), *options, stdout=io.StringIO())
    return str(refused.value)


def the_batch(message: str) -> ImportBatch:
    batch = ImportBatch.objects.get(kind__startswith="monitoring.")
    assert batch.file_name == NAME
    assert batch.status == ImportBatch.Status.FAILED and batch.finished_at is not None
    assert message in batch.message
    assert batch.created_by == User.objects.get(username="ana")
    return batch


@pytest.mark.parametrize("case", CASES)
def test_a_refused_upload_is_recorded_under_its_own_name(
    client_for: Any, tmp_path: Path, case: str
) -> None:
    data, mapping, message = CASES[case]
    job = through_the_form(client_for, tmp_path, data, mapping)
    batch = the_batch(message)
    # The job ends failed, with why, and leads to its batch.
    assert (job.status, job.message) == (Job.Status.FAILED, batch.message)
    assert job.result["batch"] == batch.pk
    page = client_for("ana").get(reverse("monitoring:import-job", args=[job.pk]))
    assert page.context["batch"] == batch
    assert "Import for real" not in page.content.decode()


@pytest.mark.parametrize("case", CASES)
def test_a_refused_api_import_is_recorded_under_its_own_name(
    api_for: Any, tmp_path: Path, case: str
) -> None:
    data, mapping, message = CASES[case]
    job = through_the_api(api_for, tmp_path, data, mapping)
    batch = the_batch(message)
    body = api_for("ana").get(f"/api/imports/{job.pk}/").json()
    assert (body["status"], body["message"]) == ("failed", batch.message)
    assert body["result"]["batch"] == batch.pk
    assert not DataValue.objects.filter(year=2019).exists()


@pytest.mark.parametrize("case", CASES)
def test_a_refused_command_import_is_recorded(tmp_path: Path, case: str) -> None:
    data, mapping, message = CASES[case]
    refusal = through_the_command(tmp_path, data, mapping)
    batch = the_batch(message)
    assert batch.message in refusal


def test_a_file_refused_for_its_lines_fails_its_job(client_for: Any, tmp_path: Path) -> None:
    job = through_the_form(client_for, tmp_path, GOOD + "stunting-u5,99,2019,1,x\n", None)
    batch = the_batch("1 line refused, nothing written")
    assert (job.status, job.message) == (Job.Status.FAILED, batch.message)
    assert job.result["counts"]["rejected"] == 1 and batch.errors[0]["line"] == 4


def test_a_job_whose_starter_may_no_longer_import_fails_and_is_recorded(
    client_for: Any, tmp_path: Path
) -> None:
    client_for("ana").post(
        reverse("monitoring:import"), _uploads(GOOD, None), HTTP_ACCEPT_LANGUAGE="en"
    )
    User.objects.filter(username="ana").update(role=Role.PROGRAMME_MANAGER)
    call_command("worker", "--once")
    job = Job.objects.get(kind="monitoring.import")
    batch = the_batch("You may no longer import data values.")
    assert (job.status, job.message) == (Job.Status.FAILED, batch.message)
    assert batch.job == job


def test_the_batch_of_a_job_bears_the_uploaded_name_not_the_stored_one(
    client_for: Any, tmp_path: Path
) -> None:
    job = through_the_form(client_for, tmp_path, GOOD, None)
    assert job.status == Job.Status.SUCCEEDED, job.message
    stored = Path(job.input("data").file.name).name
    batch = ImportBatch.objects.get(pk=job.result["batch"])
    assert (batch.file_name, batch.status, batch.job) == (NAME, "succeeded", job)
    assert stored != NAME and stored not in str(batch.options)
