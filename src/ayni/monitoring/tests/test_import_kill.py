"""An import whose worker is killed with SIGKILL: in the middle of its transaction (nothing is
written; its batch is found failed by the next worker), and after its commit while the
analytics store is refreshed (its batch says succeeded; the next worker's sweep brings the
store, and so the dashboards' figures, up to date)."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ayni.accounts.models import User
from ayni.core import jobs
from ayni.core.models import ImportBatch, Job
from ayni.core.tests.test_job_kill import finish, shared_database, wait_for, worker
from ayni.core.tests.world import build_world
from ayni.geography.models import Country, Location
from ayni.monitoring import analytics
from ayni.monitoring.analytics import store
from ayni.monitoring.import_views import import_payload
from ayni.monitoring.models import AnalyticsBacklog, DataValue
from ayni.monitoring.tests.importing import make_catalogue, run_import

__all__ = ["shared_database"]  # the fixture, used by name

HEADER = "indicator,location,period,value,source\n"
OLD = HEADER + "t-stunting,03,2014,38.5,t-endes-2014\n"
NEW = HEADER + "t-stunting,03,2014,31.0,t-endes-2014\n"
INTERRUPTED = "Interrupted: the process running it ended before it finished; nothing was written."


@pytest.fixture
def world(shared_database: str, tmp_path: Path, settings: Any) -> str:
    """The shared database with the test world, the catalogue, and the old value imported
    (so in the store); this process uses the same files as the workers it starts."""
    if not Location.objects.exists():
        build_world()  # a transactional test before this one flushed the session's world
    make_catalogue()
    settings.AYNI_JOBS = "worker"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    settings.AYNI_ANALYTICS_DIR = tmp_path / "data" / "analytics"
    (tmp_path / "old.csv").write_text(OLD, encoding="utf-8")
    run_import(format="csv", path=tmp_path / "old.csv", country=Country.objects.get(iso2="PE"))
    assert in_store() == 38.5
    return shared_database


def in_store() -> float:
    """Apurímac's 2014 value as the store's file holds it (read without catching up)."""
    indicator = DataValue.objects.filter(indicator__code="t-stunting").first()
    assert indicator is not None
    path = store.partition_dir("PE", 2014, indicator.indicator_id) / store.FILE_NAME
    rows = pq.read_table(path).to_pylist()
    return next(r["value"] for r in rows if r["location_code"] == "03" and not r["disaggregation"])


def new_import() -> Job:
    ana = User.objects.get(username="ana")
    payload = import_payload(file_name="nuevo.csv", fmt="csv", atomic=True, dry_run=False, user=ana)
    payload["language"] = "en"
    upload = SimpleUploadedFile("nuevo.csv", NEW.encode())
    return jobs.enqueue("monitoring.import", payload=payload, user=ana, inputs={"data": upload})


def store_env(tmp_path: Path) -> dict[str, str]:
    return {"AYNI_ANALYTICS_DIR": str(tmp_path / "data" / "analytics")}


def killed_at(where: str, database_url: str, tmp_path: Path) -> None:
    """Start a worker that blocks the import at ``where``; kill it there with SIGKILL."""
    release = tmp_path / f"release-{where}"
    process = worker(
        database_url,
        tmp_path,
        "--sleep",
        "0.1",
        AYNI_TEST_BLOCK_AT=where,
        AYNI_TEST_BLOCK_FILE=str(release),
        **store_env(tmp_path),
    )
    try:
        wait_for(lambda: release.with_suffix(".reached").exists())
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL


def test_imports_killed_mid_transaction_and_mid_refresh_leave_right_records(
    world: str, tmp_path: Path
) -> None:
    # One test for both, so that the shared world is built once (it takes seconds).
    first = new_import()
    killed_at("import", world, tmp_path)
    batch = ImportBatch.objects.get(job=first)
    # Nothing could record its end: the batch still says running, and nothing was written.
    assert batch.status == ImportBatch.Status.RUNNING and batch.worker_pid
    assert DataValue.objects.get(indicator__code="t-stunting", location__code="03").value == 38.5

    # The next worker fails it at its start, then runs the same import again, which this
    # time is killed after its commit, during the refresh of the store.
    second = jobs.enqueue(
        "monitoring.import", payload=first.payload, user=first.created_by, inputs_from=first
    )
    killed_at("refresh", world, tmp_path)
    batch.refresh_from_db()
    assert (batch.status, batch.message) == (ImportBatch.Status.FAILED, INTERRUPTED)
    assert Job.objects.get(pk=first.pk).status == Job.Status.FAILED
    # The values and the batch's success were committed together; the store is still old.
    done = ImportBatch.objects.get(job=second)
    assert done.status == ImportBatch.Status.SUCCEEDED and done.counts["updated"] == 1
    assert DataValue.objects.get(indicator__code="t-stunting", location__code="03").value == 31
    assert in_store() == 38.5
    assert list(AnalyticsBacklog.objects.values_list("batch", flat=True)) == [done.pk]

    # The next worker's sweep brings the store, and the dashboards' figures, up to date.
    finish(worker(world, tmp_path, "--once", **store_env(tmp_path)))
    assert in_store() == 31.0 and not AnalyticsBacklog.objects.exists()
    rows = analytics.indicator_by_location_year("t-stunting", years=[2014], country="PE")
    assert [r["value"] for r in rows if r["location_code"] == "03"] == [31.0]
    assert ImportBatch.objects.get(pk=done.pk).status == ImportBatch.Status.SUCCEEDED
