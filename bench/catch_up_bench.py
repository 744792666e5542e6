"""What looking for unabsorbed changes costs a read of the analytics store (docs/benchmarks.md).

Run from the checkout:  .venv/bin/python bench/catch_up_bench.py [--reads N]

Every read of the store calls ``freshness.catch_up_if_due()`` before it lists its files. It
measures, on a fresh SQLite database under var/bench-catch-up/ (git-ignored, removed
afterwards), per read: the check when it is not due (the hot path: a clock reading), the check
when it is due with nothing to absorb (one query), and as the baseline of the same run an
empty function call. Medians of 7 rounds, alternating the three.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench-catch-up"


def per_read(function: Callable[[], None], reads: int) -> float:
    started = time.perf_counter()
    for _ in range(reads):
        function()
    return (time.perf_counter() - started) / reads * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reads", type=int, default=100_000, help="reads per round (not due)")
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ayni.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
    os.environ["AYNI_DATA_DIR"] = str(WORK)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    from ayni.monitoring.analytics import freshness

    call_command("migrate", verbosity=0)

    def nothing() -> None:
        pass

    def due() -> None:
        freshness.forget_catch_up()
        freshness.catch_up_if_due()

    freshness.catch_up_if_due()
    rounds: dict[str, list[float]] = {"baseline": [], "not due": [], "due": []}
    for _ in range(7):
        rounds["baseline"].append(per_read(nothing, args.reads))
        rounds["not due"].append(per_read(freshness.catch_up_if_due, args.reads))
        rounds["due"].append(per_read(due, max(args.reads // 50, 100)))
    for name, runs in rounds.items():
        print(f"{name}: {statistics.median(runs):.3f} µs per read (min {min(runs):.3f})")
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
