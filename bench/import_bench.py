"""Benchmark of the import pipeline (targets in docs/benchmarks.md).

Run from the checkout::

    .venv/bin/python bench/import_bench.py [--values N] [--reps N] [--formats dhis2-csv,...]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \
        .venv/bin/python bench/import_bench.py

It builds, under var/bench/ (git-ignored; removed afterwards unless ``--keep``):

- a database (a fresh SQLite file, or the empty PostgreSQL database named by
  ``BENCH_DATABASE_URL``) with Peru's places, three dimensions, one source and 10 indicators;
- a DHIS2 dataValueSet of ``--values`` values (default 1,000,000) as CSV and as JSON, written
  the way DHIS2 exports them (UIDs, monthly periods, category option combos, storedBy,
  created, lastUpdated, followup), with the mapping file that translates its UIDs: 10 data
  elements × 2,115 organisation units × 12 months × 4 category option combos, cut at
  ``--values``. Values are a fixed function of their coordinates: two runs build identical
  files.

Each measurement runs in its own process, so its peak memory (``ru_maxrss``) is that of one
import, Django included. Measured per format, ``--reps`` times, median reported:

- **import**: into an empty table, with full validation (``run_import``, atomic) — the target;
- **re-import**: the same file again, every value reported unchanged;
- **dry run**: the whole pipeline without the writes;
- baselines of the same run: **read only** (the format's reader alone, no look-ups, no
  database: the parsing floor) and **raw copy** (the same rows written straight into the
  table without any validation — ``COPY`` on PostgreSQL, ``executemany`` on SQLite: the
  database floor).

The analytics refresh that follows an import in the application is switched off here: it is
measured by ``analytics_bench.py``. Results are printed and written to
``var/bench-import-results.json``; copy them into docs/benchmarks.md with the date and command.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench"
DATA_ELEMENTS = 10
MONTHS = [f"2014{month:02d}" for month in range(1, 13)]
COMBOS = {
    "CO000000001": {"sex": "F", "area": "rural"},
    "CO000000002": {"sex": "F", "area": "urban"},
    "CO000000003": {"sex": "M", "area": "rural"},
    "CO000000004": {"sex": "M", "area": "urban"},
}
ATTRIBUTE_COMBO = "HllvX50cXC0"  # DHIS2's default attribute option combo
MAX_BYTES = 1024**3  # the JSON export of a million values is above the default 200 MB cap


def setup_django(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "ayni.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["AYNI_DATA_DIR"] = str(WORK)
    os.environ["AYNI_MAX_IMPORT_BYTES"] = str(MAX_BYTES)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{WORK / 'import.sqlite3'}"


def element_uid(n: int) -> str:
    return f"DE{n:09d}"


def org_unit_uid(n: int) -> str:
    return f"OU{n:09d}"


def value_of(element: int, place: int, month: int, combo: int) -> str:
    return str(((element * 7919 + place * 104729 + month * 31 + combo * 17) % 100000) / 100)


def prepare_database() -> dict[str, Any]:
    """Migrate, load Peru and the metadata the files refer to; return the mapping."""
    from django.core.management import call_command

    from ayni.geography.models import Location
    from ayni.geography.peru import COUNTRY
    from ayni.geography.services import geography_load_peru
    from ayni.monitoring.models import DataSource, Dimension, DimensionValue, Indicator

    call_command("migrate", verbosity=0)
    geography_load_peru()
    dimensions = []
    for position, (code, values) in enumerate([("sex", ["F", "M"]), ("area", ["rural", "urban"])]):
        dimension = Dimension.objects.create(
            code=code, name_es=code, name_en=code, position=position
        )
        dimensions.append(dimension)
        for value in values:
            DimensionValue.objects.create(
                dimension=dimension, code=value, name_es=value, name_en=value
            )
    DataSource.objects.create(code="dhis2-bench", kind="administrative", name_es="DHIS2", year=2014)
    indicators = {}
    for n in range(1, DATA_ELEMENTS + 1):
        indicator = Indicator.objects.create(
            code=f"bench-{n:02d}",
            name_es=f"Bench {n}",
            name_en=f"Bench {n}",
            unit="number",
            direction="up",
        )
        indicator.dimensions.set(dimensions)
        indicators[element_uid(n)] = indicator.code
    places = list(
        Location.objects.filter(country__iso2=COUNTRY["iso2"])
        .order_by("code")
        .values_list("code", flat=True)
    )
    return {
        "indicators": indicators,
        "locations": {org_unit_uid(n): code for n, code in enumerate(places, start=1)},
        "category_option_combos": COMBOS,
        "constants": {"source": "dhis2-bench"},
    }


def coordinates(total: int, places: int) -> Any:
    """(element, place, month, combo) numbers, 1-based, in DHIS2's export order, cut at
    ``total``."""
    count = 0
    for element in range(1, DATA_ELEMENTS + 1):
        for place in range(1, places + 1):
            for month in range(1, len(MONTHS) + 1):
                for combo in range(1, len(COMBOS) + 1):
                    if count == total:
                        return
                    yield element, place, month, combo
                    count += 1


def write_files(total: int, places: int) -> dict[str, Path]:
    combos = list(COMBOS)
    csv_path, json_path = WORK / "values.csv", WORK / "values.json"
    stamp = "2015-01-15T10:20:30.000+0000"
    with csv_path.open("w", encoding="utf-8") as handle:
        handle.write(
            "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,"
            "storedby,lastupdated,comment,followup,deleted\n"
        )
        for element, place, month, combo in coordinates(total, places):
            handle.write(
                f"{element_uid(element)},{MONTHS[month - 1]},{org_unit_uid(place)},"
                f"{combos[combo - 1]},{ATTRIBUTE_COMBO},"
                f"{value_of(element, place, month, combo)},bench,{stamp},,false,\n"
            )
    with json_path.open("w", encoding="utf-8") as handle:
        handle.write('{"dataSet": "BENCHDS0001", "completeDate": "2015-01-31", "dataValues": [\n')
        first = True
        for element, place, month, combo in coordinates(total, places):
            item = {
                "dataElement": element_uid(element),
                "period": MONTHS[month - 1],
                "orgUnit": org_unit_uid(place),
                "categoryOptionCombo": combos[combo - 1],
                "attributeOptionCombo": ATTRIBUTE_COMBO,
                "value": value_of(element, place, month, combo),
                "storedBy": "bench",
                "created": stamp,
                "lastUpdated": stamp,
                "followup": False,
            }
            handle.write(("" if first else ",\n") + json.dumps(item, separators=(",", ":")))
            first = False
        handle.write("\n]}\n")
    return {"dhis2-csv": csv_path, "dhis2-json": json_path}


def empty_table() -> None:
    from django.db import connection

    from ayni.monitoring.models import DataValue

    table = connection.ops.quote_name(DataValue._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {table}")
            cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - the model's own table
            cursor.execute("VACUUM")


def stored_count() -> int:
    from ayni.monitoring.models import DataValue

    return DataValue.objects.count()


# --- one measurement, in a child process ------------------------------------------------------


def child(mode: str, format: str, path: Path, mapping_path: Path) -> dict[str, Any]:
    setup_django(database_url())
    from ayni.monitoring.imports.base import READERS
    from ayni.monitoring.imports.pipeline import load_mapping, load_readers, run_import
    from ayni.monitoring.signals import values_changed

    for receiver in list(values_changed.receivers):
        values_changed.receivers.remove(receiver)
    values_changed.sender_receivers_cache.clear()
    mapping = load_mapping(mapping_path)
    load_readers()
    started = time.perf_counter()
    cpu_started = process_cpu()
    counts: dict[str, int]
    if mode == "read":
        read = sum(1 for _ in READERS[format](path, mapping))
        counts = {"read": read}
    elif mode == "copy":
        counts = {"read": raw_copy(format, path, mapping)}
    else:
        _, result = run_import(
            format=format, path=path, mapping=mapping, dry_run=mode == "dry-run", atomic=True
        )
        counts = result.counts()
    seconds = time.perf_counter() - started
    cpu = process_cpu() - cpu_started
    return {
        "seconds": seconds,
        "cpu_us_per_value": cpu / counts["read"] * 1e6,
        "counts": counts,
        "values_per_s": counts["read"] / seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def process_cpu() -> float:
    """CPU seconds of this process (the database server's work is not in it)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def raw_copy(format: str, path: Path, mapping: Any) -> int:
    """The database floor: the same rows straight into the table, nothing checked.

    Rows come from the CSV file with ``str.split`` (the JSON variant reuses the CSV file: the
    rows are the same), translated with plain dictionaries built from the mapping.
    """
    from django.db import connection, transaction

    from ayni.geography.models import Location
    from ayni.monitoring.models import DataSource, DataValue, Indicator

    indicators = dict(Indicator.objects.values_list("code", "id"))
    places = dict(Location.objects.values_list("code", "id"))
    element = {uid: indicators[code] for uid, code in mapping.indicators.items()}
    place = {uid: places[code] for uid, code in mapping.locations.items()}
    combo = {
        uid: ";".join(f"{k}={v}" for k, v in sorted(dims.items()))
        for uid, dims in mapping.category_option_combos.items()
    }
    source = DataSource.objects.get(code=mapping.constants["source"]).pk
    table = DataValue._meta.db_table
    columns = (
        "indicator_id, location_id, period_type, period, year, disaggregation, value, "
        "source_id, flags, is_illustrative"
    )
    csv_path = path.with_suffix(".csv")

    def rows() -> Any:
        with csv_path.open(encoding="utf-8") as handle:
            next(handle)
            for line in handle:
                cells = line.split(",")
                period = cells[1]
                yield (
                    element[cells[0]],
                    place[cells[2]],
                    "M",
                    f"{period[:4]}-{period[4:]}",
                    int(period[:4]),
                    combo[cells[3]],
                    cells[5],
                    source,
                    "",
                    False,
                )

    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
                    count += 1
        else:
            placeholders = ", ".join(["%s"] * 10)
            sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
            batch: list[tuple[Any, ...]] = []
            for row in rows():
                batch.append(row)
                if len(batch) == 10_000:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch.clear()
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def measure(mode: str, format: str, path: Path, mapping_path: Path) -> dict[str, Any]:
    completed = subprocess.run(  # noqa: S603 - this script, with its own arguments
        [sys.executable, __file__, "--child", mode, format, str(path), str(mapping_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"{mode} {format} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "values_per_s_median": round(statistics.median(r["values_per_s"] for r in runs)),
        "seconds_median": round(statistics.median(r["seconds"] for r in runs), 2),
        "peak_mb_max": round(max(r["peak_mb"] for r in runs)),
        "cpu_us_per_value_median": round(statistics.median(r["cpu_us_per_value"] for r in runs), 2),
        "counts": runs[-1]["counts"],
        "runs_values_per_s": [round(r["values_per_s"]) for r in runs],
    }


def check(condition: bool, message: object) -> None:
    """The bench refuses to report timings of imports that did the wrong thing."""
    if not condition:
        raise SystemExit(f"check failed: {message}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--formats", default="dhis2-csv,dhis2-json")
    parser.add_argument("--modes", default="read,copy,import,reimport,dry-run")
    parser.add_argument("--keep", action="store_true", help="keep var/bench/ afterwards")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, format, path, mapping_path = args.child
        print(json.dumps(child(mode, format, Path(path), Path(mapping_path))))
        return

    url = database_url()
    if url.startswith("sqlite"):
        shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)
    setup_django(url)
    from django.db import connection

    from ayni.geography.models import Location
    from ayni.geography.peru import COUNTRY

    if (
        connection.vendor != "sqlite"
        and "monitoring_datavalue" in connection.introspection.table_names()
    ):
        raise SystemExit(f"{url}: use an empty database (it already has Ayni's tables)")
    mapping = prepare_database()
    mapping_path = WORK / "mapping.json"
    mapping_path.write_text(json.dumps(mapping), encoding="utf-8")
    places = Location.objects.filter(country__iso2=COUNTRY["iso2"]).count()
    started = time.perf_counter()
    files = write_files(args.values, places)
    print(
        f"{args.values:,} values, {places:,} places; files written in "
        f"{time.perf_counter() - started:.1f} s: "
        + ", ".join(f"{f} {p.stat().st_size / 1e6:.0f} MB" for f, p in files.items())
    )
    connection.close()

    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "values": args.values,
        "reps": args.reps,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "load_average_start": os.getloadavg(),
        "formats": {},
    }
    modes = args.modes.split(",")
    for format in args.formats.split(","):
        path = files[format]
        measured: dict[str, list[dict[str, Any]]] = {mode: [] for mode in modes}
        for _ in range(args.reps):
            for mode in modes:
                if mode in {"copy", "import"}:
                    empty_table()
                elif mode in {"reimport", "dry-run"} and stored_count() != args.values:
                    empty_table()
                    measure("import", format, path, mapping_path)
                connection.close()
                run = measure(mode, format, path, mapping_path)
                check(run["counts"]["read"] == args.values, (mode, run["counts"]))
                if mode == "import":
                    check(run["counts"]["created"] == args.values, run["counts"])
                    check(stored_count() == args.values, "stored count after import")
                if mode == "reimport":
                    check(run["counts"]["unchanged"] == args.values, run["counts"])
                if mode == "dry-run":
                    check(stored_count() == args.values, "a dry run changed the table")
                measured[mode].append(run)
                print(
                    f"{format:10} {mode:8} {run['values_per_s']:>9,.0f} values/s "
                    f"{run['seconds']:6.1f} s  peak {run['peak_mb']:4.0f} MB  "
                    f"client CPU {run['cpu_us_per_value']:5.2f} µs/value",
                    flush=True,
                )
        results["formats"][format] = {mode: summary(runs) for mode, runs in measured.items()}
    results["load_average_end"] = os.getloadavg()
    out = ROOT / "var" / f"bench-import-results-{connection.vendor}.json"
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results["formats"], indent=2))
    print(f"written to {out}")
    if not args.keep:
        for path in files.values():
            path.unlink()


if __name__ == "__main__":
    main()
