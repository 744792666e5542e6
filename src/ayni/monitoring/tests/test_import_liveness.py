"""An import batch left "running" by a process that died is found the way dead jobs are (its
process's host, id and start token; its heartbeat from another host) and marked failed by the
worker's sweep and wherever batches are shown."""

from __future__ import annotations

import io
import os
import socket
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ayni.accounts.models import User
from ayni.core import liveness
from ayni.core.models import ImportBatch, Job
from ayni.demo.indicators import load_demo_indicators
from ayni.geography.models import Country

pytestmark = pytest.mark.django_db

INTERRUPTED = "Interrupted: the process running it ended before it finished; nothing was written."
GOOD = "indicator,location,period,value,source\nstunting-u5,03,2019,21.5,andina-inei-2018\n"


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    # A batch run by no job (the command line) is failed in the site's language.
    settings.LANGUAGE_CODE = "en"


def running_batch(**runner: Any) -> ImportBatch:
    return ImportBatch.objects.create(
        kind="monitoring.csv",
        file_name="valores.csv",
        created_by=User.objects.get(username="ana"),
        **runner,
    )


def dead_here() -> dict[str, Any]:
    """This host and this process's id, but another start token: a process id used again."""
    return {"worker_host": socket.gethostname(), "worker_pid": os.getpid(), "worker_token": "x"}


def alive_here() -> dict[str, Any]:
    me = liveness.this_process()
    return {"worker_host": me.host, "worker_pid": me.pid, "worker_token": me.token}


def test_a_run_records_its_process_and_its_job(client_for: Any, settings: Any, tmp_path) -> None:
    settings.AYNI_JOBS = "worker"
    load_demo_indicators(Country.objects.get(iso2="PE"))
    data = {"file": SimpleUploadedFile("v.csv", GOOD.encode()), "format": "csv"}
    client_for("ana").post(reverse("monitoring:import"), data)
    call_command("worker", "--once", stdout=io.StringIO())
    job = Job.objects.get(kind="monitoring.import")
    batch = ImportBatch.objects.get(pk=job.result["batch"])
    assert batch.job == job and batch.status == ImportBatch.Status.SUCCEEDED
    me = liveness.this_process()
    assert (batch.worker_host, batch.worker_pid, batch.worker_token) == (me.host, me.pid, me.token)


def test_the_worker_sweep_fails_the_batches_of_dead_processes_only() -> None:
    dead = running_batch(**dead_here())
    alive = running_batch(**alive_here())
    now = timezone.now()
    elsewhere = {"worker_host": "another-host", "worker_pid": 7, "worker_token": "t"}
    silent = running_batch(**elsewhere, heartbeat_at=now - timedelta(hours=1))
    beating = running_batch(**elsewhere, heartbeat_at=now)
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert "2 import batch(es) left by a stopped process marked failed" in out.getvalue()
    for batch in (dead, silent):
        batch.refresh_from_db()
        assert (batch.status, batch.message) == (ImportBatch.Status.FAILED, INTERRUPTED)
        assert batch.finished_at is not None
    for batch in (alive, beating):
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.RUNNING


def test_the_import_page_shows_a_dead_batch_failed(client_for: Any) -> None:
    dead = running_batch(**dead_here())
    page = client_for("ana").get(reverse("monitoring:import"), HTTP_ACCEPT_LANGUAGE="en")
    shown = next(b for b in page.context["batches"] if b.pk == dead.pk)
    assert shown.status == ImportBatch.Status.FAILED
    assert INTERRUPTED in page.content.decode().replace("&#x27;", "'")
    dead.refresh_from_db()
    assert dead.status == ImportBatch.Status.FAILED


def test_the_page_of_a_dead_import_job_shows_its_batch_failed(client_for: Any) -> None:
    ana = User.objects.get(username="ana")
    job = Job.objects.create(
        kind="monitoring.import",
        status=Job.Status.RUNNING,
        created_by=ana,
        payload={"file_name": "valores.csv", "language": "en"},
        **dead_here(),
    )
    batch = running_batch(**dead_here(), job=job)
    page = client_for("ana").get(reverse("monitoring:import-job", args=[job.pk]))
    assert page.context["job"].status == Job.Status.FAILED
    assert page.context["batch"] == batch
    assert page.context["batch"].status == ImportBatch.Status.FAILED


def test_a_batch_marked_dead_meanwhile_is_left_alone_by_a_late_check() -> None:
    batch = running_batch(**dead_here())
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.SUCCEEDED)
    assert not liveness.mark_dead(batch)  # it finished after it was read: not failed
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.SUCCEEDED
