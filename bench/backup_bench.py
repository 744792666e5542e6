"""Benchmark of ``ayni backup`` and ``ayni restore`` against the database tools alone.

Run from the checkout::

    .venv/bin/python bench/backup_bench.py [--values N] [--reps N]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/backup_bench.py

It builds, under var/bench-backup/ (or ``BENCH_WORK``; removed afterwards unless ``--keep``),
an installation with the demo data (``ayni migrate``, ``ayni demo``: Peru's places, the
2012–2016 programme, its indicators and the analytics store), then a larger one: the demo
plus ``--values`` data values (default 1,000,000; a fixed function of their coordinates) and
the analytics store refreshed. On PostgreSQL it creates the databases ``ayni_bench_backup_src`` and
``ayni_bench_backup_dst`` on the server of ``BENCH_DATABASE_URL`` and drops them afterwards.

Measured for each size, ``--reps`` times, median reported (wall time of the command as an
operator runs it, Django's start included):

- **backup .tar.gz** and **backup .tar**: ``ayni backup -o FILE``;
- **restore**: ``ayni restore --force FILE`` (the .tar.gz) into a second installation;
- baselines of the same run: the database's own tools and a plain copy of the file folders,
  without manifest, checksums or archive: SQLite ``sqlite3 SRC ".backup FILE"`` + ``cp -r``
  (restore: ``cp`` + ``cp -r``); PostgreSQL ``pg_dump -Fc`` + ``cp -r`` (restore:
  ``pg_restore --clean --if-exists --single-transaction`` + ``cp -r``).

Each way of restoring is checked once first (the target's count of data values is the
source's). ``ayni version`` is timed too: what every command costs before it does anything.
Results are printed and written to ``var/bench-backup-results-<engine>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(os.environ.get("BENCH_WORK", ROOT / "var" / "bench-backup"))
AYNI = str(ROOT / ".venv" / "bin" / "ayni")
PYTHON = str(ROOT / ".venv" / "bin" / "python")
TREES = ["media", "analytics", "sdmx-structures"]

# Run in a child process with Django set up on the source: the extra values, inserted the
# way a bulk load would (one statement per chunk, no validation), then counted.
INSERT = """
import itertools, sys
import django
django.setup()
from django.db import connection, transaction
from ayni.geography.models import Location
from ayni.monitoring.models import DataSource, DataValue, Indicator
total = int(sys.argv[1])
indicators = list(Indicator.objects.order_by("id").values_list("id", flat=True))
peru = Location.objects.filter(country__iso2="PE").order_by("id")
places = list(peru.values_list("id", flat=True))
source = DataSource.objects.order_by("id").first()
keys = ["bench=" + str(n) for n in range(100)]
cells = itertools.product(keys, range(2012, 2017), indicators, places)
sql = ("INSERT INTO monitoring_datavalue (indicator_id, location_id, period_type, period, year, "
       "disaggregation, value, source_id, flags, is_illustrative) "
       "VALUES (%s, %s, 'Y', %s, %s, %s, %s, %s, '', true)")
done = 0
while done < total:
    batch = [(i, p, str(y), y, k, ((i * 7919 + p * 104729 + y * 31) % 1000) / 10, source.id)
             for k, y, i, p in itertools.islice(cells, min(50_000, total - done))]
    if not batch:
        break
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, batch)
    done += len(batch)
print(done)
"""
COUNT = """
import django
django.setup()
from ayni.monitoring.models import DataValue
print(DataValue.objects.count())
"""


def run(command: list[str], environment: dict[str, str] | None = None, **kwargs: Any) -> str:
    finished = subprocess.run(  # noqa: S603 (the bench's own commands)
        command, env=environment, capture_output=True, text=True, check=False, **kwargs
    )
    if finished.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} failed:\n{finished.stderr[-3000:]}")
    return finished.stdout


class Installation:
    """One installation: its data folder and database (an SQLite file in the folder, or a
    PostgreSQL database)."""

    def __init__(self, name: str, server: str | None) -> None:
        self.folder = WORK / name
        self.server = server
        self.database = f"ayni_bench_backup_{name}" if server else None

    @property
    def url(self) -> str:
        if self.server:
            return f"{self.server.rsplit('/', 1)[0]}/{self.database}"
        return f"sqlite:///{self.folder / 'ayni.sqlite3'}"

    @property
    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "AYNI_DATA_DIR": str(self.folder),
            "DATABASE_URL": self.url,
            "LOG_LEVEL": "ERROR",
            "DJANGO_SETTINGS_MODULE": "ayni.settings",
        }

    def create(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        if self.server:
            self._sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            self._sql(f'CREATE DATABASE "{self.database}"')

    def drop(self) -> None:
        if self.server:
            self._sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def _sql(self, statement: str) -> None:
        import psycopg

        assert self.server is not None  # noqa: S101
        with psycopg.connect(self.server, autocommit=True) as connection:
            connection.execute(statement)  # type: ignore[arg-type]

    def ayni(self, *args: str) -> str:
        return run([AYNI, *args], self.environment)

    def python(self, code: str, *args: str) -> str:
        return run([PYTHON, "-c", code, *args], self.environment)

    def values(self) -> int:
        return int(self.python(COUNT).strip())


def timed(function: Callable[[], Any], reps: int) -> dict[str, float]:
    runs = []
    for _ in range(reps):
        started = time.perf_counter()
        function()
        runs.append(time.perf_counter() - started)
    return {"median_s": round(statistics.median(runs), 2), "min_s": round(min(runs), 2)}


def copy_trees(source: Path, target: Path) -> None:
    for name in TREES:
        shutil.rmtree(target / name, ignore_errors=True)
        if (source / name).exists():
            run(["cp", "-r", str(source / name), str(target / name)])


def measure(source: Installation, target: Installation, reps: int) -> dict[str, Any]:
    expected = source.values()
    archives = WORK / "archives"
    shutil.rmtree(archives, ignore_errors=True)
    archives.mkdir()
    results: dict[str, Any] = {"data_values": expected}

    def backup(suffix: str) -> Callable[[], None]:
        def work() -> None:
            path = archives / f"ayni{suffix}"
            path.unlink(missing_ok=True)
            source.ayni("backup", "-o", str(path))

        return work

    def restore() -> None:
        target.ayni("restore", "--force", str(archives / "ayni.tar.gz"))

    baseline_copy = archives / "baseline"

    def baseline_backup() -> None:
        shutil.rmtree(baseline_copy, ignore_errors=True)
        baseline_copy.mkdir()
        if source.server:
            run(["pg_dump", "-Fc", "-f", str(baseline_copy / "db.pgdump"), source.url])
        else:
            database = str(source.folder / "ayni.sqlite3")
            run(["sqlite3", database, f".backup '{baseline_copy / 'ayni.sqlite3'}'"])
        copy_trees(source.folder, baseline_copy)

    def baseline_restore() -> None:
        if target.server:
            run(
                [
                    *["pg_restore", "--clean", "--if-exists", "--single-transaction"],
                    *["--no-owner", "-d", target.url, str(baseline_copy / "db.pgdump")],
                ]
            )
        else:
            shutil.copyfile(baseline_copy / "ayni.sqlite3", target.folder / "ayni.sqlite3")
        copy_trees(baseline_copy, target.folder)

    def checked(restore: Callable[[], None]) -> Callable[[], None]:
        def work() -> None:
            restore()
            if target.values() != expected:
                raise SystemExit("restore check failed: the data values differ")

        return work

    results["backup_tar_gz"] = timed(backup(".tar.gz"), reps)
    results["backup_tar"] = timed(backup(".tar"), reps)
    results["archive_bytes_tar_gz"] = (archives / "ayni.tar.gz").stat().st_size
    results["archive_bytes_tar"] = (archives / "ayni.tar").stat().st_size
    checked(restore)()
    results["restore"] = timed(restore, reps)
    results["baseline_backup"] = timed(baseline_backup, reps)
    results["baseline_bytes"] = sum(
        path.stat().st_size for path in baseline_copy.rglob("*") if path.is_file()
    )
    checked(baseline_restore)()
    results["baseline_restore"] = timed(baseline_restore, reps)
    # What any ayni command costs before it does anything (Python and Django starting).
    results["ayni_start"] = timed(lambda: source.ayni("version"), reps)
    for step in ("backup_tar_gz", "backup_tar"):
        ratio = results[step]["median_s"] / results["baseline_backup"]["median_s"]
        results[f"{step}_vs_baseline"] = round(ratio, 2)
    ratio = results["restore"]["median_s"] / results["baseline_restore"]["median_s"]
    results["restore_vs_baseline"] = round(ratio, 2)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()
    server = os.environ.get("BENCH_DATABASE_URL")
    source, target = Installation("src", server), Installation("dst", server)
    report: dict[str, Any] = {
        "engine": "postgresql" if server else "sqlite",
        "reps": options.reps,
        "load_average": os.getloadavg(),
    }
    try:
        for installation in (source, target):
            installation.create()
            installation.ayni("migrate", "--no-input", "-v0")
        source.ayni("demo")
        report["demo"] = measure(source, target, options.reps)
        print(json.dumps({"demo": report["demo"]}, indent=2), flush=True)
        if options.values:
            started = time.perf_counter()
            source.python(INSERT, str(options.values))
            source.ayni("analytics", "refresh", "--full")
            report["build_large_s"] = round(time.perf_counter() - started, 1)
            report["large"] = measure(source, target, options.reps)
            print(json.dumps({"large": report["large"]}, indent=2), flush=True)
    finally:
        if not options.keep:
            for installation in (source, target):
                installation.drop()
            shutil.rmtree(WORK, ignore_errors=True)
    output = WORK.parent / f"bench-backup-results-{report['engine']}.json"
    output.write_text(json.dumps(report, indent=2))
    print(f"written to {output}", file=sys.stderr)


if __name__ == "__main__":
    main()
