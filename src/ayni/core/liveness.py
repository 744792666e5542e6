"""Is the process running a job or an import still there? Finding and failing the jobs and
import batches whose process died.

A job that starts running, and an import batch (``core.imports``), records its runner
(``core.models.RunBy``): the host name, the process id and a token of that process's start
(the boot id and the process's start time, from ``/proc``), so that a process id used again
by a later process is not taken for the runner. On the same host the process is checked
directly; a run of another host is alive while its heartbeat (written with progress and every
``AYNI_JOB_HEARTBEAT_SECONDS``) is younger than ``AYNI_JOB_STALE_SECONDS``.

Workers sweep at start and then every ``AYNI_JOB_SWEEP_SECONDS``; the web process sweeps when
it starts (``ayni.wsgi``), then at most as often from the job pages, and a job page checks its
own job (an import page its batches) before it shows it. A sweep also runs what other apps
registered (``register_sweeper``): the analytics store catches up on what it missed.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone, translation
from django.utils.translation import gettext

from ayni.core.models import ImportBatch, Job

logger = logging.getLogger(__name__)

PROC = Path("/proc")
R = TypeVar("R", Job, ImportBatch)


@dataclass(frozen=True)
class Runner:
    host: str
    pid: int
    token: str


@cache
def _boot_id() -> str:
    try:
        return (PROC / "sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (state first), or None when
    there is no such process."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except FileNotFoundError:
        return None
    # The command name is in parentheses and may itself hold spaces or parentheses.
    return text[text.rindex(")") + 2 :].split()


def process_token(pid: int) -> str:
    """``<boot id>-<start time>`` of a process, or "" where ``/proc`` does not tell."""
    if not (PROC / "self/stat").exists():
        return ""
    fields = _stat(pid)
    return f"{_boot_id()}-{fields[19]}" if fields else ""


_runners: dict[int, Runner] = {}


def this_process() -> Runner:
    """The runner identity of the current process (computed again after a fork)."""
    pid = os.getpid()
    if pid not in _runners:
        _runners[pid] = Runner(socket.gethostname()[:255], pid, process_token(pid))
    return _runners[pid]


def process_alive(pid: int, token: str) -> bool:
    """Is process ``pid`` of this host running, and is it the one that had ``token``?"""
    if (PROC / "self/stat").exists():
        fields = _stat(pid)
        if fields is None or fields[0] in {"Z", "X"}:  # gone, or a zombie not yet reaped
            return False
        return not token or f"{_boot_id()}-{fields[19]}" == token
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # there, but another user's
        return True
    return True


def _runner_gone(record: Job | ImportBatch, stale_before: datetime) -> bool:
    """Has the process recorded on ``record`` (a job or an import batch) stopped? On this host
    the process itself says; of another host, a heartbeat older than ``stale_before``."""
    if record.worker_pid and record.worker_host == this_process().host:
        return not process_alive(record.worker_pid, record.worker_token)
    last = record.heartbeat_at or record.started_at or getattr(record, "created_at", None)
    return last is not None and last < stale_before


def is_dead(record: Job | ImportBatch, *, now: datetime | None = None) -> bool:
    """Is ``record`` (a job, or an import batch) marked running (or, a job in thread mode,
    queued) while nothing runs it any more?"""
    stale_before = (now or timezone.now()) - timedelta(seconds=settings.AYNI_JOB_STALE_SECONDS)
    if isinstance(record, Job) and record.status == Job.Status.QUEUED:
        # In thread mode a job's thread starts as soon as its transaction commits: one still
        # queued long after was left by a process that stopped first. (Workers leave jobs
        # queued on purpose until one is free.)
        return settings.AYNI_JOBS == "thread" and record.created_at < stale_before
    if record.status != "running":  # the same value for jobs and batches
        return False
    return _runner_gone(record, stale_before)


def _dead_message(record: Job | ImportBatch) -> str:
    """Why ``record`` failed, in the language of who started it (a batch: its job's)."""
    if isinstance(record, Job):
        language = record.payload.get("language")
    else:
        job = Job.objects.filter(pk=record.job_id).first() if record.job_id else None
        language = job.payload.get("language") if job else None
    with translation.override(language or settings.LANGUAGE_CODE):
        if isinstance(record, ImportBatch):
            # Its values are written in one transaction with its success: a batch still
            # running wrote nothing.
            return gettext(
                "Interrupted: the process running it ended before it finished; nothing was written."
            )
        if record.status == Job.Status.QUEUED:
            return gettext("The process that was to run it stopped before it started.")
        return gettext("The process running it stopped before it finished.")


def mark_dead(record: Job | ImportBatch) -> bool:
    """Fail ``record`` (a job or an import batch) as left by a dead process, unless it moved
    on meanwhile (it finished, or another process claimed it)."""
    message = _dead_message(record)
    now = timezone.now()
    changed = (
        type(record)
        .objects.filter(
            pk=record.pk,
            status=record.status,
            worker_pid=record.worker_pid,
            worker_token=record.worker_token,
        )
        .update(status="failed", message=message, finished_at=now)
    )
    if changed:
        logger.warning(
            "%s %s: its process (%s) stopped; marked failed",
            type(record)._meta.model_name,
            record.pk,
            record.worker_pid,
        )
        record.status, record.message, record.finished_at = "failed", message, now
    return bool(changed)


def sweep_stale_jobs() -> int:
    """Mark failed every running job whose process is gone (and, in thread mode, every job
    left queued by a process that stopped before its thread began); the number marked."""
    now = timezone.now()
    marked = 0
    statuses = [Job.Status.RUNNING]
    if settings.AYNI_JOBS == "thread":
        statuses.append(Job.Status.QUEUED)
    for job in Job.objects.filter(status__in=statuses).order_by("pk"):
        if is_dead(job, now=now) and mark_dead(job):
            marked += 1
    return marked


def sweep_stale_batches() -> int:
    """Mark failed every running import batch whose process is gone; the number marked."""
    now = timezone.now()
    marked = 0
    for batch in ImportBatch.objects.filter(status=ImportBatch.Status.RUNNING).order_by("pk"):
        if is_dead(batch, now=now) and mark_dead(batch):
            marked += 1
    return marked


# What other apps catch up on at each sweep (the analytics store's backlog): core cannot
# import them, so they register here from their ``ready()``.
SWEEPERS: dict[str, Callable[[], object]] = {}


def register_sweeper(name: str, sweeper: Callable[[], object]) -> None:
    SWEEPERS[name] = sweeper


@dataclass(frozen=True)
class Swept:
    jobs: int = 0
    batches: int = 0


def sweep() -> Swept:
    """Fail the jobs and import batches of dead processes, then run the registered sweepers
    (whose errors are logged: one must not keep the others from running)."""
    swept = Swept(jobs=sweep_stale_jobs(), batches=sweep_stale_batches())
    for name, sweeper in SWEEPERS.items():
        try:
            sweeper()
        except Exception:
            logger.exception("the sweeper %s failed", name)
    return swept


_last_sweep: float | None = None
_sweep_lock = threading.Lock()


def sweep_if_due() -> Swept | None:
    """``sweep`` at the first call in a process, then at most every
    ``AYNI_JOB_SWEEP_SECONDS``. A database error is logged, not raised: a page that sweeps
    on the way must still show."""
    global _last_sweep
    with _sweep_lock:
        due = _last_sweep is None or (
            time.monotonic() - _last_sweep >= settings.AYNI_JOB_SWEEP_SECONDS
        )
        if not due:
            return None
        _last_sweep = time.monotonic()
    try:
        return sweep()
    except DatabaseError:
        logger.warning("the sweep of dead jobs failed", exc_info=True)
        return None


def refresh_if_dead(record: R) -> R:
    """``record`` (a job or an import batch) as a page should show it: failed if its process
    is gone."""
    if is_dead(record):
        mark_dead(record)
    return record


class Heartbeat:
    """Writes the heartbeat of a running job or import batch every
    ``AYNI_JOB_HEARTBEAT_SECONDS`` from a thread of its own (its own connection, in
    autocommit), so that a run that reports nothing for a while (one long query) is not taken
    for dead by a process of another host.

    Not on SQLite: a second writer would wait on the run's own write lock, and SQLite serves
    one host, where the process itself is checked.
    """

    def __init__(self, model: type[Job] | type[ImportBatch], pk: int) -> None:
        self.model, self.pk = model, pk
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if connection.vendor == "sqlite":
            return
        self._thread = threading.Thread(target=self._beat, daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        try:
            while not self._stop.wait(settings.AYNI_JOB_HEARTBEAT_SECONDS):
                try:
                    self.model.objects.filter(pk=self.pk, status="running").update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:
                    logger.warning("%s: heartbeat not saved", self, exc_info=True)
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __str__(self) -> str:
        return f"{self.model._meta.model_name} {self.pk}"
