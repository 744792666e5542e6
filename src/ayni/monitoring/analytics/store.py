"""The analytics store on disk: layout, schema and refresh from the transactional tables.

Layout (hive partitioning, readable unchanged by DuckDB, Spark, pandas, Polars)::

    <store_root()>/<country iso2>/values/year=YYYY/indicator_id=ID/part-0.parquet

One file per (country, year, indicator). ``year`` and ``indicator_id`` are the partition keys:
they live in the directory names, not inside the files (Spark refuses a column that is both in
the files and in the path), and every reader that understands hive partitioning shows them as
columns.

Why year *and* indicator: a 10,000-value import touches a few indicators; with year-only
partitions it would rewrite a whole year (1–2 million rows in a 10-million-value store), which
measured far above the 2-second target (see docs/benchmarks.md); with (year, indicator) it
rewrites a few files of ~20,000 rows each. Queries name their indicators, so the extra level
also prunes reads to exactly the files needed.

Every file is written to a temporary name in its directory and moved into place with
``os.replace`` (atomic on POSIX), so a reader sees the old file or the new one, never half.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import shutil
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import FloatField, IntegerField, QuerySet
from django.db.models.functions import Cast

from ayni.core.database import copy_supported
from ayni.geography.models import Location
from ayni.monitoring.models import DataSource, DataValue, Dimension, Indicator

logger = logging.getLogger(__name__)

FILE_NAME = "part-0.parquet"
CHUNK_SIZE = 20_000
# Rows are sorted by level, then place: with row groups of 8,192 rows (about 3 per file) the
# min/max statistics of ``level`` and ``location_code`` let DuckDB skip the row groups a query
# for one level or place cannot need. Measured on the 10M store: the 10-indicator matrix in
# 24 ms with 8,192, 23 ms with 4,096, 34 ms with one row group per file; 2,048 made files 80 %
# larger and writing 35 % slower for no gain. Statistics only on the columns queries filter
# on: writing them for every column took about a third of the write time.
ROW_GROUP_SIZE = 8192
STATISTICS_COLUMNS = ["level", "location_code", "period_type", "period", "disaggregation"]
# Ancestor-code columns by depth: the codes of a place's depth-1, -2 and -3 ancestors
# (department, province, district in Peru; department, province, municipality in Bolivia).
ANCESTOR_COLUMNS = {1: "department_code", 2: "province_code", 3: "district_code"}
_YEAR_DIR = re.compile(r"^year=(\d{4})$")
_INDICATOR_DIR = re.compile(r"^indicator_id=(\d+)$")


def store_root() -> Path:
    """``settings.AYNI_ANALYTICS_DIR`` if set, else ``<DATA_DIR>/analytics``; read per call so
    tests and benchmarks can point the store elsewhere."""
    override = settings.AYNI_ANALYTICS_DIR
    return Path(override) if override else Path(settings.DATA_DIR) / "analytics"


def values_root(country: str) -> Path:
    return store_root() / country.upper() / "values"


def partition_dir(country: str, year: int, indicator_id: int) -> Path:
    return values_root(country) / f"year={year}" / f"indicator_id={indicator_id}"


def dimension_column(code: str) -> str:
    """``wealth-quintile`` → ``dim_wealth_quintile`` (dimension codes are slugs)."""
    return "dim_" + code.replace("-", "_")


def parse_disaggregation(key: str) -> dict[str, str]:
    """``"area=rural;sex=F"`` → ``{"area": "rural", "sex": "F"}``; ``""`` → ``{}``."""
    parts = (part.partition("=") for part in key.split(";") if part)
    return {name: value for name, _, value in parts}


@dataclass
class RefreshSummary:
    """What a refresh did: partitions (files) written and removed, rows written, seconds."""

    written: int = 0
    removed: int = 0
    rows: int = 0
    seconds: float = 0.0
    years: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.rows} values in {self.written} partitions written, {self.removed} removed, "
            f"years {', '.join(map(str, self.years)) or 'none'}, {self.seconds:.2f} s"
        )


# --- lookups: small tables read once per refresh and joined in DuckDB ------------------------


def _location_table() -> pa.Table:
    """Every location with its country, depth and the codes of its ancestors (itself included)
    at depths 1–3, computed once from the materialised paths."""
    rows = list(
        Location.objects.order_by().values_list(
            "id", "country__iso2", "code", "name", "level__depth", "path"
        )
    )
    code_depth = {pk: (code, depth) for pk, _, code, _, depth, _ in rows}
    columns: dict[str, list[Any]] = {
        name: [] for name in ["id", "iso2", "code", "name", "depth", *ANCESTOR_COLUMNS.values()]
    }
    for pk, iso2, code, name, depth, path in rows:
        ancestors: dict[int, str] = {}
        for part in path.strip("/").split("/"):
            if part and int(part) in code_depth:
                ancestor_code, ancestor_depth = code_depth[int(part)]
                ancestors[ancestor_depth] = ancestor_code
        ancestors[depth] = code  # a stale path must not hide the place itself
        for column, value in zip(
            ["id", "iso2", "code", "name", "depth"], [pk, iso2, code, name, depth], strict=True
        ):
            columns[column].append(value)
        for ancestor_depth, column in ANCESTOR_COLUMNS.items():
            columns[column].append(ancestors.get(ancestor_depth))
    return pa.table(
        columns,
        schema=pa.schema(
            [
                ("id", pa.int64()),
                ("iso2", pa.string()),
                ("code", pa.string()),
                ("name", pa.string()),
                ("depth", pa.int16()),
                *[(column, pa.string()) for column in ANCESTOR_COLUMNS.values()],
            ]
        ),
    )


def _source_table() -> pa.Table:
    rows = list(DataSource.objects.order_by().values_list("id", "code", "year", "is_illustrative"))
    ids, codes, years, flags = (list(col) for col in zip(*rows, strict=True)) if rows else ([],) * 4
    return pa.table(
        {"id": ids, "code": codes, "year": years, "is_illustrative": flags},
        schema=pa.schema(
            [
                ("id", pa.int64()),
                ("code", pa.string()),
                ("year", pa.int32()),
                ("is_illustrative", pa.bool_()),
            ]
        ),
    )


def _indicator_table() -> pa.Table:
    rows = list(Indicator.objects.order_by().values_list("id", "code"))
    ids, codes = (list(col) for col in zip(*rows, strict=True)) if rows else ([], [])
    return pa.table({"id": pa.array(ids, pa.int64()), "code": pa.array(codes, pa.string())})


def dimension_codes() -> list[str]:
    return list(Dimension.objects.order_by("position", "code").values_list("code", flat=True))


def _disaggregation_table(keys: Iterable[str], dimensions: list[str]) -> pa.Table:
    """One row per distinct disaggregation key with its value code per dimension column: the
    key is parsed once per distinct key, not once per value."""
    keys = sorted(set(keys))
    parsed = [parse_disaggregation(key) for key in keys]
    data: dict[str, pa.Array] = {"disaggregation": pa.array(keys, pa.string())}
    for code in dimensions:
        data[dimension_column(code)] = pa.array([p.get(code) for p in parsed], pa.string())
    return pa.table(data)


# --- reading the transactional table -----------------------------------------------------------

_RAW_SCHEMA = pa.schema(
    [
        ("indicator_id", pa.int64()),
        ("location_id", pa.int64()),
        ("period_type", pa.string()),
        ("period", pa.string()),
        ("disaggregation", pa.string()),
        ("value", pa.float64()),
        ("lower", pa.float64()),
        ("upper", pa.float64()),
        ("numerator", pa.float64()),
        ("denominator", pa.float64()),
        ("source_id", pa.int64()),
        ("is_illustrative", pa.int64()),
    ]
)


def fast_refresh_enabled() -> bool:
    """``settings.AYNI_ANALYTICS_FAST_REFRESH`` (default on). Off, the refresh takes the
    portable path everywhere: rows fetched through the DB-API, the preferred source always
    picked by the window function, one year after the other. Both write the same files; the
    switch exists to compare them (tests, bench) and as a way out should the fast path fail
    on some server."""
    return bool(settings.AYNI_ANALYTICS_FAST_REFRESH)


def _values(year: int, indicator_ids: list[int] | None) -> QuerySet[DataValue]:
    queryset = DataValue.objects.filter(year=year)
    if indicator_ids is not None:
        queryset = queryset.filter(indicator_id__in=indicator_ids)
    return queryset.order_by()  # the model's ordering would join Indicator and sort: not needed


def _raw_table(
    year: int, indicator_ids: list[int] | None, *, fast: bool, alias: str = "default"
) -> pa.Table:
    """The values of one year (all indicators, or the ones named) as an Arrow table of
    ``_RAW_SCHEMA``, by COPY where the database allows it, else through the DB-API."""
    database = connections[alias]
    if fast and copy_supported(database):
        copied = _raw_by_copy(database, _values(year, indicator_ids).using(alias))
        if copied is not None:
            return copied
    batches = list(_raw_batches(_values(year, indicator_ids).using(alias)))
    return pa.Table.from_batches(batches, schema=_RAW_SCHEMA)


# COPY's text format: tab-separated, every tab, newline, carriage return or backslash inside a
# value escaped with a backslash, and NULL written as we ask: an empty field, which can only
# mean NULL in a number column and never occurs in the text columns (NOT NULL, so '' is '').
# pyarrow cannot undo the escapes, so a year whose COPY holds a backslash at all (no code or
# key of ours has one) is read through the DB-API instead; without one, every field is its
# value verbatim, and pyarrow may split the input at any newline (its fast, parallel mode).
_BACKSLASH = re.compile(rb"\\")
_COPY_READ = pa_csv.ReadOptions(column_names=_RAW_SCHEMA.names, block_size=8 << 20)
_COPY_PARSE = pa_csv.ParseOptions(delimiter="\t", quote_char=False, escape_char=False)
_COPY_CONVERT = pa_csv.ConvertOptions(
    column_types=_RAW_SCHEMA, null_values=[""], strings_can_be_null=False
)


def _raw_by_copy(database: BaseDatabaseWrapper, queryset: QuerySet[DataValue]) -> pa.Table | None:
    """``COPY (SELECT …) TO STDOUT`` on Django's own connection (so it sees the same
    transaction as the ORM would), parsed into Arrow by pyarrow's multi-threaded CSV reader:
    no Python object per value. ``None`` if the text holds an escape (see ``_COPY_PARSE``).

    Decimals travel as their exact text and are parsed to float64 by Arrow (correctly
    rounded, as PostgreSQL's own ``::float8`` is), which saves the server the cast — about a
    third of its time for this query."""
    import psycopg

    rows = queryset.annotate(illustrative_i=Cast("is_illustrative", IntegerField())).values_list(
        *_RAW_SCHEMA.names[:-1], "illustrative_i"
    )
    sql, params = rows.query.sql_with_params()
    buffer = io.BytesIO()
    with database.cursor() as cursor:
        # Bound client-side: COPY takes no server-side parameters. The values are the ints
        # of the filter, quoted by psycopg.
        statement = psycopg.ClientCursor(database.connection).mogrify(sql, params)
        with cursor.cursor.copy(f"COPY ({statement}) TO STDOUT (NULL '')") as copy:
            for block in copy:
                buffer.write(block)
    if not buffer.tell():
        return _RAW_SCHEMA.empty_table()
    with buffer.getbuffer() as text:
        if _BACKSLASH.search(text):
            return None
    buffer.seek(0)
    return pa_csv.read_csv(
        buffer, read_options=_COPY_READ, parse_options=_COPY_PARSE, convert_options=_COPY_CONVERT
    )


def _raw_batches(queryset: QuerySet[DataValue]) -> Iterator[pa.RecordBatch]:
    """The portable path: the rows as Arrow record batches of CHUNK_SIZE rows, streamed from
    the database (a server-side cursor on PostgreSQL, ``fetchmany`` on SQLite).

    The ORM builds the query; its rows are fetched from the cursor directly rather than through
    ``values_list().iterator()``, because Django runs a Python converter on every value of a
    ``Cast`` expression (and a ``Decimal`` constructor on every decimal without it): measured
    about 10 times slower than the fetch itself. Decimals are cast to floating point in SQL —
    the analytics copy is for charts and comparisons, not money — and ``is_illustrative`` to
    an integer, so the rows arrive ready for Arrow."""
    rows = queryset.annotate(
        value_f=Cast("value", FloatField()),
        lower_f=Cast("lower", FloatField()),
        upper_f=Cast("upper", FloatField()),
        numerator_f=Cast("numerator", FloatField()),
        denominator_f=Cast("denominator", FloatField()),
        illustrative_i=Cast("is_illustrative", IntegerField()),
    ).values_list(
        "indicator_id",
        "location_id",
        "period_type",
        "period",
        "disaggregation",
        "value_f",
        "lower_f",
        "upper_f",
        "numerator_f",
        "denominator_f",
        "source_id",
        "illustrative_i",
    )
    sql, params = rows.query.sql_with_params()
    database = connections[rows.db]
    with database.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK_SIZE):
            # zip(*) transposes in C: no per-value Python code runs on the way to Arrow.
            yield pa.RecordBatch.from_arrays(
                [
                    pa.array(column, type=f.type)
                    for column, f in zip(zip(*chunk, strict=True), _RAW_SCHEMA, strict=True)
                ],
                schema=_RAW_SCHEMA,
            )


# The preferred value among the sources of one key (see _enrich_sql)…
_PREFERRED = """row_number() OVER (
                   PARTITION BY r.indicator_id, r.location_id, r.period, r.disaggregation
                   ORDER BY (r.is_illustrative <> 0 OR s.is_illustrative),
                            s.year DESC NULLS LAST, s.code
               ) = 1 AS is_preferred"""
# …over all the rows…
_RANKED_ALL = f"""
    WITH ranked AS (
        SELECT r.*, {_PREFERRED}
        FROM raw r JOIN sources s ON s.id = r.source_id
    )"""  # noqa: S608 - constant SQL, no input
# …or only over the indicators with more than one source (the same window, the same order).
_RANKED_SKIPPING_SINGLE_SOURCE = f"""
    WITH multi AS (
        SELECT indicator_id FROM raw GROUP BY indicator_id HAVING count(DISTINCT source_id) > 1
    ),
    ranked AS (
        SELECT r.*, {_PREFERRED}
        FROM raw r JOIN sources s ON s.id = r.source_id
        WHERE r.indicator_id IN (SELECT indicator_id FROM multi)
        UNION ALL
        SELECT r.*, TRUE AS is_preferred
        FROM raw r WHERE r.indicator_id NOT IN (SELECT indicator_id FROM multi)
    )"""  # noqa: S608 - constant SQL, no input


# The quarter and month of a period, read from its code (``ayni.core.periods``: "2014Q1",
# "2014-03", "2014-03-15") as ``Period.quarter`` and ``Period.month`` give them (a test checks
# both agree): NULL for a year, and for an ISO week, which may straddle two months. A week's
# number is in its code ("2014-W03"), its year in ``year`` (the ISO year).
_PERIOD_PARTS = """CASE r.period_type
                   WHEN 'Q' THEN TRY_CAST(substr(r.period, 6, 1) AS SMALLINT)
                   WHEN 'M' THEN (TRY_CAST(substr(r.period, 6, 2) AS SMALLINT) + 2) // 3
                   WHEN 'D' THEN (TRY_CAST(substr(r.period, 6, 2) AS SMALLINT) + 2) // 3
               END AS quarter,
               CASE r.period_type
                   WHEN 'M' THEN TRY_CAST(substr(r.period, 6, 2) AS SMALLINT)
                   WHEN 'D' THEN TRY_CAST(substr(r.period, 6, 2) AS SMALLINT)
               END AS month"""


def _enrich_sql(dimensions: list[str], *, skip_single_source: bool) -> str:
    """The denormalising join, run by DuckDB over Arrow tables.

    ``is_preferred`` marks the one value that queries read where several sources give the same
    indicator, place, period and disaggregation: a non-illustrative value first, then the
    source with the latest year (unknown last), then the source code alphabetically.

    With ``skip_single_source``, the window function (a third of the refresh's time) runs only
    over the indicators that have values from more than one source in the year; the others'
    values are all preferred, since the unique constraint on (indicator, place, period,
    disaggregation, source) leaves one value per key when there is one source. The rows and
    their order are the same either way (the ORDER BY is total for the same reason)."""
    dim_columns = "".join(f', d."{dimension_column(code)}"' for code in dimensions)
    ancestors = ", ".join(f"l.{column}" for column in ANCESTOR_COLUMNS.values())
    ranked = _RANKED_SKIPPING_SINGLE_SOURCE if skip_single_source else _RANKED_ALL
    return f"""{ranked}
        SELECT l.iso2, r.indicator_id, i.code AS indicator_code, r.location_id,
               l.code AS location_code, l.name AS location_name, l.depth AS level, {ancestors},
               r.period_type, r.period,
               {_PERIOD_PARTS},
               r.disaggregation{dim_columns},
               r.value, r.lower, r.upper, r.numerator, r.denominator,
               r.source_id, s.code AS source_code, s.year AS source_year,
               (r.is_illustrative <> 0 OR s.is_illustrative) AS is_illustrative,
               r.is_preferred
        FROM ranked r
        JOIN locations l ON l.id = r.location_id
        JOIN sources s ON s.id = r.source_id
        JOIN indicators i ON i.id = r.indicator_id
        LEFT JOIN disaggregations d ON d.disaggregation = r.disaggregation
        ORDER BY l.iso2, r.indicator_id, level, location_code, r.period, r.disaggregation,
                 source_code
    """  # noqa: S608 - identifiers come from Dimension codes (slugs), values are never inlined


def _arrow(connection: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    """The result of ``sql`` as an Arrow table, without the extra copy a DB-API cursor makes
    (DuckDB ≥1.4 names it ``to_arrow_table``, older releases ``arrow``)."""
    relation = connection.sql(sql)
    fetch = getattr(relation, "to_arrow_table", None) or relation.arrow
    return fetch()


def _write_atomically(table: pa.Table, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # The temporary name does not end in .parquet, so no reader's glob picks it up.
    temporary = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        pq.write_table(
            table,
            temporary,
            row_group_size=ROW_GROUP_SIZE,
            write_statistics=STATISTICS_COLUMNS,
        )
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _remove_partition(directory: Path) -> bool:
    if not directory.exists():
        return False
    shutil.rmtree(directory)
    with contextlib.suppress(OSError):  # the year directory, once its last indicator is gone
        directory.parent.rmdir()
    return True


def stored_partitions() -> set[tuple[str, int, int]]:
    """(country, year, indicator id) of every partition on disk."""
    found: set[tuple[str, int, int]] = set()
    root = store_root()
    if not root.exists():
        return found
    for country_dir in root.iterdir():
        values = country_dir / "values"
        if not values.is_dir():
            continue
        for year_dir in values.iterdir():
            year_match = _YEAR_DIR.match(year_dir.name)
            if not year_match or not year_dir.is_dir():
                continue
            for indicator_dir in year_dir.iterdir():
                indicator_match = _INDICATOR_DIR.match(indicator_dir.name)
                if indicator_match and (indicator_dir / FILE_NAME).exists():
                    found.add((country_dir.name, int(year_match[1]), int(indicator_match[1])))
    return found


@dataclass
class _Lookups:
    """The small tables every year's join needs, read from the database once per refresh."""

    locations: pa.Table
    sources: pa.Table
    indicators: pa.Table
    dimensions: list[str]

    @classmethod
    def load(cls) -> _Lookups:
        return cls(_location_table(), _source_table(), _indicator_table(), dimension_codes())


def _refresh_year(
    year: int, indicator_ids: list[int] | None, lookups: _Lookups, *, fast: bool
) -> tuple[set[tuple[str, int, int]], int]:
    """Rewrite the partitions of one year (all indicators, or the ones named) from the
    database. Returns the partitions written and the number of rows. It runs in a worker
    thread when years go in parallel, so it opens its own DuckDB connection."""
    raw = _raw_table(year, indicator_ids, fast=fast)
    if not raw.num_rows:
        return set(), 0
    disaggregations = _disaggregation_table(
        raw.column("disaggregation").unique().to_pylist(), lookups.dimensions
    )
    connection = duckdb.connect()
    try:
        for name, table in [
            ("raw", raw),
            ("disaggregations", disaggregations),
            ("locations", lookups.locations),
            ("sources", lookups.sources),
            ("indicators", lookups.indicators),
        ]:
            connection.register(name, table)
        enriched = _arrow(connection, _enrich_sql(lookups.dimensions, skip_single_source=fast))
    finally:
        connection.close()
    del raw
    written: set[tuple[str, int, int]] = set()
    # The rows are sorted by country and indicator first: each partition is one slice.
    keys = pa.table(
        {"iso2": enriched.column("iso2"), "indicator_id": enriched.column("indicator_id")}
    )
    groups = keys.group_by(["iso2", "indicator_id"]).aggregate([("indicator_id", "count")])
    counts = sorted(
        zip(
            groups.column("iso2").to_pylist(),
            groups.column("indicator_id").to_pylist(),
            groups.column("indicator_id_count").to_pylist(),
            strict=True,
        )
    )
    stored = enriched.drop_columns(["iso2", "indicator_id"])
    offset = 0
    for iso2, indicator_id, count in counts:
        _write_atomically(
            stored.slice(offset, count), partition_dir(iso2, year, indicator_id) / FILE_NAME
        )
        written.add((iso2, year, indicator_id))
        offset += count
    return written, enriched.num_rows


def refresh_in_parallel(database: BaseDatabaseWrapper, *, years: int, fast: bool) -> bool:
    """Whether a refresh of this many years goes two years at a time: see ``_refresh_years``."""
    return fast and years > 1 and copy_supported(database) and not database.in_atomic_block


def _refresh_years(
    scope: dict[int, list[int] | None], lookups: _Lookups, *, fast: bool
) -> dict[int, tuple[set[tuple[str, int, int]], int]]:
    """Refresh each year of ``scope``; two at a time where that is safe and pays.

    Two worker threads (the machine this was tuned on has 2 cores; more would only queue) let
    PostgreSQL produce one year's COPY while DuckDB and Parquet work on another: the COPY is
    server time, the rest releases the GIL. Each worker thread opens its own database
    connection, which cannot see an uncommitted transaction of the caller's: inside
    ``atomic()`` (and in tests wrapped in one) the years run one after the other on the
    caller's connection. SQLite takes the serial path too (one writer, and rows are fetched
    in Python, holding the GIL)."""
    if not refresh_in_parallel(connections["default"], years=len(scope), fast=fast):
        return {year: _refresh_year(year, ids, lookups, fast=fast) for year, ids in scope.items()}

    def work(year: int) -> tuple[set[tuple[str, int, int]], int]:
        try:
            return _refresh_year(year, scope[year], lookups, fast=fast)
        finally:
            connections["default"].close()  # this thread's connection, not the caller's

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="analytics-refresh") as pool:
        return dict(zip(scope, pool.map(work, scope), strict=True))


def refresh(
    *,
    indicator_ids: Iterable[int] | None = None,
    years: Iterable[int] | None = None,
    pairs: Iterable[tuple[int, int]] | None = None,
) -> RefreshSummary:
    """Rewrite the partitions of the indicators and years named (``None`` = all) from the
    database, and remove those partitions in scope that no longer have values.

    With no arguments this is the full refresh: every partition is rebuilt, one year at a time
    per worker (never the whole table in memory), and partitions of years or indicators without
    values any more are removed. After an import, ``refresh(pairs={(indicator_id, year), …})``
    rewrites exactly the (year, indicator) files touched; ``refresh(indicator_ids=...,
    years=...)`` rewrites every combination of the two (``pairs`` wins when given).
    """
    started = time.perf_counter()
    stored = stored_partitions()
    scope = _scope(indicator_ids, years, pairs, stored)
    summary = RefreshSummary(years=sorted(scope))
    if not scope:
        summary.seconds = time.perf_counter() - started
        return summary

    fast = fast_refresh_enabled()
    results = _refresh_years(scope, _Lookups.load(), fast=fast)
    for year, ids in scope.items():
        written, rows = results[year]
        summary.written += len(written)
        summary.rows += rows
        for partition in stored:
            country, stored_year, indicator_id = partition
            in_scope = stored_year == year and (ids is None or indicator_id in ids)
            if in_scope and partition not in written:
                summary.removed += _remove_partition(
                    partition_dir(country, stored_year, indicator_id)
                )
    summary.seconds = time.perf_counter() - started
    logger.info("analytics refresh: %s", summary)
    return summary


def _scope(
    indicator_ids: Iterable[int] | None,
    years: Iterable[int] | None,
    pairs: Iterable[tuple[int, int]] | None,
    stored: set[tuple[str, int, int]],
) -> dict[int, list[int] | None]:
    """Year → the indicator ids to rewrite in it (``None``: all), in year order."""
    if pairs is not None:
        by_year: dict[int, set[int]] = defaultdict(set)
        for indicator_id, year in pairs:
            by_year[int(year)].add(int(indicator_id))
        return {year: sorted(by_year[year]) for year in sorted(by_year)}
    ids = sorted(set(indicator_ids)) if indicator_ids is not None else None
    if ids == []:
        return {}
    if years is None:
        in_db = DataValue.objects.order_by()
        if ids is not None:
            in_db = in_db.filter(indicator_id__in=ids)
        year_set = set(in_db.values_list("year", flat=True).distinct())
        year_set |= {year for _, year, indicator_id in stored if ids is None or indicator_id in ids}
    else:
        year_set = set(years)
    return {year: ids for year in sorted(year_set)}
