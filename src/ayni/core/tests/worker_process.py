"""A real ``ayni worker`` process for tests, which also knows a job kind that blocks until a
file appears (``test.block``): a test starts it, kills it mid-job, and checks what is left.

``python -m ayni.core.tests.worker_process [worker options]``; the database comes from
``DATABASE_URL`` as for any Ayni process.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BLOCK = "test.block"


def register() -> None:
    """Register ``test.block`` in this process."""
    from ayni.core.jobs import job_handler
    from ayni.core.models import Job

    @job_handler(BLOCK, title="Blocking test job")
    def block(job: Job, report: Callable[..., None]) -> dict[str, Any]:
        report(1, 2)
        release = Path(job.payload["release"])
        deadline = time.monotonic() + 60  # never hang a test run for ever
        while not release.exists():
            if time.monotonic() > deadline:
                raise TimeoutError("the test never released the job")
            time.sleep(0.05)
        report(2, 2)
        return {"released": True, "pid": os.getpid()}


def unregister() -> None:
    from ayni.core.jobs import HANDLERS, KINDS

    HANDLERS.pop(BLOCK, None)
    KINDS.pop(BLOCK, None)


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ayni.settings")
    import django

    django.setup()
    register()
    from django.core.management import call_command

    call_command("worker", *argv)


if __name__ == "__main__":
    main(sys.argv[1:])
