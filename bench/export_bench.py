"""Benchmark of the export writers (results in docs/benchmarks.md).

Run from the checkout::

    .venv/bin/python bench/export_bench.py [--rows N]

Writes ``--rows`` rows (default 100,000) of nine cells shaped like the agreement list (text,
dates, a Decimal amount) with each writer, each in its own process so that its peak memory
(``ru_maxrss``) is that of one export, Django included:

- **csv**: ``core.exports._csv_chunks``, what a streamed CSV download and a CSV job write;
- **xlsx**: ``core.exports.write_xlsx``, XlsxWriter in ``constant_memory`` mode;
- baseline **xlsx-in-memory**: the workbook built in memory (``in_memory=True`` into a
  ``BytesIO``), as the downloads did before they became exports.

No database is involved: the rows are generated, so the numbers are the writers' own.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

HEADER = ["Reference", "Title", "Partner", "Type", "Status", "Start", "End", "Currency", "UNICEF"]


def rows(count: int) -> Iterator[list[Any]]:
    for n in range(count):
        yield [
            f"PER/PCA/2012/{n:06d}",
            f"Early childhood development with partner {n % 97}",
            "PLAN",
            "Programme cooperation agreement",
            "Active",
            date(2012, 1, 1),
            date(2016, 12, 31),
            "USD",
            Decimal("150000.00") + n,
        ]


def measure(mode: str, count: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ayni.settings")
    import django

    django.setup()
    import xlsxwriter

    from ayni.core.exports import _csv_chunks, safe_cell, write_xlsx

    started = time.perf_counter()
    size = 0
    if mode == "csv":
        for chunk, _written in _csv_chunks(HEADER, rows(count)):
            size += len(chunk.encode())
    elif mode == "xlsx":
        with tempfile.TemporaryFile() as out:
            write_xlsx(out, "agreements", HEADER, rows(count), lambda _n: None)
            size = out.tell()
    elif mode == "xlsx-in-memory":
        buffer = io.BytesIO()
        options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        workbook = xlsxwriter.Workbook(buffer, options)
        sheet = workbook.add_worksheet("agreements")
        sheet.write_row(0, 0, HEADER)
        for index, row in enumerate(rows(count), start=1):
            sheet.write_row(index, 0, [safe_cell(value) for value in row])
        workbook.close()
        size = len(buffer.getvalue())
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"mode": mode, "rows": count, "seconds": seconds, "mb": size / 1e6, "peak_mb": peak_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.rows)))
        return
    print(f"{'writer':<16}{'rows':>9}{'seconds':>9}{'file MB':>9}{'peak RSS MB':>13}")
    for mode in ("csv", "xlsx", "xlsx-in-memory"):
        output = subprocess.run(  # noqa: S603 - this script, this interpreter
            [sys.executable, __file__, "--one", mode, "--rows", str(args.rows)],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": "src"},
        ).stdout
        r = json.loads(output.strip().splitlines()[-1])
        print(
            f"{r['mode']:<16}{r['rows']:>9}{r['seconds']:>9.1f}{r['mb']:>9.1f}{r['peak_mb']:>13.0f}"
        )


if __name__ == "__main__":
    main()
