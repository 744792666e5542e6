"""Background jobs: enqueue work, run it with progress, come back to its page.

A job function is registered under a kind (``@job_handler("monitoring.import")``) and called
as ``handler(job, report)`` where ``report(done, total=None)`` saves progress. What it
returns (a dict) is the job's result; an exception fails the job with its message. What a
job reads and writes are ``JobFile`` rows (``enqueue(..., inputs=...)``,
``output_file``); the process that runs a job is recorded on it, so that a job left running
by a process that died is found (``liveness``) and marked failed.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.db import (
    DEFAULT_DB_ALIAS,
    close_old_connections,
    connection,
    connections,
    transaction,
)
from django.utils import timezone

from ayni.core import liveness
from ayni.core.models import Job, JobFile

logger = logging.getLogger(__name__)

Handler = Callable[[Job, Callable[..., None]], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}


class JobRefused(Exception):
    """Raised by a handler whose work was refused (a file refused by an import): the job fails
    with this message, and keeps ``result`` (what the pages show of the refusal)."""

    def __init__(self, message: str, result: dict[str, Any]) -> None:
        super().__init__(message)
        self.result = result


@dataclass(frozen=True)
class Kind:
    """What the pages say of a kind of job and who may start one (checked again on retry)."""

    title: Any = ""
    page: str = ""  # the URL name of a page of its own (the import page); else the job page
    describe: Callable[[Job], list[tuple[Any, str]]] | None = None
    may_start: Callable[[Any, dict[str, Any]], bool] | None = None


KINDS: dict[str, Kind] = {}


def job_handler(
    kind: str,
    *,
    title: Any = "",
    page: str = "",
    describe: Callable[[Job], list[tuple[Any, str]]] | None = None,
    may_start: Callable[[Any, dict[str, Any]], bool] | None = None,
) -> Callable[[Handler], Handler]:
    def decorator(function: Handler) -> Handler:
        HANDLERS[kind] = function
        KINDS[kind] = Kind(title=title, page=page, describe=describe, may_start=may_start)
        return function

    return decorator


def kind_of(job: Job) -> Kind:
    return KINDS.get(job.kind, Kind(title=job.kind))


def enqueue(
    kind: str,
    *,
    payload: dict[str, Any],
    user: Any = None,
    inputs: dict[str, Any] | None = None,
    inputs_from: Job | None = None,
    retry_of: Job | None = None,
) -> Job:
    """Record a job and start it where ``AYNI_JOBS`` says (after the transaction commits).

    ``inputs`` are uploaded files (by key) saved through the storage API as the job's input
    files; ``inputs_from`` re-uses the input files of an earlier job (a retry, the real run
    after a dry run) without copying them.
    """
    if kind not in HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    job = Job.objects.create(
        kind=kind,
        payload=payload,
        created_by=user if getattr(user, "pk", None) else None,
        retry_of=retry_of,
    )
    for key, upload in (inputs or {}).items():
        if upload is None:
            continue
        stored = JobFile(
            job=job,
            role=JobFile.Role.INPUT,
            key=key,
            name=Path(upload.name or key).name[:255],
            size=upload.size or 0,
            content_type=getattr(upload, "content_type", "") or "",
        )
        stored.file.save(upload.name or key, upload, save=False)
        stored.save()
    if inputs_from is not None:
        for earlier in inputs_from.files.filter(role=JobFile.Role.INPUT):
            JobFile.objects.create(
                job=job,
                role=earlier.role,
                key=earlier.key,
                name=earlier.name,
                file=earlier.file.name,
                size=earlier.size,
                content_type=earlier.content_type,
            )
    if settings.AYNI_JOBS == "thread":
        transaction.on_commit(lambda: _start_thread(job.pk))
    return job


@contextmanager
def input_path(job: Job, key: str) -> Iterator[Path | None]:
    """A local path to the job's input file ``key`` (None if it has none), for readers that
    need one, under the name the user gave the file (``JobFile.name``, not the random name it
    is stored under), so that what the job records and says names the user's file: a link in
    a private temporary folder to the stored file on a local storage, else a temporary copy.
    Both are removed afterwards."""
    stored = job.input(key)
    if stored is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="ayni-job-") as folder:
        path = Path(folder) / _local_name(stored.name, key, Path(stored.file.name).suffix)
        try:
            target: Path | None = Path(stored.file.path)
        except NotImplementedError:  # a remote storage: no local path
            target = None
        try:
            _place(path, target, stored)
        except (OSError, ValueError):  # a name the file system refuses
            path = Path(folder) / f"{key}{Path(stored.file.name).suffix}"
            _place(path, target, stored)
        yield path


def _local_name(name: str, key: str, suffix: str) -> str:
    """``name`` as one file name of at most 200 bytes, or ``key`` + ``suffix`` if it is none."""
    name = Path(name).name
    if name in {"", ".", ".."}:
        return f"{key}{suffix}"
    if len(name.encode()) > 200:  # most file systems stop at 255 bytes
        stem, ext = Path(name).stem, Path(name).suffix[:16]
        stem = stem.encode()[: 200 - len(ext.encode())].decode(errors="ignore")
        name = stem + ext
    return name


def _place(path: Path, target: Path | None, stored: JobFile) -> None:
    if target is not None:
        path.symlink_to(target)
        return
    with stored.file.open("rb") as source, path.open("wb") as copy:
        shutil.copyfileobj(source, copy)


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
    """Saves a running job's progress (and so its heartbeat) where other requests and
    processes can see it now.

    Outside a transaction: an ordinary update. Inside one (an import's) on PostgreSQL: an
    update on a second connection of its own, in autocommit, so that a worker in another
    process shows progress too. Inside one on SQLite, which lets one connection write at a
    time: nothing until the job ends (this process's pages read ``_LIVE``; other processes of
    the same host tell that it is alive from its process, see ``liveness``).
    """

    def __init__(self) -> None:
        self._side: Any = None

    def save(self, job: Job) -> None:
        now = timezone.now()
        if not connection.in_atomic_block:
            Job.objects.filter(pk=job.pk).update(
                progress_done=job.progress_done,
                progress_total=job.progress_total,
                heartbeat_at=now,
            )
        elif connection.vendor == "postgresql":
            if self._side is None:
                self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            table = self._side.ops.quote_name(Job._meta.db_table)
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET progress_done = %s, progress_total = %s, "  # noqa: S608
                    "heartbeat_at = %s WHERE id = %s",
                    [job.progress_done, job.progress_total, now, job.pk],
                )

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


def _claim(job: Job) -> None:
    """Mark ``job`` running in this process (host, pid, start token) from now."""
    runner = liveness.this_process()
    job.status = Job.Status.RUNNING
    job.started_at = job.started_at or timezone.now()
    job.heartbeat_at = timezone.now()
    job.worker_host, job.worker_pid, job.worker_token = runner.host, runner.pid, runner.token
    job.save(
        update_fields=[
            "status",
            "started_at",
            "heartbeat_at",
            "worker_host",
            "worker_pid",
            "worker_token",
        ]
    )


def run(job: Job) -> Job:
    """Run one job now, in this thread, recording progress and the end state."""
    runner = liveness.this_process()
    claimed_here = (job.worker_host, job.worker_pid, job.worker_token) == (
        runner.host,
        runner.pid,
        runner.token,
    )
    if not (job.status == Job.Status.RUNNING and claimed_here):
        _claim(job)  # not yet claimed by this process (``take_next`` claims as it takes)
    saver = _ProgressSaver()
    heartbeat = liveness.Heartbeat(Job, job.pk)
    heartbeat.start()

    def report(done: int, total: int | None = None) -> None:
        job.progress_done = done
        if total is not None:
            job.progress_total = total
        _LIVE[job.pk] = (job.progress_done, job.progress_total)
        saver.save(job)

    try:
        job.result = HANDLERS[job.kind](job, report) or {}
        job.status = Job.Status.SUCCEEDED
    except JobRefused as exc:
        job.status = Job.Status.FAILED
        job.message = str(exc)
        job.result = exc.result
    except Exception as exc:
        logger.exception("job %s failed", job.pk)
        job.status = Job.Status.FAILED
        job.message = str(exc)
    finally:
        heartbeat.stop()
        saver.close()
    job.finished_at = timezone.now()
    # Only if it is still this process's run: a job that a sweep took for dead (its host
    # unreachable for longer than AYNI_JOB_STALE_SECONDS) stays failed, and may be retried.
    saved = Job.objects.filter(**job.this_run()).update(
        status=job.status,
        result=job.result,
        message=job.message,
        finished_at=job.finished_at,
        progress_done=job.progress_done,
        progress_total=job.progress_total,
        heartbeat_at=job.finished_at,
    )
    if not saved:
        logger.warning("job %s ended after it was marked failed; its end is not saved", job.pk)
        job.refresh_from_db()
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
        _claim(job)
    return job


def output_file(job: Job, *, key: str, name: str, content: File, content_type: str) -> JobFile:
    """Save what ``job`` produced through the storage API as its output file ``key``."""
    stored = JobFile(
        job=job,
        role=JobFile.Role.OUTPUT,
        key=key,
        name=name[:255],
        size=content.size or 0,
        content_type=content_type,
    )
    stored.file.save(name, content, save=False)
    stored.save()
    return stored
