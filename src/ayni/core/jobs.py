"""Background jobs: enqueue work, run it with progress, come back to its page.

A job function is registered under a kind (``@job_handler("monitoring.import")``) and called
as ``handler(job, report)`` where ``report(done, total=None)`` saves progress. What it
returns (a dict) is the job's result; an exception fails the job with its message.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from ayni.core.models import Job

logger = logging.getLogger(__name__)

Handler = Callable[[Job, Callable[..., None]], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    def decorator(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function

    return decorator


def enqueue(kind: str, *, payload: dict[str, Any], user: Any = None) -> Job:
    """Record a job and start it where ``AYNI_JOBS`` says (after the transaction commits)."""
    if kind not in HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    job = Job.objects.create(
        kind=kind, payload=payload, created_by=user if getattr(user, "pk", None) else None
    )
    if getattr(settings, "AYNI_JOBS", "thread") == "thread":
        transaction.on_commit(lambda: _start_thread(job.pk))
    return job


def _start_thread(job_id: int) -> None:
    thread = threading.Thread(target=_run_in_thread, args=(job_id,), daemon=True)
    thread.start()


def _run_in_thread(job_id: int) -> None:
    try:
        run(Job.objects.get(pk=job_id))
    finally:
        close_old_connections()


def run(job: Job) -> Job:
    """Run one job now, in this thread, recording progress and the end state."""
    job.status = Job.Status.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])

    def report(done: int, total: int | None = None) -> None:
        job.progress_done = done
        fields = ["progress_done"]
        if total is not None:
            job.progress_total = total
            fields.append("progress_total")
        Job.objects.filter(pk=job.pk).update(**{f: getattr(job, f) for f in fields})

    try:
        job.result = HANDLERS[job.kind](job, report) or {}
        job.status = Job.Status.SUCCEEDED
    except Exception as exc:
        logger.exception("job %s failed", job.pk)
        job.status = Job.Status.FAILED
        job.message = str(exc)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "message", "finished_at"])
    return job


def take_next() -> Job | None:
    """For ``ayni worker``: claim the oldest queued job (other workers skip locked rows)."""
    with transaction.atomic():
        queued = Job.objects.filter(status=Job.Status.QUEUED).order_by("created_at")
        if transaction.get_connection().features.has_select_for_update_skip_locked:
            queued = queued.select_for_update(skip_locked=True)
        job = queued.first()
        if job is None:
            return None
        job.status = Job.Status.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    return job
