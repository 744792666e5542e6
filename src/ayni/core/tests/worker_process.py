"""A real ``ayni worker`` process for tests, which also knows a job kind that blocks until a
file appears (``test.block``): a test starts it, kills it mid-job, and checks what is left.

With ``AYNI_TEST_BLOCK_AT`` set, an import blocks the same way at that point: ``import`` in
the middle of its transaction (before it writes its values), ``refresh`` after its commit,
before the analytics store is refreshed. It touches ``<AYNI_TEST_BLOCK_FILE>.reached`` there,
and goes on when ``AYNI_TEST_BLOCK_FILE`` appears.

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


def _wait_for_release() -> None:
    release = Path(os.environ["AYNI_TEST_BLOCK_FILE"])
    release.with_suffix(".reached").touch()
    deadline = time.monotonic() + 60  # never hang a test run for ever
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def block_where_asked() -> None:
    """Make an import block at ``AYNI_TEST_BLOCK_AT`` (see the module docstring)."""
    where = os.environ.get("AYNI_TEST_BLOCK_AT")
    if where == "import":
        from ayni.monitoring.imports import pipeline

        write = pipeline.compare_and_write

        def blocked_write(*args: Any, **kwargs: Any) -> Any:
            _wait_for_release()
            return write(*args, **kwargs)

        pipeline.compare_and_write = blocked_write  # type: ignore[assignment]
    elif where == "refresh":
        from ayni.monitoring.analytics import store

        refresh = store.refresh

        def blocked_refresh(*args: Any, **kwargs: Any) -> Any:
            _wait_for_release()
            return refresh(*args, **kwargs)

        store.refresh = blocked_refresh  # type: ignore[assignment]


def unregister() -> None:
    from ayni.core.jobs import HANDLERS, KINDS

    HANDLERS.pop(BLOCK, None)
    KINDS.pop(BLOCK, None)


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ayni.settings")
    import django

    django.setup()
    register()
    block_where_asked()
    from django.core.management import call_command

    call_command("worker", *argv)


if __name__ == "__main__":
    main(sys.argv[1:])
