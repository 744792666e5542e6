"""Benchmark of the analytics store (targets in docs/benchmarks.md).

Run from the checkout:  .venv/bin/python bench/analytics_bench.py [--reps N] [--db-indicators N]

Two datasets, both reproducible (values are a fixed function of their coordinates, no random
numbers), under var/bench/ (git-ignored):

- **DB-side**: a fresh SQLite database (or BENCH_DATABASE_URL) with Peru's 2,114 places and
  ``--db-indicators`` (default 10) indicators × 5 years × 2,114 places × 10 disaggregations
  (1,057,000 values by default), inserted with executemany. It measures the full refresh, the
  incremental refresh after a 10,000-value change, the year-only alternative, and the baseline:
  the same "indicator by department by year" aggregation by the Django ORM on the
  transactional table, against DuckDB on the store refreshed from that same database.
- **10M store**: 100 indicators × 5 years × 2,114 places × 10 disaggregations = 10,570,000
  values written by DuckDB directly as Parquet in the store's layout and schema (checked
  against a file written by the refresh). It measures the two query targets.

Every timing is the median of ``--reps`` runs after one warm-up run, whose time is reported
separately as "first".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench"
YEARS = [2012, 2013, 2014, 2015, 2016]
DISAGGREGATIONS = [
    "",
    "sex=F",
    "sex=M",
    "area=rural",
    "area=urban",
    *[f"wealth_quintile=Q{q}" for q in range(1, 6)],
]
STORE_INDICATORS = 100


def setup_django(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "ayni.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["AYNI_DATA_DIR"] = str(WORK)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def check(condition: bool, message: object) -> None:
    """The bench refuses to report timings of queries that return the wrong thing."""
    if not condition:
        raise SystemExit(f"check failed: {message}")


def timed(function: Callable[[], Any], reps: int) -> dict[str, float]:
    """First run (cold caches) and the median of ``reps`` further runs, in milliseconds."""
    started = time.perf_counter()
    function()
    first = (time.perf_counter() - started) * 1000
    runs = []
    for _ in range(reps):
        started = time.perf_counter()
        function()
        runs.append((time.perf_counter() - started) * 1000)
    return {
        "first_ms": round(first, 2),
        "median_ms": round(statistics.median(runs), 2),
        "min_ms": round(min(runs), 2),
        "max_ms": round(max(runs), 2),
        "reps": reps,
    }


def value_of(indicator: int, location: int, year: int, k: int) -> float:
    return ((indicator * 7919 + location * 104729 + year * 31 + k * 17) % 1000) / 10


def build_database(db_indicators: int) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection, transaction

    from ayni.geography.models import Location
    from ayni.geography.services import geography_load_peru
    from ayni.monitoring.models import DataSource, DataValue, Dimension, DimensionValue, Indicator

    call_command("migrate", verbosity=0)
    geography_load_peru()
    for position, (code, values) in enumerate(
        [
            ("sex", ["F", "M"]),
            ("area", ["rural", "urban"]),
            ("wealth_quintile", [f"Q{q}" for q in range(1, 6)]),
        ]
    ):
        dimension = Dimension.objects.create(
            code=code, name_es=code, name_en=code, position=position
        )
        for value in values:
            DimensionValue.objects.create(
                dimension=dimension, code=value, name_es=value, name_en=value
            )
    source = DataSource.objects.create(code="bench", kind="other", name_es="Bench", year=2016)
    indicators = Indicator.objects.bulk_create(
        Indicator(
            code=f"bench-{n:03d}",
            name_es=f"Bench {n}",
            name_en=f"Bench {n}",
            unit="number",
            direction="up",
        )
        for n in range(STORE_INDICATORS)
    )
    locations = list(
        Location.objects.filter(country__iso2="PE").order_by("id").values_list("id", flat=True)
    )
    table = DataValue._meta.db_table
    sql = (
        f"INSERT INTO {table} (indicator_id, location_id, period_type, period, year, "  # noqa: S608
        "disaggregation, value, source_id, flags, is_illustrative) "
        "VALUES (%s, %s, 'Y', %s, %s, %s, %s, %s, '', %s)"
    )
    started = time.perf_counter()
    rows = 0
    for indicator in indicators[:db_indicators]:
        batch = [
            (
                indicator.id,
                loc,
                str(year),
                year,
                key,
                value_of(indicator.id, loc, year, k),
                source.id,
                False,
            )
            for year in YEARS
            for loc in locations
            for k, key in enumerate(DISAGGREGATIONS)
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)
        rows += len(batch)
    return {
        "rows": rows,
        "places": len(locations),
        "insert_s": round(time.perf_counter() - started, 1),
        "indicators": [i.code for i in indicators],
        "indicator_ids": [i.id for i in indicators],
    }


def generate_store(target: Path) -> dict[str, Any]:
    """10.57M values as Parquet, in the layout and schema the refresh writes."""
    import duckdb

    from ayni.monitoring.analytics import store
    from ayni.monitoring.models import Indicator

    started = time.perf_counter()
    shutil.rmtree(target, ignore_errors=True)
    connection = duckdb.connect()
    connection.register("locations", store._location_table())
    connection.register(
        "disaggregations",
        store._disaggregation_table(DISAGGREGATIONS, store.dimension_codes()),
    )
    ids = list(
        Indicator.objects.filter(code__startswith="bench-").order_by("id").values_list("id", "code")
    )
    connection.execute("CREATE TABLE indicators (id BIGINT, code VARCHAR)")
    connection.executemany("INSERT INTO indicators VALUES (?, ?)", ids)
    connection.execute("CREATE TABLE years AS SELECT unnest(?::INTEGER[]) AS year", [YEARS])
    dims = ", ".join(f'd."{store.dimension_column(code)}"' for code in store.dimension_codes())
    ancestors = ", ".join(f"l.{c}" for c in store.ANCESTOR_COLUMNS.values())
    out = target / "PE" / "values"
    out.mkdir(parents=True)
    # Same formula as value_of(), so both datasets are the same function of their coordinates.
    connection.execute(
        f"""
        COPY (
            SELECT y.year, i.id AS indicator_id, i.code AS indicator_code,
                   l.id AS location_id, l.code AS location_code, l.name AS location_name,
                   l.depth AS level, {ancestors},
                   'Y' AS period_type, y.year::VARCHAR AS period,
                   NULL::SMALLINT AS quarter, NULL::SMALLINT AS month,
                   d.disaggregation, {dims},
                   ((i.id * 7919 + l.id * 104729 + y.year * 31 + d.k * 17) % 1000) / 10.0
                       AS value,
                   NULL::DOUBLE AS lower, NULL::DOUBLE AS upper,
                   NULL::DOUBLE AS numerator, NULL::DOUBLE AS denominator,
                   1::BIGINT AS source_id, 'bench' AS source_code, 2016 AS source_year,
                   FALSE AS is_illustrative, TRUE AS is_preferred
            FROM indicators i, years y, locations l,
                 (SELECT *, row_number() OVER () - 1 AS k FROM disaggregations) d
            WHERE l.iso2 = 'PE'
            ORDER BY y.year, i.id, level, location_code, d.disaggregation
        ) TO '{out}' (FORMAT parquet, PARTITION_BY (year, indicator_id),
                      FILENAME_PATTERN 'part-{{i}}')
        """  # noqa: S608 - bench-only, no user input
    )
    rows = connection.execute(
        "SELECT count(*) FROM read_parquet(?, hive_partitioning = true)",
        [f"{out}/**/*.parquet"],
    ).fetchone()
    files = sorted(out.rglob("*.parquet"))
    size = sum(path.stat().st_size for path in files)
    return {
        "rows": rows[0] if rows else 0,
        "files": len(files),
        "bytes": size,
        "generate_s": round(time.perf_counter() - started, 1),
    }


def schema_of(path: Path) -> list[tuple[str, str]]:
    import duckdb

    result = duckdb.connect().execute(
        "DESCRIBE SELECT * FROM read_parquet(?, hive_partitioning = true, "
        "hive_types = {'year': INTEGER, 'indicator_id': BIGINT})",
        [str(path)],
    )
    return [(row[0], row[1]) for row in result.fetchall()]


def orm_by_department_year(code: str) -> list[Any]:
    """The baseline: what indicator_by_location_year computes, by the ORM on the
    transactional table: the departments' own values, and the sum of their districts'."""
    from django.db.models import Sum

    from ayni.monitoring.models import DataValue

    values = DataValue.objects.filter(
        indicator__code=code, period_type="Y", disaggregation=""
    ).order_by()
    reported = list(
        values.filter(location__level__depth=1).values_list("location__code", "year", "value")
    )
    rolled = list(
        values.filter(location__level__depth=2)
        .values("location__parent__code", "year")
        .annotate(total=Sum("value"))
        .values_list("location__parent__code", "year", "total")
    )
    return reported + rolled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--db-indicators", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep var/bench afterwards")
    args = parser.parse_args()

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    database_url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{WORK / 'bench.sqlite3'}")
    setup_django(database_url)
    from django.conf import settings
    from django.db import connection

    from ayni.monitoring import analytics
    from ayni.monitoring.models import DataValue

    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python "
        f"{platform.python_version()}, {platform.system()}",
        "database": connection.vendor,
        "reps": args.reps,
    }
    import duckdb
    import pyarrow

    results["versions"] = {"duckdb": duckdb.__version__, "pyarrow": pyarrow.__version__}
    print("building the database…", flush=True)
    db = build_database(args.db_indicators)
    results["db"] = {k: v for k, v in db.items() if k not in {"indicators", "indicator_ids"}}
    print(results["db"], flush=True)

    # --- refresh from the database ------------------------------------------------------
    settings.AYNI_ANALYTICS_DIR = str(WORK / "store-db")
    full = [analytics.refresh() for _ in range(3)]
    results["full_refresh"] = {
        "rows": full[0].rows,
        "partitions": full[0].written,
        "median_s": round(statistics.median(s.seconds for s in full), 2),
        "runs_s": [round(s.seconds, 2) for s in full],
        "rows_per_s": round(full[0].rows / statistics.median(s.seconds for s in full)),
    }
    print("full refresh", results["full_refresh"], flush=True)

    first_id = db["indicator_ids"][0]
    ids_10k = list(
        DataValue.objects.filter(indicator_id=first_id, year=2014)
        .order_by("id")
        .values_list("id", flat=True)[:10_000]
    )

    def change_and_refresh(step: int) -> float:
        DataValue.objects.filter(id__in=ids_10k).update(value=step)
        started = time.perf_counter()
        analytics.refresh(indicator_ids=[first_id], years=[2014])
        return time.perf_counter() - started

    runs = [change_and_refresh(step) for step in range(1, 6)]
    results["incremental_1x1"] = {
        "changed_values": len(ids_10k),
        "partitions": 1,
        "median_s": round(statistics.median(runs), 3),
        "runs_s": [round(r, 3) for r in runs],
    }
    # The same 10,000 values spread over 5 indicators × 2 years: 10 partitions to rewrite.
    spread_ids = []
    for indicator_id in db["indicator_ids"][: min(5, args.db_indicators)]:
        for year in (2015, 2016):
            spread_ids += list(
                DataValue.objects.filter(indicator_id=indicator_id, year=year)
                .order_by("id")
                .values_list("id", flat=True)[:1_000]
            )

    def spread(step: int) -> float:
        DataValue.objects.filter(id__in=spread_ids).update(value=step)
        started = time.perf_counter()
        analytics.refresh(
            indicator_ids=db["indicator_ids"][: min(5, args.db_indicators)], years=[2015, 2016]
        )
        return time.perf_counter() - started

    runs = [spread(step) for step in range(1, 6)]
    results["incremental_5x2"] = {
        "changed_values": len(spread_ids),
        "partitions": 10,
        "median_s": round(statistics.median(runs), 3),
        "runs_s": [round(r, 3) for r in runs],
    }
    # What year-only partitioning would have to do: rebuild the whole year.
    runs = []
    for _ in range(3):
        summary = analytics.refresh(years=[2014])
        runs.append(summary.seconds)
    year_rows = summary.rows
    results["year_partition_rebuild"] = {
        "rows": year_rows,
        "median_s": round(statistics.median(runs), 2),
        "runs_s": [round(r, 2) for r in runs],
    }
    print("incremental", results["incremental_1x1"], results["incremental_5x2"], flush=True)
    print("year rebuild", results["year_partition_rebuild"], flush=True)

    # --- baseline: the ORM on the transactional table vs DuckDB on the same data ----------
    code = db["indicators"][args.db_indicators - 1]
    orm = timed(lambda: orm_by_department_year(code), max(3, args.reps // 4))
    duck = timed(lambda: analytics.indicator_by_location_year(code, level="department"), args.reps)
    check(
        len(analytics.indicator_by_location_year(code, level="department")) == 25 * len(YEARS), code
    )
    results["baseline_same_data"] = {
        "orm": orm,
        "duckdb": duck,
        "ratio_orm_over_duckdb": round(orm["median_ms"] / duck["median_ms"], 1),
    }
    print("baseline", results["baseline_same_data"], flush=True)

    # --- 10M values --------------------------------------------------------------------
    print("generating 10M values…", flush=True)
    big = WORK / "store-10m"
    results["store_10m"] = generate_store(big)
    print(results["store_10m"], flush=True)
    written = next((WORK / "store-db").rglob("part-0.parquet"))
    generated = next(big.rglob("part-0.parquet"))
    check(schema_of(written) == schema_of(generated), (schema_of(written), schema_of(generated)))
    settings.AYNI_ANALYTICS_DIR = str(big)
    one = db["indicators"][42]
    ten = db["indicators"][40:50]
    rows = analytics.indicator_by_location_year(one, level="department")
    check(len(rows) == 25 * len(YEARS), len(rows))
    matrix = analytics.indicators_matrix(ten, level="department", years=YEARS)
    check(len(matrix) == 10 * 25 * len(YEARS), len(matrix))
    results["query_one_indicator"] = timed(
        lambda: analytics.indicator_by_location_year(one, level="department"), args.reps
    )
    results["query_matrix_10x25x5"] = timed(
        lambda: analytics.indicators_matrix(ten, level="department", years=YEARS), args.reps
    )
    results["query_series_district"] = timed(
        lambda: analytics.series(one, location_code="030101"), args.reps
    )
    results["query_province_level"] = timed(
        lambda: analytics.indicator_by_location_year(one, level="province"), args.reps
    )
    print(json.dumps(results, indent=2))
    (ROOT / "var").mkdir(exist_ok=True)
    out = ROOT / "var" / "bench-results.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"written to {out}")
    if not args.keep:
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
