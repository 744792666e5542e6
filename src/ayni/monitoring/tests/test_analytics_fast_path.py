"""The refresh's fast path (COPY into Arrow on PostgreSQL, the source-picking window only where
an indicator has several sources, years in parallel) writes the same files as the portable
path, on whichever database the suite runs (SQLite, or PostgreSQL with DATABASE_URL); and the
``pairs`` of ``values_changed`` refresh exactly the partitions they name."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.db import connection, transaction

from ayni.core.database import copy_supported
from ayni.monitoring import analytics
from ayni.monitoring.analytics import store
from ayni.monitoring.models import DataSource, DataValue, Dimension
from ayni.monitoring.signals import values_changed
from ayni.monitoring.tests.test_analytics import (  # noqa: F401 - fixtures
    data,
    expected_department_values,
    files,
    place,
    store_dir,
)


@pytest.fixture
def awkward(data: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """Values that a text round trip could get wrong: quotes, commas, a backslash, a tab and a
    newline in a key, decimals that are not exact in binary, the largest the column holds,
    and empty bounds."""
    survey = data["survey"]
    DataValue.objects.bulk_create(
        [
            DataValue(
                indicator=data["births"],
                location=place("0301"),
                year=2014,
                period="2014",
                period_type="Y",
                disaggregation='note="a,b"',
                value=Decimal("0.1"),
                lower=None,
                upper=Decimal("99999999999999.999999"),
                numerator=Decimal("-0.000001"),
                denominator=Decimal("3.3"),
                source=survey,
            ),
            DataValue(  # COPY escapes these: the year is read through the DB-API instead
                indicator=data["births"],
                location=place("0301"),
                year=2012,
                period="2012",
                period_type="Y",
                disaggregation="note=C:\\data\tnew\nline",
                value=Decimal(1),
                source=survey,
            ),
            DataValue(
                indicator=data["births"],
                location=place("0302"),
                year=2014,
                period="2014-03",
                period_type="M",
                value=Decimal("12345678.123457"),
                source=survey,
                is_illustrative=True,
            ),
        ]
    )
    return data


def refreshed(settings: Any, root: Path, *, fast: bool) -> dict[str, Any]:
    """Refresh everything into ``root`` by one path; relative path → the file's table."""
    settings.AYNI_ANALYTICS_DIR = str(root)
    settings.AYNI_ANALYTICS_FAST_REFRESH = fast
    summary = analytics.refresh()
    tables = {
        str(path.relative_to(root)): pq.read_table(path) for path in sorted(root.rglob("*.parquet"))
    }
    assert summary.written == len(tables) > 0
    return tables


def assert_same_files(fast: dict[str, Any], portable: dict[str, Any]) -> None:
    assert fast.keys() == portable.keys()
    for path, table in fast.items():
        assert table.schema.equals(portable[path].schema, check_metadata=True), path
        assert table.equals(portable[path]), path


def test_fast_and_portable_reads_return_the_same_arrow_table(awkward: dict[str, Any]) -> None:
    # On PostgreSQL (psycopg 3) the fast read is COPY … TO STDOUT parsed by pyarrow; on other
    # databases both reads take the DB-API path, and this is a check of the switch alone.
    assert copy_supported(connection) == (connection.vendor == "postgresql")
    if copy_supported(connection):
        assert store._raw_by_copy(connection, store._values(2014, None)) is not None
        assert store._raw_by_copy(connection, store._values(2012, None)) is None  # escapes
    for year in [2012, 2014, 2016]:
        fast = store._raw_table(year, None, fast=True)
        portable = store._raw_table(year, None, fast=False)
        assert fast.num_rows == DataValue.objects.filter(year=year).count()
        assert fast.sort_by("location_id").equals(portable.sort_by("location_id")), year


def test_fast_path_and_portable_path_write_the_same_files(
    awkward: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    fast = refreshed(settings, tmp_path / "fast", fast=True)
    portable = refreshed(settings, tmp_path / "portable", fast=False)
    assert_same_files(fast, portable)
    # Both branches of the source picking ran: stunting has three sources, births one.
    stunting = fast[f"PE/values/year=2014/indicator_id={awkward['stunting'].id}/part-0.parquet"]
    assert not all(stunting.column("is_preferred").to_pylist())
    births = fast[f"PE/values/year=2014/indicator_id={awkward['births'].id}/part-0.parquet"]
    assert all(births.column("is_preferred").to_pylist())
    assert 'note="a,b"' in births.column("disaggregation").to_pylist()


def test_incremental_refresh_by_either_path_writes_the_same_partition(
    data: dict[str, Any],  # noqa: F811
    settings: Any,
    tmp_path: Path,
) -> None:
    stunting = data["stunting"].id
    for fast in (True, False):
        settings.AYNI_ANALYTICS_DIR = str(tmp_path / str(fast))
        settings.AYNI_ANALYTICS_FAST_REFRESH = fast
        assert analytics.refresh(pairs={(stunting, 2014)}).written == 1
    path = f"PE/values/year=2014/indicator_id={stunting}/part-0.parquet"
    assert pq.read_table(tmp_path / "True" / path).equals(pq.read_table(tmp_path / "False" / path))


@pytest.fixture
def committed_world(transactional_db: None) -> None:
    # Transactional tests start from an empty database when another one ran before: build
    # the shared fixtures again.
    from ayni.core.tests.world import build_world
    from ayni.geography.models import Location

    if not Location.objects.exists():
        build_world()


@pytest.mark.django_db(transaction=True)
def test_years_refreshed_in_parallel_write_what_one_after_the_other_does(
    committed_world: None, awkward: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    # Committed data (transaction=True): the worker threads' own connections see it.
    parallel = store.refresh_in_parallel(connection, years=3, fast=True)
    assert parallel == (connection.vendor == "postgresql")
    fast = refreshed(settings, tmp_path / "fast", fast=True)
    portable = refreshed(settings, tmp_path / "portable", fast=False)
    assert_same_files(fast, portable)


def test_no_parallel_refresh_inside_a_transaction(db: None) -> None:
    # Another connection could not see the rows this transaction has not committed yet.
    with transaction.atomic():
        assert not store.refresh_in_parallel(connection, years=3, fast=True)
    assert not store.refresh_in_parallel(connection, years=1, fast=True)


def test_pairs_refresh_exactly_the_partitions_named(
    data: dict[str, Any],  # noqa: F811
    store_dir: Path,  # noqa: F811
) -> None:
    analytics.refresh()
    before = files(store_dir)
    births = data["births"].id
    DataValue.objects.filter(indicator_id=births, year=2016).update(value=Decimal(7))
    # Of the 2 indicators × 3 years stored, the import touched one (indicator, year).
    values_changed.send(sender=DataValue, pairs={(births, 2016)}, batch=None)
    after = files(store_dir)
    assert [path for path in after if after[path] != before[path]] == [
        f"PE/values/year=2016/indicator_id={births}/part-0.parquet"
    ]
    rows = analytics.indicator_by_location_year("births", years=[2016], country="PE")
    assert [(r["value"], r["places"]) for r in rows] == [(21.0, 3)]


def test_pairs_remove_a_partition_whose_values_are_gone(
    data: dict[str, Any],  # noqa: F811
    store_dir: Path,  # noqa: F811
) -> None:
    analytics.refresh()
    coverage = data["coverage"].id
    DataValue.objects.filter(indicator_id=coverage, year=2012).delete()
    summary = analytics.refresh(pairs={(coverage, 2012), (coverage, 2014)})
    assert (summary.written, summary.removed) == (1, 1)
    assert analytics.stored_years("coverage", country="PE") == [2014, 2016]


def test_a_second_source_for_one_indicator_is_picked_as_before(
    data: dict[str, Any],  # noqa: F811
    store_dir: Path,  # noqa: F811
) -> None:
    # births had one source (no window needed); a newer one arrives for one district.
    newer = DataSource.objects.create(code="registry", kind="admin", name_es="Registro", year=2015)
    DataValue.objects.create(
        indicator=data["births"],
        location=place("030101"),
        year=2016,
        period="2016",
        period_type="Y",
        value=Decimal(500),
        source=newer,
    )
    analytics.refresh(pairs={(data["births"].id, 2016)})
    rows = analytics.series("births", location_code="030101", country="PE")
    assert [(r["year"], r["value"], r["source_code"]) for r in rows][-1] == (
        2016,
        500.0,
        "registry",
    )


def test_a_partition_rewritten_after_a_query_is_read_anew(
    data: dict[str, Any],  # noqa: F811
    store_dir: Path,  # noqa: F811
) -> None:
    # The query connection caches Parquet footers; the rewrite comes within the same second.
    analytics.refresh()
    assert analytics.series("births", location_code="030102", country="PE")[-1]["value"] == 50.0
    DataValue.objects.filter(indicator=data["births"], location__code="030102", year=2016).update(
        value=Decimal("50.5")
    )
    analytics.refresh(pairs={(data["births"].id, 2016)})
    assert analytics.series("births", location_code="030102", country="PE")[-1]["value"] == 50.5


def test_files_written_before_a_new_dimension_are_read_with_the_newer_ones(
    data: dict[str, Any],  # noqa: F811
    store_dir: Path,  # noqa: F811
) -> None:
    analytics.refresh()
    Dimension.objects.create(code="disability", name_es="d", name_en="d", position=9)
    analytics.refresh(pairs={(data["stunting"].id, 2016)})  # only this file has the column
    older = store_dir / f"PE/values/year=2014/indicator_id={data['stunting'].id}/part-0.parquet"
    newer = store_dir / f"PE/values/year=2016/indicator_id={data['stunting'].id}/part-0.parquet"
    assert "dim_disability" not in pq.read_schema(older).names
    assert "dim_disability" in pq.read_schema(newer).names
    rows = analytics.indicator_by_location_year("stunting", country="PE")
    assert {(r["location_code"], r["year"]): r["value"] for r in rows} == (
        expected_department_values("stunting")
    )
