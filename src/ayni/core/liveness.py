"""Is the process running a job still there? Finding and failing jobs whose process died.

A job that starts running records its runner: the host name, the process id and a token of
that process's start (the boot id and the process's start time, from ``/proc``), so that a
process id used again by a later process is not taken for the runner. On the same host the
process is checked directly; a job of another host is alive while its heartbeat (written with
progress and every ``AYNI_JOB_HEARTBEAT_SECONDS``) is younger than ``AYNI_JOB_STALE_SECONDS``.

Workers sweep at start and then every ``AYNI_JOB_SWEEP_SECONDS``; the web process sweeps when
it starts (``ayni.wsgi``), then at most as often from the job pages, and a job page checks its
own job before it shows it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone, translation
from django.utils.translation import gettext

from ayni.core.models import Job

logger = logging.getLogger(__name__)

PROC = Path("/proc")


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


def is_dead(job: Job, *, now: datetime | None = None) -> bool:
    """Is ``job`` marked running (or, in thread mode, queued) while nothing runs it any more?"""
    stale_before = (now or timezone.now()) - timedelta(seconds=settings.AYNI_JOB_STALE_SECONDS)
    if job.status == Job.Status.QUEUED:
        # In thread mode a job's thread starts as soon as its transaction commits: one still
        # queued long after was left by a process that stopped first. (Workers leave jobs
        # queued on purpose until one is free.)
        return settings.AYNI_JOBS == "thread" and job.created_at < stale_before
    if job.status != Job.Status.RUNNING:
        return False
    if job.worker_pid and job.worker_host == this_process().host:
        return not process_alive(job.worker_pid, job.worker_token)
    last = job.heartbeat_at or job.started_at or job.created_at
    return last < stale_before


def mark_dead(job: Job) -> bool:
    """Fail ``job`` as left by a dead process, unless it moved on meanwhile (it finished, or
    another process claimed it). The message is in the language of who started it."""
    with translation.override(job.payload.get("language") or settings.LANGUAGE_CODE):
        message = (
            gettext("The process that was to run it stopped before it started.")
            if job.status == Job.Status.QUEUED
            else gettext("The process running it stopped before it finished.")
        )
    now = timezone.now()
    changed = Job.objects.filter(
        pk=job.pk,
        status=job.status,
        worker_pid=job.worker_pid,
        worker_token=job.worker_token,
    ).update(status=Job.Status.FAILED, message=message, finished_at=now)
    if changed:
        logger.warning("job %s: its process (%s) stopped; marked failed", job.pk, job.worker_pid)
        job.status, job.message, job.finished_at = Job.Status.FAILED, message, now
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


_last_sweep: float | None = None
_sweep_lock = threading.Lock()


def sweep_if_due() -> int:
    """``sweep_stale_jobs`` at the first call in a process, then at most every
    ``AYNI_JOB_SWEEP_SECONDS``. A database error is logged, not raised: a page that sweeps
    on the way must still show."""
    global _last_sweep
    with _sweep_lock:
        due = _last_sweep is None or (
            time.monotonic() - _last_sweep >= settings.AYNI_JOB_SWEEP_SECONDS
        )
        if not due:
            return 0
        _last_sweep = time.monotonic()
    try:
        return sweep_stale_jobs()
    except DatabaseError:
        logger.warning("the sweep of dead jobs failed", exc_info=True)
        return 0


def refresh_if_dead(job: Job) -> Job:
    """``job`` as a page should show it: failed if its process is gone."""
    if is_dead(job):
        mark_dead(job)
    return job
