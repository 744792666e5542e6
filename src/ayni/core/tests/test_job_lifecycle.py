"""Jobs hold their files, are found dead when their process is gone, are retried by their
starter, and lose their files (and rows) to ``ayni jobs cleanup``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from ayni.cli import translate
from ayni.core import jobs, liveness, services
from ayni.core.models import Job, JobFile
from ayni.core.permissions import has_perm
from ayni.core.policies import RETRY

pytestmark = pytest.mark.django_db

KIND = "test.copy"


@pytest.fixture(autouse=True)
def copy_kind(settings: Any) -> Iterator[None]:
    """A job that copies its input file to its output, upper-cased."""
    settings.AYNI_JOBS = "worker"

    def copy(job: Job, report: Callable[..., None]) -> dict[str, Any]:
        with jobs.input_path(job, "data") as path:
            assert path is not None
            text = path.read_text().upper()
        jobs.output_file(
            job, key="out", name="out.txt", content=ContentFile(text), content_type="text/plain"
        )
        return {"length": len(text)}

    jobs.job_handler(KIND, title="Copy")(copy)
    yield
    jobs.HANDLERS.pop(KIND)
    jobs.KINDS.pop(KIND)


def dead_pid() -> int:
    """The id of a process that has ended (and was reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def running_job(user: Any, **fields: Any) -> Job:
    defaults: dict[str, Any] = {
        "kind": KIND,
        "status": Job.Status.RUNNING,
        "created_by": user,
        "payload": {"language": "en"},
        "started_at": timezone.now(),
        "heartbeat_at": timezone.now(),
    }
    return Job.objects.create(**{**defaults, **fields})


def test_inputs_and_outputs_are_stored_files_under_random_names(actor) -> None:
    upload = SimpleUploadedFile("../../etc/Valores Perú.csv", b"abc")
    job = jobs.enqueue(KIND, payload={}, user=actor("ana"), inputs={"data": upload})
    stored = job.input("data")
    assert stored is not None and stored.name == "Valores Perú.csv" and stored.size == 3
    assert stored.file.name.startswith("jobs/") and ".." not in stored.file.name
    assert "Valores" not in stored.file.name
    call_command("worker", "--once")
    job.refresh_from_db()
    output = job.output()
    assert job.status == Job.Status.SUCCEEDED and output is not None
    assert output.file.read() == b"ABC" and output.role == JobFile.Role.OUTPUT


def test_a_job_whose_process_ended_is_dead(actor) -> None:
    here = socket.gethostname()
    gone = running_job(actor("ana"), worker_host=here, worker_pid=dead_pid())
    me = liveness.this_process()
    alive = running_job(actor("ana"), worker_host=here, worker_pid=me.pid, worker_token=me.token)
    assert liveness.is_dead(gone) and not liveness.is_dead(alive)


def test_a_process_id_used_again_by_another_process_is_not_the_runner(actor) -> None:
    if not Path("/proc/self/stat").exists():
        pytest.skip("process start tokens come from /proc")
    me = liveness.this_process()
    job = running_job(
        actor("ana"), worker_host=me.host, worker_pid=me.pid, worker_token=me.token + "0"
    )
    assert liveness.is_dead(job)


def test_a_job_of_another_host_is_dead_once_its_heartbeat_is_stale(actor, settings) -> None:
    settings.AYNI_JOB_STALE_SECONDS = 300
    old = timezone.now() - timedelta(seconds=301)
    stale = running_job(actor("ana"), worker_host="elsewhere", worker_pid=1, heartbeat_at=old)
    fresh = running_job(actor("ana"), worker_host="elsewhere", worker_pid=1)
    assert liveness.sweep_stale_jobs() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == Job.Status.FAILED and fresh.status == Job.Status.RUNNING


@pytest.mark.parametrize("mode", ["thread", "worker"])
def test_a_job_left_queued_in_thread_mode_is_failed_and_can_be_retried(
    actor, settings, mode
) -> None:
    """In thread mode a job starts when its transaction commits: one still queued long after
    was left by a process that stopped first. Workers leave jobs queued on purpose."""
    settings.AYNI_JOBS = mode
    settings.AYNI_JOB_STALE_SECONDS = 300
    old = Job.objects.create(
        kind=KIND,
        payload={"language": "en"},
        created_by=actor("ana"),
        created_at=timezone.now() - timedelta(seconds=301),
    )
    fresh = Job.objects.create(kind=KIND, payload={}, created_by=actor("ana"))
    assert liveness.sweep_stale_jobs() == (1 if mode == "thread" else 0)
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert fresh.status == Job.Status.QUEUED
    if mode == "worker":
        assert old.status == Job.Status.QUEUED
        return
    assert old.status == Job.Status.FAILED
    assert old.message == "The process that was to run it stopped before it started."
    assert has_perm(actor("ana"), RETRY, old)
    settings.AYNI_JOBS = "worker"  # the retry stays queued rather than start a thread here
    retry = services.job_retry(job=old, user=actor("ana"))
    assert (retry.status, retry.retry_of) == (Job.Status.QUEUED, old)


def test_the_job_page_shows_a_dead_job_as_failed_with_a_retry(client_for, actor) -> None:
    job = running_job(actor("ana"), worker_host=socket.gethostname(), worker_pid=dead_pid())
    page = client_for("ana").get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.context["job"].status == Job.Status.FAILED
    assert "The process running it stopped before it finished." in text
    assert f"/jobs/{job.pk}/retry/" in text
    assert Job.objects.get(pk=job.pk).status == Job.Status.FAILED


def test_the_sweep_message_is_in_the_starters_language(actor) -> None:
    job = running_job(
        actor("ana"),
        worker_host=socket.gethostname(),
        worker_pid=dead_pid(),
        payload={"language": "es"},
    )
    liveness.sweep_stale_jobs()
    job.refresh_from_db()
    assert job.message == "El proceso que la ejecutaba se detuvo antes de terminar."


def test_retry_reuses_the_input_and_only_the_starter_may_ask(actor) -> None:
    upload = SimpleUploadedFile("a.txt", b"hola")
    job = jobs.enqueue(KIND, payload={"n": 1}, user=actor("ana"), inputs={"data": upload})
    with pytest.raises(ValidationError):
        services.job_retry(job=job, user=actor("ana"))  # queued, not failed
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED)
    job.refresh_from_db()
    # Who may ask is the caller's question (the job's policy): the starter, not a colleague.
    assert has_perm(actor("ana"), RETRY, job)
    assert not has_perm(actor("pablo"), RETRY, job)
    retry = services.job_retry(job=job, user=actor("ana"))
    assert (retry.kind, retry.payload, retry.retry_of, retry.status) == (
        KIND,
        {"n": 1},
        job,
        Job.Status.QUEUED,
    )
    assert retry.input("data").file.name == job.input("data").file.name  # shared, not copied
    call_command("worker", "--once")
    assert Job.objects.get(pk=retry.pk).output().file.read() == b"HOLA"


def test_retry_through_the_page_and_the_api(client_for, api_for, actor) -> None:
    job = running_job(actor("ana"), worker_host=socket.gethostname(), worker_pid=dead_pid())
    response = client_for("ana").post(f"/jobs/{job.pk}/retry/")
    retry = Job.objects.get(retry_of=job)
    assert response["Location"] == f"/jobs/{retry.pk}/"
    assert client_for("pablo").post(f"/jobs/{job.pk}/retry/").status_code == 404
    assert api_for("pablo").post(f"/api/jobs/{job.pk}/retry/").status_code == 404
    refused = api_for("ana").post(f"/api/jobs/{retry.pk}/retry/")  # queued: nothing to retry
    assert refused.status_code == 400
    Job.objects.filter(pk=retry.pk).update(status=Job.Status.FAILED)
    again = api_for("ana").post(f"/api/jobs/{retry.pk}/retry/")
    assert again.status_code == 201 and again.json()["retry_of"] == retry.pk


def test_the_api_shows_a_job_to_its_starter_only(api_for, actor) -> None:
    upload = SimpleUploadedFile("a.txt", b"abc")
    job = jobs.enqueue(KIND, payload={"n": 1}, user=actor("ana"), inputs={"data": upload})
    jobs.enqueue(KIND, payload={"n": 2}, user=actor("pablo"), inputs={"data": upload})
    call_command("worker", "--once")
    listed = api_for("ana").get("/api/jobs/").json()["results"]
    assert [j["id"] for j in listed] == [job.pk]
    body = api_for("ana").get(f"/api/jobs/{job.pk}/").json()
    assert body["status"] == "succeeded" and body["started_by"] == "ana"
    assert body["parameters"] == {"n": "1"} and body["result"] == {"length": 3}
    assert body["download"] == f"/api/jobs/{job.pk}/download/"
    download = api_for("ana").get(body["download"])
    assert b"".join(download.streaming_content) == b"ABC"
    for other in ("pablo", "root", None):
        assert api_for(other).get(f"/api/jobs/{job.pk}/").status_code in {401, 403, 404}
        assert api_for(other).get(body["download"]).status_code in {401, 403, 404}


def test_my_jobs_lists_my_jobs(client_for, actor) -> None:
    mine = jobs.enqueue(KIND, payload={}, user=actor("ana"))
    theirs = jobs.enqueue(KIND, payload={}, user=actor("pablo"))
    page = client_for("ana").get("/jobs/")
    assert [row["job"].pk for row in page.context["rows"]] == [mine.pk]
    assert f"/jobs/{theirs.pk}/" not in page.content.decode()
    assert client_for("ana").get(f"/jobs/{theirs.pk}/").status_code == 404


def _finished(user: Any, days_ago: int, text: bytes = b"x") -> Job:
    job = jobs.enqueue(KIND, payload={}, user=user, inputs={"data": ContentFile(text, "in.txt")})
    call_command("worker", "--once")
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=days_ago))
    return job


def test_cleanup_deletes_the_files_of_old_jobs_through_the_storage(actor) -> None:
    old = _finished(actor("ana"), days_ago=40)
    recent = _finished(actor("ana"), days_ago=2)
    old_names = [f.file.name for f in old.files.all()]
    storage = old.output().file.storage
    running = running_job(actor("ana"), started_at=timezone.now() - timedelta(days=90))
    JobFile.objects.create(job=running, role="input", key="data", name="r", file=old_names[0])
    queued = jobs.enqueue(KIND, payload={}, user=actor("ana"))
    Job.objects.filter(pk=queued.pk).update(created_at=timezone.now() - timedelta(days=90))

    out = StringIO()
    call_command("jobs_cleanup", "--older-than", "30", stdout=out)
    # The input is still read by the running job: kept; the output is gone.
    assert "1 file(s) deleted, 2 file record(s) and 0 job(s) removed" in out.getvalue()
    assert storage.exists(old_names[0]) and not storage.exists(old_names[1])
    assert not old.files.exists() and Job.objects.filter(pk=old.pk).exists()
    assert recent.output() is not None and storage.exists(recent.output().file.name)
    assert Job.objects.filter(pk__in=[running.pk, queued.pk]).count() == 2

    call_command("jobs_cleanup", "--older-than", "30", "--delete-jobs", stdout=StringIO())
    assert not Job.objects.filter(pk=old.pk).exists()
    assert Job.objects.filter(pk__in=[recent.pk, running.pk, queued.pk]).count() == 3


def test_the_job_page_says_when_the_file_was_cleaned_up(client_for, actor) -> None:
    job = _finished(actor("ana"), days_ago=40)
    Job.objects.filter(pk=job.pk).update(result={"file_name": "out.txt"})
    services.jobs_cleanup(older_than_days=30)
    page = client_for("ana").get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["file_removed"] and page.context["output"] is None
    assert client_for("ana").get(f"/jobs/{job.pk}/download/").status_code == 404


def test_the_cleanup_command_is_in_the_jobs_group() -> None:
    assert translate(["jobs", "cleanup", "--older-than", "7"]) == [
        "jobs_cleanup",
        "--older-than",
        "7",
    ]


def test_this_process_identity_follows_the_process() -> None:
    me = liveness.this_process()
    assert me.pid == os.getpid() and me.host == socket.gethostname()
    assert liveness.process_alive(me.pid, me.token)
