"""Background jobs: the progress of a job that writes in one transaction shows while it runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from ayni.core import jobs
from ayni.core.models import Job

KIND = "test.progress"


@pytest.fixture
def handler() -> Iterator[list[Any]]:
    """A job that reports progress inside a transaction, as an import does, and records what
    ``live`` and a second connection saw meanwhile."""
    seen: list[Any] = []

    def work(job: Job, report: Callable[..., None]) -> dict[str, Any]:
        with transaction.atomic():
            report(3, 10)
            seen.append(jobs.live(Job.objects.get(pk=job.pk)).progress_done)
            if connection.vendor == "postgresql":
                other = connections.create_connection(DEFAULT_DB_ALIAS)
                try:
                    with other.cursor() as cursor:
                        cursor.execute("SELECT progress_done FROM core_job WHERE id = %s", [job.pk])
                        seen.append(cursor.fetchone())
                finally:
                    other.close()
            report(7)
        return {"ok": True}

    jobs.HANDLERS[KIND] = work
    yield seen
    del jobs.HANDLERS[KIND]


@pytest.mark.django_db
def test_progress_inside_a_transaction_is_live_in_this_process_and_kept_at_the_end(
    handler: list[Any],
) -> None:
    job = jobs.run(Job.objects.create(kind=KIND, payload={}))
    assert handler[0] == 3  # the row may lag; this process's pages read the live progress
    stored = Job.objects.get(pk=job.pk)
    assert (stored.status, stored.progress_done, stored.progress_total) == (
        Job.Status.SUCCEEDED,
        7,
        10,
    )
    assert jobs.live(stored).progress_done == 7  # finished: nothing live is left


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_other_connections_see_progress_while_the_transaction_runs(
    handler: list[Any],
) -> None:
    # A worker in another process: the page reads the row, which must move before the
    # import commits. Committed job row (transaction=True), as in a real run.
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one connection write at a time; progress stays in-process")
    job = jobs.run(Job.objects.create(kind=KIND, payload={}))
    assert handler == [3, (3,)]
    assert Job.objects.get(pk=job.pk).progress_done == 7
