"""Reading the analytics store with DuckDB: what dashboards, indicator pages and the API call.

Every function reads only the Parquet files it needs: the file list is built in Python from
the layout (``year=YYYY/indicator_id=ID``), so a query for one indicator opens one small file
per year, however large the store. User input is always bound as a parameter, never
formatted into SQL; the only identifiers put into SQL come from fixed tables in this module.

Rules shared by every function (see docs/data-model.md, "analytics store"):

- **One value per indicator, place, period and disaggregation.** Where several sources give
  one, the store marks a preferred value at refresh time (``is_preferred``): a
  non-illustrative value first, then the source with the latest year, then the source code in
  alphabetical order. Queries read only preferred values.
- **By year** means annual values (``period_type = "Y"``). Quarterly, monthly, weekly and
  daily values are in the store (``series(..., period_type=None)``), in the partition of the
  year they belong to (``ayni.core.periods``: an ISO week's ISO year), but are never summed or
  averaged into a year: how depends on the indicator and is not guessed.
- **A place's own value wins** ("reported"). Where a place at the level asked has no value of
  its own, it is rolled up from the nearest level below that has values:
  ``number`` and ``currency`` indicators as the sum of the values (method ``"sum"``);
  rates (``percent``, ``per_1000``, ``per_100000``) as Σnumerator / Σdenominator × 100, 1,000
  or 100,000 (method ``"ratio"``), only where every value below has both; other places are
  left out rather than averaged. ``places`` says how many values went into a roll-up.
- **One country at a time.** Each country has its own partitions (``<root>/<iso2>/values``)
  and every query names its country (``country="BO"``): values of two countries never mix,
  however alike their place codes are.
- **Indicators** are named by code, or given as ``Indicator`` records: a page that has
  already read its indicator passes it, and is spared a look-up per query.
- **What is committed is shown.** Before it lists files, a read absorbs the changes a stopped
  process committed and did not refresh (``freshness.catch_up_if_due``: one query at the
  first read of a process and then at most every ``AYNI_JOB_SWEEP_SECONDS``, a clock reading
  otherwise).
"""

from __future__ import annotations

import os
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow.parquet as pq

from ayni.geography.models import AdminLevel, Location
from ayni.monitoring.analytics.freshness import catch_up_if_due
from ayni.monitoring.analytics.store import (
    _YEAR_DIR,
    ANCESTOR_COLUMNS,
    FILE_NAME,
    values_root,
)
from ayni.monitoring.models import Indicator

RATE_SCALES = {
    Indicator.Unit.PERCENT: 100.0,
    Indicator.Unit.PER_1000: 1000.0,
    Indicator.Unit.PER_100000: 100000.0,
}
ADDITIVE_UNITS = {Indicator.Unit.NUMBER, Indicator.Unit.CURRENCY}

# union_by_name lines up files written before and after a dimension was added (their columns
# differ); it costs a schema pass over every file, so _run turns it off when the files' schemas
# are known to be the same (the usual case).
_UNION = "union_by_name = true"
_READ = (
    f"read_parquet($files, hive_partitioning = true, {_UNION}, "
    "hive_types = {'year': INTEGER, 'indicator_id': BIGINT})"
)

# --- one DuckDB connection per process, one cursor per thread ---------------------------------

_lock = threading.Lock()
_process: dict[int, duckdb.DuckDBPyConnection] = {}
_local = threading.local()


def cursor() -> duckdb.DuckDBPyConnection:
    """This thread's cursor on the process's in-memory DuckDB connection.

    A DuckDB connection must not be used from two threads at once; its cursors may, one each.
    The connection is keyed by process id so that a forked worker (gunicorn) opens its own."""
    pid = os.getpid()
    if getattr(_local, "pid", None) == pid:
        return _local.cursor
    with _lock:
        if pid not in _process:
            _process.clear()
            _process[pid] = duckdb.connect()
            # Keep each file's footer between queries: a query opens up to ~50 small files and
            # reading their metadata was most of its time. DuckDB checks a file's modification
            # time before using its cached footer, so a partition the refresh replaced is read
            # anew (see test_analytics_fast_path).
            _process[pid].execute("SET GLOBAL parquet_metadata_cache = true")
        _local.cursor = _process[pid].cursor()
        _local.pid = pid
    return _local.cursor


# --- finding what to read ---------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInfo:
    id: int
    code: str
    unit: str
    direction: str


IndicatorRef = Indicator | str


def indicator_info(indicators: Iterable[IndicatorRef]) -> dict[str, IndicatorInfo]:
    """Code → id, unit and direction, for indicators given as records (no query) or codes (one
    query for all of them); an unknown code raises ``Indicator.DoesNotExist``."""
    found: dict[str, IndicatorInfo] = {}
    wanted: list[str] = []
    for indicator in indicators:
        if isinstance(indicator, Indicator):
            found[indicator.code] = IndicatorInfo(
                indicator.pk, indicator.code, indicator.unit, indicator.direction
            )
        elif indicator not in wanted:
            wanted.append(indicator)
    wanted = [code for code in wanted if code not in found]
    if wanted:
        found.update(
            (code, IndicatorInfo(pk, code, unit, direction))
            for pk, code, unit, direction in Indicator.objects.filter(code__in=wanted).values_list(
                "id", "code", "unit", "direction"
            )
        )
    missing = [code for code in wanted if code not in found]
    if missing:
        raise Indicator.DoesNotExist(f"no indicator with code {', '.join(missing)}")
    return found


def code_of(indicator: IndicatorRef) -> str:
    return indicator.code if isinstance(indicator, Indicator) else indicator


def info_of(indicator: IndicatorRef) -> IndicatorInfo:
    """``indicator_info`` of one indicator."""
    return indicator_info([indicator])[code_of(indicator)]


def _order(indicators: Sequence[IndicatorRef]) -> dict[str, int]:
    """Code → position in the order the caller gave the indicators."""
    return {code_of(indicator): position for position, indicator in enumerate(indicators)}


def level_depth(level: str | int, country: str) -> int:
    """``"department"`` → 1 (the country's administrative level with that slug, one query);
    an int is taken as a depth (no query)."""
    if isinstance(level, int):
        return level
    depth = (
        AdminLevel.objects.filter(country__iso2=country, slug=level)
        .values_list("depth", flat=True)
        .first()
    )
    if depth is None:
        raise ValueError(f"unknown administrative level {level!r}")
    return depth


def partition_paths(
    country: str, indicator_ids: Iterable[int], years: Iterable[int] | None = None
) -> dict[tuple[int, int], str]:
    """(indicator id, year) → the Parquet file holding them, for these indicators in these
    years (all years if ``None``), in year then indicator order."""
    catch_up_if_due()
    root = values_root(country)
    if not root.is_dir():
        return {}
    wanted_years = set(years) if years is not None else None
    ids = sorted(set(indicator_ids))
    paths = {}
    for year_dir in sorted(root.iterdir()):
        match = _YEAR_DIR.match(year_dir.name)
        if not match or (wanted_years is not None and int(match[1]) not in wanted_years):
            continue
        for indicator_id in ids:
            path = year_dir / f"indicator_id={indicator_id}" / FILE_NAME
            if path.exists():
                paths[indicator_id, int(match[1])] = str(path)
    return paths


def partition_files(
    country: str, indicator_ids: Iterable[int], years: Iterable[int] | None = None
) -> list[str]:
    """The Parquet files holding these indicators in these years (all years if ``None``)."""
    return list(partition_paths(country, indicator_ids, years).values())


def stored_years(indicator: IndicatorRef, *, country: str) -> list[int]:
    """The years in which the country has values of the indicator, read from the layout."""
    info = info_of(indicator)
    catch_up_if_due()
    root = values_root(country)
    if not root.is_dir():
        return []
    years = []
    for year_dir in root.iterdir():
        match = _YEAR_DIR.match(year_dir.name)
        if match and (year_dir / f"indicator_id={info.id}" / FILE_NAME).exists():
            years.append(int(match[1]))
    return sorted(years)


_schemas: dict[str, tuple[tuple[int, int, int], str]] = {}


def _same_schema(files: list[str]) -> bool:
    """Whether every file has the same columns, from a per-process cache keyed by each file's
    inode, modification time and size (so only files rewritten since are read again)."""
    seen = set()
    for path in files:
        stat = os.stat(path)
        key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        cached = _schemas.get(path)
        if cached is None or cached[0] != key:
            cached = (key, pq.read_schema(path).remove_metadata().to_string())
            _schemas[path] = cached
        seen.add(cached[1])
    return len(seen) <= 1


def _run(
    sql: str, params: dict[str, Any], country: str, ids: Iterable[int], years: Any
) -> list[dict[str, Any]]:
    """Run ``sql`` over the files of these indicators and years, as a list of dicts."""
    ids = list(ids)
    return _run_files(sql, params, lambda: partition_files(country, ids, years))


def _run_files(
    sql: str, params: dict[str, Any], list_files: Callable[[], list[str]]
) -> list[dict[str, Any]]:
    """Run ``sql`` over the files ``list_files()`` names. Retries once if a refresh removed or
    replaced a file between listing and reading (and reads by name then)."""
    for attempt in range(2):
        files = list_files()
        if not files:
            return []
        statement = sql
        try:
            if not attempt and _same_schema(files):
                statement = sql.replace(_UNION, "union_by_name = false")
            result = cursor().execute(statement, {**params, "files": files})
        except (duckdb.Error, FileNotFoundError):
            if attempt:
                raise
            continue
        columns = [column[0] for column in result.description]
        return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
    return []


# --- queries ----------------------------------------------------------------------------------


_REPORTED = f"""
    SELECT indicator_id, location_code, location_name, year, value, lower, upper, source_code,
           is_illustrative, 1::BIGINT AS places
    FROM {_READ}
    WHERE is_preferred AND period_type = 'Y' AND disaggregation = $disaggregation
      AND level = $depth
"""  # noqa: S608 - only _READ is formatted in


def _rolled_sql(ancestor: str) -> str:
    """Values rolled up to the ancestors at ``$depth`` from the nearest level below that has
    values: its figures are closest to the place's own. ``ancestor`` is a column name from
    ANCESTOR_COLUMNS, never user input."""
    return f"""
        SELECT indicator_id, {ancestor} AS location_code, NULL AS location_name, year,
               sum(value) AS value, NULL::DOUBLE AS lower, NULL::DOUBLE AS upper,
               string_agg(DISTINCT source_code, ',' ORDER BY source_code) AS source_code,
               bool_or(is_illustrative) AS is_illustrative, count(*) AS places,
               sum(numerator) AS numerator, sum(denominator) AS denominator,
               count(numerator) = count(*) AND count(denominator) = count(*) AS complete
        FROM {_READ}
        WHERE is_preferred AND period_type = 'Y' AND disaggregation = $disaggregation
          AND level > $depth AND {ancestor} IS NOT NULL
        GROUP BY indicator_id, {ancestor}, year, level
        QUALIFY row_number() OVER (PARTITION BY indicator_id, {ancestor}, year
                                   ORDER BY level) = 1
    """  # noqa: S608 - only _READ and a fixed column name are formatted in


def indicators_matrix(
    indicators: Sequence[IndicatorRef],
    *,
    country: str,
    level: str | int = "department",
    years: Iterable[int] | None = None,
    disaggregation: str = "",
) -> list[dict[str, Any]]:
    """Annual values of several indicators for every place of a level, by year.

    One dict per indicator, place and year: ``indicator_code``, ``location_code``,
    ``location_name``, ``level``, ``year``, ``value``, ``lower``, ``upper``, ``source_code``,
    ``is_illustrative``, ``method`` (``reported``, ``sum`` or ``ratio``) and ``places`` (values
    rolled up; 1 when reported), ordered by indicator, place and year.

    In two steps, because places usually report at the level asked: first the values of the
    level itself (rows are sorted by level in each file, so DuckDB reads one row group of
    each file, not the file); then the roll-up, only over the files (indicator and year) in
    which some place of the level, as the geography tables list them, has no value of its
    own. Where every place reports, the second step is skipped: it could only have added
    rows that a reported value replaces.
    """
    infos = indicator_info(indicators)
    by_id = {info.id: info for info in infos.values()}
    depth = level_depth(level, country)
    wanted_years = list(years) if years is not None else None
    params = {"disaggregation": disaggregation, "depth": depth}
    reported = _run(_REPORTED, params, country, by_id, wanted_years)
    rolled: list[dict[str, Any]] = []
    ancestor = ANCESTOR_COLUMNS.get(depth)
    if ancestor is not None:
        covered: dict[tuple[int, int], set[str]] = defaultdict(set)
        for row in reported:
            covered[row["indicator_id"], row["year"]].add(row["location_code"])
        places = set(
            Location.objects.filter(country__iso2=country, level__depth=depth).values_list(
                "code", flat=True
            )
        )

        def incomplete() -> list[str]:
            paths = partition_paths(country, by_id, wanted_years)
            return [path for pair, path in paths.items() if not places <= covered[pair]]

        own = {(row["indicator_id"], row["location_code"], row["year"]) for row in reported}
        rolled = [
            row
            for row in _run_files(_rolled_sql(ancestor), params, incomplete)
            if (row["indicator_id"], row["location_code"], row["year"]) not in own
        ]
    out = [
        {
            "indicator_code": by_id[row.pop("indicator_id")].code,
            **row,
            "level": depth,
            "method": "reported",
        }
        for row in reported
    ]
    for row in rolled:
        info = by_id[row.pop("indicator_id")]
        numerator, denominator = row.pop("numerator"), row.pop("denominator")
        complete = row.pop("complete")
        if info.unit in ADDITIVE_UNITS:
            method = "sum"
        elif info.unit in RATE_SCALES and complete and denominator:
            method = "ratio"
            row["value"] = numerator / denominator * RATE_SCALES[info.unit]  # type: ignore[index]
        else:
            continue  # not additive and no numerator/denominator: not guessed
        out.append({"indicator_code": info.code, **row, "level": depth, "method": method})
    _fill_names(out, country, depth)
    order = _order(indicators)
    out.sort(key=lambda r: (order[r["indicator_code"]], r["location_code"], r["year"]))
    return out


def _fill_names(rows: list[dict[str, Any]], country: str, depth: int) -> None:
    """Rolled-up places have no row of their own in the store: their names come from the
    database (one query, at most the places of one level)."""
    missing = {row["location_code"] for row in rows if row["location_name"] is None}
    if not missing:
        return
    names = dict(
        Location.objects.filter(
            country__iso2=country, level__depth=depth, code__in=missing
        ).values_list("code", "name")
    )
    for row in rows:
        if row["location_name"] is None:
            row["location_name"] = names.get(row["location_code"], "")


def indicator_by_location_year(
    indicator: IndicatorRef,
    *,
    country: str,
    level: str | int = "department",
    years: Iterable[int] | None = None,
    disaggregation: str = "",
) -> list[dict[str, Any]]:
    """One indicator for every place of a level, by year (see ``indicators_matrix``)."""
    return indicators_matrix(
        [indicator], level=level, years=years, disaggregation=disaggregation, country=country
    )


def latest_of_places(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The most recent row of each place, in place order, from rows in year order (as
    ``indicator_by_location_year`` returns them)."""
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        latest[row["location_code"]] = row
    return [latest[code] for code in sorted(latest)]


def latest_by_location(
    indicator: IndicatorRef,
    *,
    country: str,
    level: str | int = "department",
    disaggregation: str = "",
) -> list[dict[str, Any]]:
    """For every place of a level, its most recent annual value (the year differs between
    places when their latest data does)."""
    return latest_of_places(
        indicator_by_location_year(
            indicator, level=level, disaggregation=disaggregation, country=country
        )
    )


def series(
    indicator: IndicatorRef,
    *,
    country: str,
    location_code: str | None = None,
    disaggregation: str = "",
    period_type: str | None = "Y",
) -> list[dict[str, Any]]:
    """The trend of an indicator at one place (every place if ``location_code`` is ``None``),
    in time order: dicts with ``location_code``, ``location_name``, ``level``,
    ``period_type``, ``period``, ``year``, ``quarter``, ``month``, ``value``, ``lower``,
    ``upper``, ``source_code``, ``is_illustrative``. Annual values by default;
    ``period_type=None`` returns every period type, one type after the other (each in time
    order: the codes of one type sort chronologically)."""
    info = info_of(indicator)
    sql = f"""
        SELECT location_code, location_name, level, period_type, period, year, quarter, month,
               value, lower, upper, source_code, is_illustrative
        FROM {_READ}
        WHERE is_preferred AND disaggregation = $disaggregation
          AND ($location_code IS NULL OR location_code = $location_code)
          AND ($period_type IS NULL OR period_type = $period_type)
        ORDER BY location_code, period_type, period
    """  # noqa: S608 - only _READ is formatted in
    params = {
        "disaggregation": disaggregation,
        "location_code": location_code,
        "period_type": period_type,
    }
    return [
        {"indicator_code": info.code, **row} for row in _run(sql, params, country, [info.id], None)
    ]


def series_matrix(
    indicators: Sequence[IndicatorRef],
    *,
    country: str,
    location_codes: Sequence[str],
    disaggregation: str = "",
    period_type: str | None = "Y",
) -> list[dict[str, Any]]:
    """``series`` of several indicators at several places, in one query: the same dicts (with
    ``indicator_code``), ordered by indicator (in the order given), place and period. For
    pages that show a row per indicator (the region page) instead of a query per row."""
    infos = indicator_info(indicators)
    by_id = {info.id: info for info in infos.values()}
    sql = f"""
        SELECT indicator_id, location_code, location_name, level, period_type, period, year,
               quarter, month, value, lower, upper, source_code, is_illustrative
        FROM {_READ}
        WHERE is_preferred AND disaggregation = $disaggregation
          AND list_contains($location_codes, location_code)
          AND ($period_type IS NULL OR period_type = $period_type)
        ORDER BY indicator_id, location_code, period_type, period
    """  # noqa: S608 - only _READ is formatted in
    params = {
        "disaggregation": disaggregation,
        "location_codes": list(location_codes),
        "period_type": period_type,
    }
    rows = [
        {"indicator_code": by_id[row.pop("indicator_id")].code, **row}
        for row in _run(sql, params, country, by_id, None)
    ]
    order = _order(indicators)
    rows.sort(key=lambda r: order[r["indicator_code"]])  # stable: place and period stay sorted
    return rows


def disaggregated(
    indicator: IndicatorRef,
    *,
    country: str,
    location_code: str,
    year: int,
    dimension: str,
) -> list[dict[str, Any]]:
    """The annual values of one place and year split by one dimension only (``sex=F``,
    ``sex=M``; not ``area=rural;sex=F``), ordered by group: see ``by_group``."""
    return by_group(
        indicator,
        dimension=dimension,
        location_code=location_code,
        years=[year],
        country=country,
    )


def by_group(
    indicator: IndicatorRef,
    *,
    country: str,
    dimension: str | None = None,
    location_code: str | None = None,
    level: str | int | None = None,
    years: Iterable[int] | None = None,
) -> list[dict[str, Any]]:
    """Annual values split by a single dimension (``sex=F``, not ``area=rural;sex=F``), as
    stored (no roll-up): at one place, at every place of a level, or everywhere. Dicts with
    ``location_code``, ``level``, ``year``, ``dimension``, ``group`` (the value code),
    ``value``, ``lower``, ``upper``, ``source_code``, ``is_illustrative``."""
    info = info_of(indicator)
    depth = level_depth(level, country) if level is not None else None
    sql = f"""
        SELECT location_code, level, year,
               split_part(disaggregation, '=', 1) AS dimension,
               split_part(disaggregation, '=', 2) AS "group",
               value, lower, upper, source_code, is_illustrative
        FROM {_READ}
        WHERE is_preferred AND period_type = 'Y'
          AND disaggregation <> '' AND NOT contains(disaggregation, ';')
          AND ($dimension IS NULL OR split_part(disaggregation, '=', 1) = $dimension)
          AND ($location_code IS NULL OR location_code = $location_code)
          AND ($depth IS NULL OR level = $depth)
        ORDER BY location_code, year, dimension, "group"
    """  # noqa: S608 - only _READ is formatted in
    params = {"dimension": dimension, "location_code": location_code, "depth": depth}
    rows = _run(sql, params, country, [info.id], list(years) if years is not None else None)
    return [{"indicator_code": info.code, **row} for row in rows]
