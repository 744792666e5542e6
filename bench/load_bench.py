"""Load with faults on the production set-up (results in docs/benchmarks.md).

Run from the checkout (PostgreSQL and Redis must answer)::

    .venv/bin/python bench/load_bench.py                # 50 people, 30 s + 90 s; ~5 minutes
    .venv/bin/python bench/load_bench.py --users 50 --baseline 30 --duration 90 --think 5 \
        --web-workers 3 --values 423000 --kill-web-after 20

It starts the set-up of docs/deployment.md on the loopback address with
``ayni.core.tests.stack.Stack`` (the one the deployment test starts): a fresh PostgreSQL
database (dropped at the end unless ``--keep``), ``migrate``, ``collectstatic``, the demo data
and one user per role, Gunicorn with ``deploy/gunicorn.conf.py`` (``--web-workers`` sync
workers, ``AYNI_ENV=production``, every request sent as the TLS proxy would), one
``ayni worker`` and Redis as the cache. Then ``--users`` simulated people (threads), each
signed in as one of seven roles in turn (administrator, programme manager, M&E officer,
regional focal point, partner, donor, public user), browse the pages their role opens —
home, programme dashboard, indicator pages, region pages, the API — with a think time drawn
from a seeded generator (``--think`` seconds on average), plus ``/healthz`` and a static file:

1. **baseline** (``--baseline`` seconds): that load alone;
2. **import with faults** (``--duration`` seconds): the same load while the M&E officer
   imports a template CSV of ``--values`` values (5 indicators × every place of Peru × 8
   years × 5 disaggregations, values a fixed function of their coordinates) through the API;
   the job worker is SIGKILLed once the import is under way and a new one started (it marks
   the job failed), the job is retried through the API and must run to success with every
   value stored once; a Gunicorn worker is SIGKILLed ``--kill-web-after`` seconds into the
   phase and must be replaced.

Every response is checked: a status other than the one the page answered the same role at
warm-up, or a failed connection, is an error. A GET whose connection failed is retried once,
as a browser would retry it, and counted apart ("connection retries"): the request that the
killed Gunicorn worker was serving at that instant loses its connection. Results are printed
and written to ``var/bench-load-results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import statistics
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
WORK = ROOT / "var" / "bench-load"

import requests  # noqa: E402

from ayni.core.tests.stack import (  # noqa: E402
    DEFAULT_REDIS,
    USERS,
    Browser,
    Stack,
    postgres_server,
    unavailable,
    wait_for,
)

INDICATORS = [
    "stunting-u5",
    "anaemia-6-35m",
    "birth-registration-u5",
    "net-enrolment-initial",
    "neonatal-mortality",
]
ALL_INDICATORS = [*INDICATORS, "u5-mortality", "ibe-schools-children"]
YEARS = list(range(2019, 2027))
DISAGGREGATIONS = [("", ""), ("F", ""), ("M", ""), ("", "urban"), ("", "rural")]
DEPARTMENTS = [f"{n:02d}" for n in range(1, 26)]
CHECK_YEAR = 2020


# --- the import file ----------------------------------------------------------------------
def place_codes(stack: Stack) -> list[str]:
    import psycopg

    with psycopg.connect(stack.database_url) as connection:
        rows = connection.execute(
            "SELECT l.code FROM geography_location l JOIN geography_country c "
            "ON c.id = l.country_id WHERE c.iso2 = 'PE' ORDER BY l.code"
        ).fetchall()
    return [code for (code,) in rows]


def write_import_file(path: Path, places: list[str], limit: int) -> int:
    written = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write("indicator,location,period,value,source,dim:sex,dim:area\n")
        for i, indicator in enumerate(INDICATORS):
            for p, place in enumerate(places):
                for year in YEARS:
                    for d, (sex, area) in enumerate(DISAGGREGATIONS):
                        if written == limit:
                            return written
                        value = ((i * 7919 + p * 104729 + year * 31 + d * 17) % 9000) / 100 + 5
                        handle.write(
                            f"{indicator},{place},{year},{value},illustrative-demo,{sex},{area}\n"
                        )
                        written += 1
    return written


# --- the simulated people ---------------------------------------------------------------------
@dataclass
class Sample:
    phase: str
    kind: str
    seconds: float
    ok: bool
    retried: bool = False


@dataclass
class Recorder:
    phase: str = "warm-up"
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    signed_in: int = 0

    def add(self, sample: Sample, error: str | None = None) -> None:
        with self.lock:
            self.samples.append(sample)
            if error:
                self.errors.append(f"{sample.phase} {error}")


def candidate_pages(programme: int, static: str, rng: random.Random) -> dict[str, list[str]]:
    return {
        "home": ["/"],
        "dashboard": [f"/programmes/{programme}/", f"/programmes/{programme}/results/"],
        "indicator": [f"/monitoring/indicators/{code}/" for code in ALL_INDICATORS],
        "region": [f"/monitoring/regions/PE/{code}/" for code in DEPARTMENTS],
        "api": [
            "/api/indicators/",
            *(f"/api/data-values/?indicator=stunting-u5&location={c}" for c in DEPARTMENTS[:5]),
            *(f"/api/analytics/?indicator={code}" for code in INDICATORS),
            "/api/programmes/",
        ],
        "healthz": ["/healthz"],
        "static": [static],
    }


class Person(threading.Thread):
    def __init__(
        self,
        number: int,
        username: str,
        stack: Stack,
        pages: dict[str, list[str]],
        recorder: Recorder,
        stop: threading.Event,
        think: float,
    ) -> None:
        super().__init__(daemon=True, name=f"person-{number}")
        self.username = username
        self.stack = stack
        self.pages = pages  # kind → paths this role opens, with their expected status
        self.expected: dict[str, int] = {}
        self.recorder = recorder
        self.stop = stop
        self.think = think
        self.rng = random.Random(number)  # noqa: S311 - a reproducible walk, not security
        # Every person signs in from an address of their own, as people behind the proxy do.
        self.browser = Browser(stack.base_url, client_address=f"198.51.100.{number + 1}")

    def run(self) -> None:
        started = time.perf_counter()
        try:
            if self.username != "anonymous":
                self.browser.sign_in(self.username, self.stack.password)
            self.recorder.add(Sample("warm-up", "sign-in", time.perf_counter() - started, True))
            with self.recorder.lock:
                self.recorder.signed_in += 1
        except Exception as exc:  # reported, never hidden
            self.recorder.add(
                Sample("warm-up", "sign-in", time.perf_counter() - started, False),
                f"{self.username} sign-in: {exc!r}",
            )
            return
        kinds = list(self.pages)
        # Pages weigh as people use them: more pages than health checks and static files.
        weights = [{"healthz": 1, "static": 1, "home": 2}.get(kind, 3) for kind in kinds]
        while not self.stop.is_set():
            kind = self.rng.choices(kinds, weights)[0]
            path = self.rng.choice(self.pages[kind])
            self.fetch(kind, path)
            self.stop.wait(self.rng.uniform(0, 2 * self.think))

    def fetch(self, kind: str, path: str) -> None:
        phase = self.recorder.phase
        started = time.perf_counter()
        retried = False
        try:
            try:
                response = self.browser.get(path)
            except requests.ConnectionError:
                # A browser retries a GET whose connection was closed before any answer.
                retried = True
                response = self.browser.get(path)
        except requests.RequestException as exc:
            self.recorder.add(
                Sample(phase, kind, time.perf_counter() - started, False, retried),
                f"{self.username} {path}: {exc!r}",
            )
            return
        seconds = time.perf_counter() - started
        expected = self.expected.get(path, 200)
        ok = response.status_code == expected
        self.recorder.add(
            Sample(phase, kind, seconds, ok, retried),
            None if ok else f"{self.username} {path}: {response.status_code} (not {expected})",
        )


def pages_for(username: str, stack: Stack, every: dict[str, list[str]]) -> dict[str, Any]:
    """The pages this role opens (answering 200) and the others it is refused, tried once."""
    browser = Browser(stack.base_url, client_address="192.0.2.1")
    if username != "anonymous":
        browser.sign_in(username, stack.password)
    opens: dict[str, list[str]] = defaultdict(list)
    refused = []
    for kind, paths in every.items():
        for path in paths:
            status = browser.get(path).status_code
            if status >= 500:
                raise RuntimeError(f"{username} {path} answered {status} at warm-up")
            if status == 200:
                opens[kind].append(path)
            else:
                refused.append(f"{path} {status}")
    return {"opens": dict(opens), "refused": refused}


# --- the import with its faults -------------------------------------------------------------
def run_import(stack: Stack, csv_path: Path, values: int, report: dict[str, Any]) -> None:
    mario = Browser(stack.base_url, client_address="192.0.2.2")
    mario.sign_in("mario", stack.password)
    started = time.monotonic()
    with csv_path.open("rb") as handle:
        response = mario.post(
            "/api/imports/",
            files={"file": ("load-bench.csv", handle, "text/csv")},
            data={"format": "csv", "dry_run": "false"},
            timeout=300,
        )
    if response.status_code != 201:
        raise RuntimeError(f"the import was refused: {response.status_code} {response.text}")
    job = response.json()
    report["upload_s"] = round(time.monotonic() - started, 2)

    def job_state(pk: int) -> dict[str, Any]:
        return dict(mario.get(f"/api/jobs/{pk}/").json())

    under_way = wait_for(
        lambda: (
            (s := job_state(job["id"]))["status"] == "running"
            and (s["progress_done"] or 0) > 0
            and s
        ),
        300,
        "the import to be under way",
    )
    report["killed_at_progress"] = f"{under_way['progress_done']}/{under_way['progress_total']}"
    victim = stack.workers[-1]
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    killed = time.monotonic()
    report["job_worker_killed_after_s"] = round(killed - started, 2)
    stack.start_worker()  # sweeps at start: the job of the killed worker is marked failed
    failed = wait_for(
        lambda: (s := job_state(job["id"]))["status"] == "failed" and s, 60, "the sweep"
    )
    report["marked_failed_after_s"] = round(time.monotonic() - killed, 2)
    report["failed_message"] = failed["message"]
    retry = mario.post(f"/api/jobs/{job['id']}/retry/")
    if retry.status_code != 201:
        raise RuntimeError(f"the retry was refused: {retry.status_code} {retry.text}")
    retried = retry.json()
    done = wait_for(
        lambda: (s := job_state(retried["id"]))["status"] in {"succeeded", "failed"} and s,
        600,
        "the retried import",
    )
    report["retry_status"] = done["status"]
    report["retry_run_s"] = round(time.monotonic() - killed, 2)
    report["result"] = done.get("result")
    check = mario.get(f"/api/data-values/?indicator=stunting-u5&year={CHECK_YEAR}&page_size=1")
    report["stored_stunting_values_of_check_year"] = check.json()["count"]
    report["expected_stunting_values_of_check_year"] = min(
        values, len(report["places"]) * len(DISAGGREGATIONS)
    )


def kill_a_web_worker(stack: Stack, report: dict[str, Any]) -> None:
    before = stack.web_worker_pids()
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    killed = time.monotonic()
    wait_for(
        lambda: (
            (pids := stack.web_worker_pids())
            and victim not in pids
            and len(pids) == stack.web_workers
        ),
        60,
        "Gunicorn to replace its worker",
    )
    report["web_worker_replaced_after_s"] = round(time.monotonic() - killed, 2)


# --- the report ---------------------------------------------------------------------------
def summarise(recorder: Recorder) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str], list[Sample]] = defaultdict(list)
    for sample in recorder.samples:
        groups[(sample.phase, sample.kind)].append(sample)
    rows = []
    for (phase, kind), samples in sorted(groups.items()):
        times = sorted(s.seconds * 1000 for s in samples)
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        rows.append(
            {
                "phase": phase,
                "kind": kind,
                "requests": len(samples),
                "errors": sum(not s.ok for s in samples),
                "connection_retries": sum(s.retried for s in samples),
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(p95, 1),
            }
        )
    return rows


def print_table(rows: list[dict[str, Any]], seconds: dict[str, float]) -> None:
    print(
        f"{'phase':<20}{'kind':<11}{'requests':>9}{'req/s':>7}{'errors':>7}"
        f"{'retries':>8}{'median ms':>11}{'p95 ms':>9}"
    )
    for row in rows:
        rate = row["requests"] / seconds[row["phase"]] if seconds.get(row["phase"]) else 0
        print(
            f"{row['phase']:<20}{row['kind']:<11}{row['requests']:>9}{rate:>7.1f}"
            f"{row['errors']:>7}{row['connection_retries']:>8}{row['median_ms']:>11}"
            f"{row['p95_ms']:>9}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--baseline", type=float, default=30, help="seconds without import")
    parser.add_argument("--duration", type=float, default=90, help="seconds with the import")
    parser.add_argument("--think", type=float, default=5.0, help="mean seconds between pages")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--values", type=int, default=423_000)
    parser.add_argument("--kill-web-after", type=float, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database and files")
    args = parser.parse_args()

    postgres = postgres_server(os.environ.get("BENCH_DATABASE_URL"))
    redis_url = os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS
    reason = unavailable(postgres, redis_url)
    if reason:
        print(reason)
        return 2
    WORK.mkdir(parents=True, exist_ok=True)
    # The people sign in with their password alone: an authenticator code is accepted once per
    # 30 seconds, and several people here share an account. The two steps are a one-off cost
    # at sign-in, checked by core/tests/test_production_stack.py; what is measured is browsing.
    stack = Stack(
        WORK,
        postgres,
        redis_url,
        web_workers=args.web_workers,
        extra_env={"AYNI_MFA_REQUIRED": "false"},
    )
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}",
        "load_average_start": os.getloadavg(),
        "args": vars(args),
    }
    try:
        report["install_s"] = {k: round(v, 1) for k, v in stack.install().items()}
        report["places"] = places = place_codes(stack)
        csv_path = WORK / "load-bench.csv"
        report["import_values"] = write_import_file(csv_path, places, args.values)
        report["import_file_mb"] = round(csv_path.stat().st_size / 1e6, 1)
        stack.start_web()
        stack.start_worker()
        print(f"set-up: {report['install_s']}; import file {report['import_file_mb']} MB")
        return run_load(stack, args, csv_path, report)
    finally:
        codes = stack.stop()
        report["exit_codes"] = codes
        print(f"exit codes on SIGTERM: {codes}")
        report.pop("places", None)
        (ROOT / "var" / "bench-load-results.json").write_text(json.dumps(report, indent=2))
        if not args.keep:
            stack.drop_database()
            stack.clear_cache()


def run_load(stack: Stack, args: argparse.Namespace, csv_path: Path, report: dict[str, Any]) -> int:
    programme = stack.info["programme"]
    home = Browser(stack.base_url).get("/").text
    static = next(part.split('"')[0] for part in home.split('href="')[1:] if ".css" in part)
    every = candidate_pages(programme, static, random.Random(0))  # noqa: S311
    roles = [*sorted(USERS), "anonymous"]
    role_pages = {username: pages_for(username, stack, every) for username in roles}
    report["refused_at_warm_up"] = {u: p["refused"] for u, p in role_pages.items()}

    recorder = Recorder()
    stop = threading.Event()
    people = [
        Person(
            n,
            roles[n % len(roles)],
            stack,
            role_pages[roles[n % len(roles)]]["opens"],
            recorder,
            stop,
            args.think,
        )
        for n in range(args.users)
    ]
    signing_in = time.monotonic()
    for person in people:
        person.start()
    # Everyone signs in first (Argon2 takes its time on purpose), then the load settles.
    wait_for(lambda: recorder.signed_in == len(people) or recorder.errors, 600, "the sign-ins")
    report["sign_ins_s"] = round(time.monotonic() - signing_in, 1)
    time.sleep(10)
    seconds: dict[str, float] = {}

    recorder.phase = "baseline"
    report["load_average_baseline_start"] = os.getloadavg()
    phase_started = time.monotonic()
    time.sleep(args.baseline)
    seconds["baseline"] = time.monotonic() - phase_started

    recorder.phase = "import + faults"
    report["load_average_import_start"] = os.getloadavg()
    faults: dict[str, Any] = {"places": report["places"]}
    importer = threading.Thread(
        target=capture, args=(run_import, stack, csv_path, args.values, faults), daemon=True
    )
    phase_started = time.monotonic()
    importer.start()
    time.sleep(args.kill_web_after)
    capture(kill_a_web_worker, stack, faults)
    remaining = args.duration - (time.monotonic() - phase_started)
    importer.join(timeout=max(0.0, remaining))
    time.sleep(max(0.0, args.duration - (time.monotonic() - phase_started)))
    seconds["import + faults"] = time.monotonic() - phase_started
    report["load_average_end"] = os.getloadavg()
    stop.set()
    for person in people:
        person.join(timeout=90)
    report["import_finished_during_load"] = not importer.is_alive()
    importer.join(timeout=600)
    faults.pop("places")
    report["faults"] = faults

    rows = summarise(recorder)
    report["results"] = rows
    report["phase_seconds"] = {k: round(v, 1) for k, v in seconds.items()}
    report["errors"] = recorder.errors[:50]
    print_table(rows, {**seconds, "warm-up": 0})
    print(json.dumps({k: v for k, v in faults.items() if k != "result"}, indent=1))
    failures = len(recorder.errors) + ("error" in faults)
    if faults.get("stored_stunting_values_of_check_year") != faults.get(
        "expected_stunting_values_of_check_year"
    ):
        failures += 1
    print(f"errors: {len(recorder.errors)}", *recorder.errors[:20], sep="\n  ")
    print(f"load average: start {report['load_average_start']}, end {report['load_average_end']}")
    return 1 if failures else 0


def capture(function: Any, *args: Any) -> None:
    """Run a fault or the import; what went wrong goes to the report, not lost in a thread."""
    report = args[-1]
    try:
        function(*args)
    except Exception as exc:  # reported, never hidden
        report["error"] = f"{function.__name__}: {exc!r}"


if __name__ == "__main__":
    sys.exit(main())
