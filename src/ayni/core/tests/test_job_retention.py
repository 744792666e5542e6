"""Job files are kept for a while, then removed: uploads after AYNI_UPLOAD_RETENTION_DAYS,
exports after AYNI_EXPORT_RETENTION_DAYS, by ``ayni jobs cleanup`` and once a day by a worker."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.management import call_command
from django.utils import timezone

from ayni.core import jobs, services
from ayni.core.models import ChoreRun, Job, JobFile
from ayni.core.tests.test_job_lifecycle import KIND, copy_kind, running_job  # noqa: F401

pytestmark = pytest.mark.django_db


def finished(user: Any, days_ago: int) -> tuple[Job, str, str]:
    """A job run by a worker, finished ``days_ago`` days ago: it, its input and output names."""
    job = jobs.enqueue(KIND, payload={}, user=user, inputs={"data": ContentFile(b"x", "in.txt")})
    jobs.run(jobs.take_next() or job)
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=days_ago))
    stored = {f.role: f.file.name for f in job.files.all()}
    return job, stored[JobFile.Role.INPUT], stored[JobFile.Role.OUTPUT]


def storage() -> Storage:
    return JobFile._meta.get_field("file").storage


def test_uploads_are_kept_30_days_and_exports_7_by_default(actor, settings) -> None:
    assert (settings.AYNI_UPLOAD_RETENTION_DAYS, settings.AYNI_EXPORT_RETENTION_DAYS) == (30, 7)
    ana = actor("ana")
    old, old_in, old_out = finished(ana, days_ago=40)
    week, week_in, week_out = finished(ana, days_ago=10)
    new, new_in, new_out = finished(ana, days_ago=2)
    # A job still running, and one still queued, read the old upload (a retry shares it).
    running = running_job(ana, started_at=timezone.now() - timedelta(days=90))
    JobFile.objects.create(job=running, role="input", key="data", name="r", file=old_in)
    queued = jobs.enqueue(KIND, payload={}, user=ana)
    JobFile.objects.create(job=queued, role="input", key="data", name="q", file=week_in)

    out = StringIO()
    call_command("jobs_cleanup", stdout=out)

    assert "2 file(s) deleted, 3 file record(s) and 0 job(s) removed" in out.getvalue()
    assert not storage().exists(old_out) and not storage().exists(week_out)
    assert storage().exists(old_in), "the running job still reads it"
    assert storage().exists(week_in) and week.input("data") is not None
    assert all(storage().exists(name) for name in (new_in, new_out))
    assert not old.files.exists() and new.files.count() == 2
    assert running.files.count() == 1 and queued.files.count() == 1


def test_the_retention_follows_the_settings_and_older_than_overrides_it(actor, settings) -> None:
    _, week_in, week_out = finished(actor("ana"), days_ago=10)
    call_command("jobs_cleanup", "--older-than", "60", stdout=StringIO())
    assert storage().exists(week_in) and storage().exists(week_out)

    settings.AYNI_UPLOAD_RETENTION_DAYS = 5
    settings.AYNI_EXPORT_RETENTION_DAYS = 20
    call_command("jobs_cleanup", stdout=StringIO())
    assert not storage().exists(week_in) and storage().exists(week_out)


def test_delete_jobs_removes_the_rows_past_both_retentions(actor) -> None:
    old, _, _ = finished(actor("ana"), days_ago=40)
    week, _, _ = finished(actor("ana"), days_ago=10)
    call_command("jobs_cleanup", "--delete-jobs", stdout=StringIO())
    assert not Job.objects.filter(pk=old.pk).exists()
    assert Job.objects.filter(pk=week.pk).exists() and week.input("data") is not None


def test_a_worker_runs_the_cleanup_once_a_day(actor) -> None:
    _, first_in, first_out = finished(actor("ana"), days_ago=40)

    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert "daily cleanup: 2 file(s) of old jobs deleted" in out.getvalue()
    assert not storage().exists(first_in) and not storage().exists(first_out)

    # Another worker, or the same one later that day: not due, the files stay.
    _, second_in, _ = finished(actor("ana"), days_ago=40)
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert "daily cleanup" not in out.getvalue() and storage().exists(second_in)

    ChoreRun.objects.filter(name=services.CLEANUP).update(
        ran_at=timezone.now() - timedelta(hours=25)
    )
    call_command("worker", "--once", stdout=StringIO())
    assert not storage().exists(second_in)


def test_of_two_workers_asking_at_once_one_runs_the_cleanup() -> None:
    now = timezone.now()
    assert services.jobs_cleanup_if_due(now=now) is not None
    assert services.jobs_cleanup_if_due(now=now) is None
    assert services.jobs_cleanup_if_due(now=now + timedelta(hours=23)) is None
    assert services.jobs_cleanup_if_due(now=now + timedelta(hours=24)) is not None
    assert ChoreRun.objects.get(name=services.CLEANUP).ran_at == now + timedelta(hours=24)
