"""Confirming an import asks again whether its starter may import: at the confirm (page and
API) and when the job runs, so a role lowered after the dry run writes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from ayni.accounts.models import User
from ayni.core.models import Job
from ayni.core.roles import Role
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
    settings.AYNI_JOBS = "worker"
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo_indicators(Country.objects.get(iso2="PE"))


def _dry_run(client) -> Job:
    data = {"file": SimpleUploadedFile("values.csv", GOOD.encode()), "format": "csv"}
    response = client.post(reverse("monitoring:import"), data)
    assert response.status_code == 302
    call_command("worker", "--once")
    job = Job.objects.get(kind="monitoring.import")
    assert job.status == Job.Status.SUCCEEDED and job.payload["dry_run"]
    return job


def _lower_ana() -> None:
    User.objects.filter(username="ana").update(role=Role.PROGRAMME_MANAGER)


def test_page_confirm_after_the_role_was_lowered_is_refused(client_for) -> None:
    client = client_for("ana")
    job = _dry_run(client)
    _lower_ana()
    response = client.post(reverse("monitoring:import-job", args=[job.pk]))
    assert response.status_code == 403
    call_command("worker", "--once")
    assert Job.objects.filter(kind="monitoring.import").count() == 1
    assert not DataValue.objects.filter(year=2019).exists()


def test_api_confirm_writes_for_an_importer(client_for, api_for) -> None:
    job = _dry_run(client_for("ana"))
    response = api_for("ana").post(f"/api/imports/{job.pk}/confirm/")
    assert response.status_code == 201, response.content
    call_command("worker", "--once")
    real = Job.objects.get(pk=response.json()["id"])
    assert real.status == Job.Status.SUCCEEDED and not real.payload["dry_run"]
    assert DataValue.objects.filter(year=2019).count() == 2


def test_api_confirm_after_the_role_was_lowered_is_refused(client_for, api_for) -> None:
    job = _dry_run(client_for("ana"))
    _lower_ana()
    response = api_for("ana").post(f"/api/imports/{job.pk}/confirm/")
    assert response.status_code == 403
    call_command("worker", "--once")
    assert Job.objects.filter(kind="monitoring.import").count() == 1
    assert not DataValue.objects.filter(year=2019).exists()


def test_api_confirm_of_another_users_job_is_not_found(client_for, api_for) -> None:
    job = _dry_run(client_for("ana"))
    assert api_for("bruno").post(f"/api/imports/{job.pk}/confirm/").status_code == 404


def test_a_job_confirmed_before_the_role_was_lowered_writes_nothing(client_for) -> None:
    client = client_for("ana")
    job = _dry_run(client)
    confirmed = client.post(reverse("monitoring:import-job", args=[job.pk]))
    assert confirmed.status_code == 302
    _lower_ana()  # after the confirm, before the worker takes the job
    call_command("worker", "--once")
    real = Job.objects.exclude(pk=job.pk).get()
    assert real.status == Job.Status.FAILED
    assert not DataValue.objects.filter(year=2019).exists()
