import signal
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from ayni.core import jobs, liveness, services


class Command(BaseCommand):
    help = "Run queued background jobs (imports, exports) when AYNI_JOBS=worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run what is queued, then stop")
        parser.add_argument("--sleep", type=float, default=2.0, help="seconds between polls")

    def handle(self, *args: Any, **options: Any) -> None:
        # SIGTERM (systemd's stop, a deployment's restart) and SIGINT stop the worker between
        # jobs: a job it is running finishes first, and the process exits 0. A worker killed
        # outright (SIGKILL) leaves its job to the next sweep, which fails it for a retry.
        self._stopping = False
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self._loop(once=options["once"], sleep=options["sleep"])
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self._stopping = True

    def _loop(self, *, once: bool, sleep: float) -> None:
        # Jobs and import batches that a stopped process left running are failed first, so
        # the jobs can be retried.
        self._sweep()
        self._cleanup()
        last_sweep = time.monotonic()
        while not self._stopping:
            if time.monotonic() - last_sweep >= settings.AYNI_JOB_SWEEP_SECONDS:
                self._sweep()
                self._cleanup()
                last_sweep = time.monotonic()
            job = jobs.take_next()
            if job is None:
                if once:
                    return
                self._idle(sleep)
                continue
            done = jobs.run(job)
            self.stdout.write(f"{done}")
        self.stdout.write("stopped")

    def _idle(self, seconds: float) -> None:
        # In short steps, so that a stop request is answered within a tenth of a second.
        deadline = time.monotonic() + seconds
        while not self._stopping and time.monotonic() < deadline:
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))

    def _sweep(self) -> None:
        # Also what other apps registered: the analytics store catches up on what it missed.
        swept = liveness.sweep()
        if swept.jobs:
            self.stdout.write(f"{swept.jobs} job(s) left by a stopped process marked failed")
        if swept.batches:
            self.stdout.write(
                f"{swept.batches} import batch(es) left by a stopped process marked failed"
            )

    def _cleanup(self) -> None:
        # One query when not due; once a day one worker removes the files past retention.
        removed = services.jobs_cleanup_if_due()
        if removed is not None:
            self.stdout.write(
                f"daily cleanup: {removed['files']} file(s) of old jobs deleted, "
                f"{removed['file_rows']} file record(s) removed"
            )
