import time
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
        # Jobs and import batches that a stopped process left running are failed first, so
        # the jobs can be retried.
        self._sweep()
        self._cleanup()
        last_sweep = time.monotonic()
        while True:
            if time.monotonic() - last_sweep >= settings.AYNI_JOB_SWEEP_SECONDS:
                self._sweep()
                self._cleanup()
                last_sweep = time.monotonic()
            job = jobs.take_next()
            if job is None:
                if options["once"]:
                    return
                time.sleep(options["sleep"])
                continue
            done = jobs.run(job)
            self.stdout.write(f"{done}")

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
