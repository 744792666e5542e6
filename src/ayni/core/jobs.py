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
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connection, connections, transaction
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
    if settings.AYNI_JOBS == "thread":
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


# The progress of the jobs running in this process, by job id. A job such as an import writes
# its own rows in one transaction, and progress saved on that connection would only show when
# it commits: pages and the API of this process read it from here meanwhile (``live``).
_LIVE: dict[int, tuple[int, int | None]] = {}


def live(job: Job) -> Job:
    """``job`` with the latest progress its run reported, when it runs in this process."""
    progress = _LIVE.get(job.pk) if job.status in (Job.Status.QUEUED, Job.Status.RUNNING) else None
    if progress is not None:
        job.progress_done, total = progress
        if total is not None:
            job.progress_total = total
    return job


class _ProgressSaver:
    """Saves a running job's progress where other requests and processes can see it now.

    Outside a transaction: an ordinary update. Inside one (an import's) on PostgreSQL: an
    update on a second connection of its own, in autocommit, so that a worker in another
    process shows progress too. Inside one on SQLite, which lets one connection write at a
    time: nothing until the job ends (this process's pages read ``_LIVE``).
    """

    def __init__(self) -> None:
        self._side: Any = None

    def save(self, job: Job) -> None:
        if not connection.in_atomic_block:
            Job.objects.filter(pk=job.pk).update(
                progress_done=job.progress_done, progress_total=job.progress_total
            )
        elif connection.vendor == "postgresql":
            if self._side is None:
                self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            table = self._side.ops.quote_name(Job._meta.db_table)
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET progress_done = %s, progress_total = %s "  # noqa: S608
                    "WHERE id = %s",
                    [job.progress_done, job.progress_total, job.pk],
                )

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


def run(job: Job) -> Job:
    """Run one job now, in this thread, recording progress and the end state."""
    job.status = Job.Status.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])
    saver = _ProgressSaver()

    def report(done: int, total: int | None = None) -> None:
        job.progress_done = done
        if total is not None:
            job.progress_total = total
        _LIVE[job.pk] = (job.progress_done, job.progress_total)
        saver.save(job)

    try:
        job.result = HANDLERS[job.kind](job, report) or {}
        job.status = Job.Status.SUCCEEDED
    except Exception as exc:
        logger.exception("job %s failed", job.pk)
        job.status = Job.Status.FAILED
        job.message = str(exc)
    finally:
        saver.close()
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "result",
            "message",
            "finished_at",
            "progress_done",
            "progress_total",
        ]
    )
    _LIVE.pop(job.pk, None)
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
