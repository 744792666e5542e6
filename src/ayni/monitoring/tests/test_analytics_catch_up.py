"""Values committed but not yet absorbed by the analytics store (the process stopped between
the import's commit and the refresh) are caught up: by the next refresh, by a re-import that
changes nothing, by the next read of the analytics and by the worker's sweep. The dashboards'
figures (the analytics queries) then show the new values."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from ayni.core.imports import _one_import_at_a_time
from ayni.core.models import ImportBatch
from ayni.monitoring import analytics
from ayni.monitoring.analytics import freshness, store
from ayni.monitoring.models import AnalyticsBacklog, DataValue, Indicator
from ayni.monitoring.tests.importing import make_catalogue, run_import, write_csv

pytestmark = pytest.mark.django_db

OLD = [["t-stunting", "03", "2014", "38.5", "t-endes-2014", "", ""]]
NEW = [["t-stunting", "03", "2014", "31.0", "t-endes-2014", "", ""]]
OTHER = [["t-births", "15", "2015", "120", "t-sien", "", ""]]


@pytest.fixture
def imported(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> Callable[[list[list[str]], str], ImportBatch]:
    """``imported(rows, name)``: a committed import (its on-commit work done, as in a real
    run), the store holding the old value first."""
    make_catalogue()

    def run(rows: list[list[str]], name: str) -> ImportBatch:
        with django_capture_on_commit_callbacks(execute=True):
            batch, _ = run_import(format="csv", path=write_csv(tmp_path / name, rows))
        return batch

    run(OLD, "old.csv")
    assert stunting_03() == 38.5
    return run


@contextmanager
def refresh_interrupted() -> Iterator[None]:
    """The process stops between the commit and the refresh: nothing reaches the store."""
    real = store._refresh_years

    def stop(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the process stopped")

    store._refresh_years = stop  # type: ignore[assignment]
    try:
        yield
    finally:
        store._refresh_years = real  # type: ignore[assignment]


def stunting_03() -> float | None:
    """The 2014 value of Apurímac in the store, read from its file (not through a query,
    which would catch up on the way)."""
    indicator = DataValue.objects.filter(indicator__code="t-stunting").values("indicator_id")[:1]
    path = store.partition_dir("PE", 2014, indicator[0]["indicator_id"]) / store.FILE_NAME
    import pyarrow.parquet as pq

    rows = pq.read_table(path).to_pylist()
    return next(r["value"] for r in rows if r["location_code"] == "03" and not r["disaggregation"])


@pytest.fixture
def crashed(imported: Callable[[list[list[str]], str], ImportBatch]) -> ImportBatch:
    """A new value committed, its batch recorded as succeeded, and the store still old."""
    with refresh_interrupted():
        batch = imported(NEW, "new.csv")
    assert DataValue.objects.get(indicator__code="t-stunting", location__code="03").value == 31
    assert batch.status == ImportBatch.Status.SUCCEEDED
    assert stunting_03() == 38.5
    assert list(AnalyticsBacklog.objects.values_list("batch", "year")) == [(batch.pk, 2014)]
    return batch


def dashboard_figure() -> float:
    """What the indicator pages show: the department's value from the analytics queries."""
    rows = analytics.indicator_by_location_year("t-stunting", years=[2014], country="PE")
    return next(r["value"] for r in rows if r["location_code"] == "03")


def test_the_next_refresh_catches_up(crashed: ImportBatch, imported: Any) -> None:
    imported(OTHER, "other.csv")  # another indicator and year: its refresh absorbs both
    assert stunting_03() == 31.0 and dashboard_figure() == 31.0
    assert not AnalyticsBacklog.objects.exists()


def test_a_reimport_that_changes_nothing_catches_up(crashed: ImportBatch, imported: Any) -> None:
    again = imported(NEW, "new.csv")
    assert again.counts["unchanged"] == 1 and again.counts["created"] == 0
    assert stunting_03() == 31.0 and dashboard_figure() == 31.0
    assert not AnalyticsBacklog.objects.exists()


def test_the_next_read_of_the_analytics_catches_up(crashed: ImportBatch, settings: Any) -> None:
    freshness.forget_catch_up()  # as in a process that has not read the store yet
    assert dashboard_figure() == 31.0
    assert not AnalyticsBacklog.objects.exists()


def test_reads_look_for_changes_to_absorb_at_most_every_sweep_interval(
    imported: Any, settings: Any, django_assert_num_queries: Any
) -> None:
    settings.AYNI_JOB_SWEEP_SECONDS = 3600
    info = Indicator.objects.get(code="t-stunting")
    freshness.forget_catch_up()
    with django_assert_num_queries(1):  # the first read of a process asks once
        analytics.stored_years(info, country="PE")
    with django_assert_num_queries(0):  # then not again before the interval
        analytics.stored_years(info, country="PE")
        analytics.series(info, country="PE")


def test_the_worker_sweep_catches_up(crashed: ImportBatch) -> None:
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert stunting_03() == 31.0 and dashboard_figure() == 31.0
    assert not AnalyticsBacklog.objects.exists()


def test_a_failed_catch_up_keeps_what_it_did_not_absorb(crashed: ImportBatch) -> None:
    with refresh_interrupted(), pytest.raises(RuntimeError):
        analytics.catch_up()
    assert AnalyticsBacklog.objects.count() == 1
    assert analytics.catch_up() is not None
    assert not AnalyticsBacklog.objects.exists() and stunting_03() == 31.0


def test_a_full_refresh_absorbs_everything(crashed: ImportBatch) -> None:
    analytics.refresh()
    assert not AnalyticsBacklog.objects.exists() and stunting_03() == 31.0


def test_a_dry_run_records_nothing_to_absorb(imported: Any, tmp_path: Path) -> None:
    run_import(format="csv", path=write_csv(tmp_path / "dry.csv", NEW), dry_run=True)
    assert not AnalyticsBacklog.objects.exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL writes do not wait")
def test_a_read_during_an_import_on_sqlite_leaves_the_catch_up_to_it(crashed: ImportBatch) -> None:
    # Forgetting what it absorbed is a write, which would wait for the import's write lock.
    freshness.forget_catch_up()
    with _one_import_at_a_time() as ours:
        assert ours
        assert dashboard_figure() == 38.5
    assert AnalyticsBacklog.objects.count() == 1
    freshness.forget_catch_up()
    assert dashboard_figure() == 31.0
