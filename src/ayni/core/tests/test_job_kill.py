"""A worker killed mid-job: a real ``ayni worker`` process claims a job that blocks, is killed
with SIGKILL, and the job is found failed and runs to success when retried."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.db import connections

from ayni.accounts.models import User
from ayni.core import jobs, services
from ayni.core.models import Job
from ayni.core.tests import worker_process

T = TypeVar("T")
STOPPED = "The process running it stopped before it finished."


@pytest.fixture
def shared_database(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """The ``DATABASE_URL`` of a database that this test and the processes it starts share.

    PostgreSQL: the test database itself (a transactional test commits what it writes).
    SQLite: the in-memory test database copied to a file, which this test's own connection
    uses until the test ends.
    """
    original = connections["default"]
    settings_dict = original.settings_dict
    if original.vendor == "postgresql":
        password = settings_dict.get("PASSWORD") or ""
        user = settings_dict.get("USER") or ""
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        yield f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"
        return
    path = tmp_path / "shared.sqlite3"
    original.ensure_connection()
    target = sqlite3.connect(path)
    original.connection.backup(target)
    target.close()
    shared = original.__class__({**settings_dict, "NAME": str(path)}, alias="default")
    connections["default"] = shared
    try:
        yield f"sqlite:///{path}"
    finally:
        shared.close()
        connections["default"] = original


@pytest.fixture
def blocking_kind() -> Iterator[str]:
    worker_process.register()
    yield worker_process.BLOCK
    worker_process.unregister()


def worker(
    database_url: str, tmp_path: Path, *options: str, **extra_env: str
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "AYNI_JOBS": "worker",
        "AYNI_DATA_DIR": str(tmp_path / "data"),
        **extra_env,
    }
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "ayni.core.tests.worker_process", *options],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def finish(process: subprocess.Popen[bytes]) -> str:
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 0, output.decode()
    return output.decode()


def wait_for(check: Callable[[], T | None], seconds: float = 60) -> T:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_a_job_whose_worker_is_killed_fails_and_its_retry_succeeds(
    shared_database: str, blocking_kind: str, tmp_path: Path, settings: Any
) -> None:
    settings.AYNI_JOBS = "worker"  # only the worker processes run jobs
    kim = User.objects.create_user("kim", password="x")
    release = tmp_path / "release"
    payload: dict[str, Any] = {"release": str(release), "language": "en"}
    job = jobs.enqueue(blocking_kind, payload=payload, user=kim)

    first = worker(shared_database, tmp_path, "--sleep", "0.1")
    try:
        running = wait_for(
            lambda: Job.objects.filter(
                pk=job.pk, status=Job.Status.RUNNING, progress_done=1
            ).first()
        )
        assert (running.worker_host, running.worker_pid) == (socket.gethostname(), first.pid)
        assert running.worker_token and running.heartbeat_at
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == -signal.SIGKILL
    # Nothing could record its end: the row still says running, until a process looks.
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING

    # A worker that starts sweeps first: the job is failed, with why.
    output = finish(worker(shared_database, tmp_path, "--once"))
    assert "1 job(s) left by a stopped process marked failed" in output
    dead = Job.objects.get(pk=job.pk)
    assert (dead.status, dead.message) == (Job.Status.FAILED, STOPPED)
    assert dead.finished_at is not None and dead.progress_done == 1

    # Retried by its starter: same kind and parameters, a new run that now completes.
    release.touch()
    retry = services.job_retry(job=dead, user=kim)
    assert (retry.kind, retry.payload, retry.retry_of_id) == (dead.kind, dead.payload, dead.pk)
    finish(worker(shared_database, tmp_path, "--once"))
    done = Job.objects.get(pk=retry.pk)
    assert done.status == Job.Status.SUCCEEDED, done.message
    assert done.result["released"] and done.result["pid"] != first.pid
    assert (done.progress_done, done.progress_total) == (2, 2)
    assert Job.objects.get(pk=job.pk).status == Job.Status.FAILED  # the dead run stays failed


def test_a_worker_asked_to_stop_finishes_its_job_and_exits_cleanly(
    shared_database: str, blocking_kind: str, tmp_path: Path, settings: Any
) -> None:
    """SIGTERM (systemd's stop) mid-job: the job runs to its end, then the worker exits 0."""
    settings.AYNI_JOBS = "worker"
    kim = User.objects.create_user("kim", password="x")
    release = tmp_path / "release"
    job = jobs.enqueue(blocking_kind, payload={"release": str(release)}, user=kim)

    process = worker(shared_database, tmp_path, "--sleep", "0.1")
    try:
        wait_for(lambda: Job.objects.filter(pk=job.pk, progress_done=1).first())
        process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert process.poll() is None  # still running its job
        release.touch()
        output = finish(process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert output.rstrip().endswith("stopped"), output
    assert Job.objects.get(pk=job.pk).status == Job.Status.SUCCEEDED
