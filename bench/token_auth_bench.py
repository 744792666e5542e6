"""Benchmark of API token authentication (results in docs/benchmarks.md).

Run from the checkout:  .venv/bin/python bench/token_auth_bench.py [--reps N]

A fresh SQLite database under var/bench-tokens/ (git-ignored; or the empty database named by
BENCH_DATABASE_URL), migrated, with one superuser, a token of theirs and a few exchange rates.
The same API read (``GET /api/exchange-rates/?page_size=5``) is made ``--reps`` times with the
token and ``--reps`` times with a signed-in session (the baseline: the pages' own API calls),
alternating, after a warm-up; medians and the queries of one request of each. A token
request looks the token up, checks the lock-out (one query each) and writes its last use at
most once a minute, which the third column shows (a request right after a minute passed).
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
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench-tokens"
URL = "/api/exchange-rates/?page_size=5"


def setup_django(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "ayni.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["AYNI_DATA_DIR"] = str(WORK)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def world() -> tuple[Any, str]:
    from django.core.management import call_command

    from ayni.accounts import services
    from ayni.accounts.models import User
    from ayni.finance.models import ExchangeRate

    call_command("migrate", verbosity=0)
    user = User.objects.create_superuser(username="bench", email="", password="x" * 20)
    for day in range(1, 11):
        ExchangeRate.objects.create(
            currency="PEN", date=f"2015-01-{day:02d}", units_per_usd=Decimal("3.5") + day
        )
    secret = services.api_token_create(user=user, name="bench", scope="read", days=30).secret
    return user, secret


def measure(reps: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from ayni.accounts.models import ApiToken

    user, secret = world()
    token_client = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    session_client = Client()
    session_client.force_login(user)

    def one(client: Client) -> float:
        start = time.perf_counter()
        response = client.get(URL)
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise SystemExit(f"{URL} answered {response.status_code}: {response.content[:200]!r}")
        return elapsed

    for client in (token_client, session_client):  # warm-up
        one(client)

    token_times, session_times = [], []
    for _ in range(reps):
        token_times.append(one(token_client))
        session_times.append(one(session_client))

    def queries(client: Client) -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(URL)
        return len(captured.captured_queries)

    token_queries = queries(token_client)
    ApiToken.objects.update(last_used_at=datetime.now(UTC) - timedelta(minutes=2))
    token_queries_touch = queries(token_client)
    return {
        "reps": reps,
        "token_ms": round(statistics.median(token_times) * 1000, 2),
        "session_ms": round(statistics.median(session_times) * 1000, 2),
        "ratio": round(statistics.median(token_times) / statistics.median(session_times), 3),
        "token_queries": token_queries,
        "token_queries_after_a_minute": token_queries_touch,
        "session_queries": queries(session_client),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=300)
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", "")
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    setup_django(database_url or f"sqlite:///{WORK / 'bench.sqlite3'}")
    try:
        result = measure(args.reps)
    finally:
        if not database_url:
            shutil.rmtree(WORK, ignore_errors=True)
    result.update(
        {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "python": platform.python_version(),
            "load": os.getloadavg(),
            "database": "postgresql" if database_url else "sqlite",
        }
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
