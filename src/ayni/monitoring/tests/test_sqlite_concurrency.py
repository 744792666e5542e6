"""The embedded SQLite default under concurrent writes: while an import holds the write lock,
other users' form and API writes wait for it and succeed, and a second import is refused with
its batch recorded, on a real database file shared by several threads."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from ayni.accounts.models import User
from ayni.core.imports import ImportRefused
from ayni.core.models import ImportBatch
from ayni.core.tests.world import build_world, make_programme
from ayni.finance import services as finance
from ayni.finance.models import BudgetLine, Grant
from ayni.geography.models import Country, Location
from ayni.monitoring.models import DataValue
from ayni.monitoring.tests.importing import make_catalogue, run_import, write_csv
from ayni.partners.models import Organisation

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="SQLite only: PostgreSQL locks rows, not the database; imports run side by side",
    ),
]

# Longer than the 5 s for which SQLite waits for the write lock by default: before the busy
# timeout was raised every write behind the import failed with "database is locked".
HOLD_SECONDS = 6.0


@pytest.fixture
def on_file(tmp_path: Path) -> Iterator[Callable[[], None]]:
    """The in-memory test database copied to a file; this thread uses it until the test ends,
    and each other thread calls the yielded function first to use it too."""
    if not Location.objects.exists():
        build_world()  # a transactional test before this one flushed the session's world
    original = connections["default"]
    original.ensure_connection()
    path = tmp_path / "shared.sqlite3"
    target = sqlite3.connect(path)
    original.connection.backup(target)
    target.close()
    settings_dict = {**original.settings_dict, "NAME": str(path)}

    def use_file() -> None:
        connections["default"] = original.__class__(settings_dict, alias="default")

    use_file()
    try:
        yield use_file
    finally:
        connections["default"].close()
        connections["default"] = original


def test_writes_wait_for_an_import_and_a_second_import_is_refused(
    on_file: Callable[[], None], tmp_path: Path
) -> None:
    make_catalogue()
    types = finance.funding_types_ensure()
    programme = make_programme(code="busy")
    donor = finance.donor_ensure(organisation=Organisation.objects.get(acronym="CIDA"), code="c")
    result = programme.results.get(code="C1.1")
    ana = User.objects.get(username="ana")
    peru = Country.objects.get(iso2="PE")
    districts = Location.objects.filter(country__iso2="PE", level__depth=3).order_by("code")
    rows = [
        ["t-births", place.code, f"2015{month:02d}", str(month), "t-sien", "", ""]
        for place in districts[:500]
        for month in range(1, 5)
    ]
    values = write_csv(tmp_path / "values.csv", rows)
    second_file = write_csv(tmp_path / "second.csv", rows[:10])

    form = Client()
    form.force_login(ana)
    api = APIClient()
    api.force_authenticate(ana)

    def save_grant(number: int) -> int:
        return form.post(
            reverse("finance:grant-create"),
            {
                "programme": programme.pk,
                "donor": donor.pk,
                "reference": f"G-BUSY-{number}",
                "funding_type": types["orr"].pk,
                "amount": "10.00",
                "currency": "USD",
                "stage": "pipeline",
                "probability": "50",
                "earmark": "programme",
            },
        ).status_code

    def post_budget_line(year: int, funding_type: str) -> int:
        payload = {
            "result": result.pk,
            "year": year,
            "funding_type": funding_type,
            "currency": "USD",
            "amount": "5.00",
        }
        return api.post("/api/budget-lines/", payload, format="json").status_code

    writes: list[Callable[[], int]] = [
        *(lambda n=n: save_grant(n) for n in range(12)),
        *(
            lambda y=y, t=t: post_budget_line(y, t)
            for y in range(2012, 2017)
            for t in ("rr", "orr")
        ),
    ]
    ready = threading.Semaphore(0)
    outcomes: list[tuple[Any, float]] = []
    refusals: list[str] = []

    def write(work: Callable[[], int]) -> None:
        on_file()
        try:
            ready.release()
            outcomes.append((work(), time.monotonic()))
        except Exception as exc:
            outcomes.append((repr(exc), time.monotonic()))
        finally:
            connections["default"].close()

    def second_import() -> None:
        on_file()
        try:
            ready.release()
            # A thread starts in the default language: read the refusal in English, as here.
            with translation.override("en"):
                run_import(format="csv", path=second_file, user=ana, country=peru)
        except ImportRefused as exc:
            refusals.append(str(exc))
        except Exception as exc:
            refusals.append(repr(exc))
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=write, args=(work,)) for work in writes]
    threads.append(threading.Thread(target=second_import))
    released_at: list[float] = []

    def while_importing(done: int) -> None:
        # After the first chunk, inside the import's transaction: the write lock is held.
        if released_at:
            return
        for thread in threads:
            thread.start()
        for _ in threads:
            assert ready.acquire(timeout=60)
        time.sleep(HOLD_SECONDS)
        released_at.append(time.monotonic())

    batch, imported = run_import(
        format="csv", path=values, user=ana, progress=while_importing, chunk_size=500
    )
    for thread in threads:
        thread.join(timeout=120)
    assert released_at, "the import ended before the other writes started"

    assert len(outcomes) == len(writes) == 22
    assert sorted(str(status) for status, _ in outcomes) == ["201"] * 10 + ["302"] * 12, outcomes
    # Each write waited for the import's write lock, then was saved.
    assert all(at >= released_at[0] for _, at in outcomes)
    assert Grant.objects.filter(reference__startswith="G-BUSY-").count() == 12
    assert BudgetLine.objects.filter(result=result).count() == 10

    assert batch.status == ImportBatch.Status.SUCCEEDED
    assert imported.created == len(rows) == DataValue.objects.filter(import_batch=batch).count()
    message = "second.csv: another import is running; try again when it has finished"
    assert refusals == [message]
    refused = ImportBatch.objects.get(file_name="second.csv")
    assert (refused.status, refused.message) == (ImportBatch.Status.FAILED, message)
    assert refused.created_by == ana and refused.finished_at is not None
    assert not DataValue.objects.filter(import_batch=refused).exists()


def test_after_an_import_the_next_one_runs(on_file: Callable[[], None], tmp_path: Path) -> None:
    make_catalogue()
    rows = [["t-births", "15", "2015Q2", "120", "t-sien", "", ""]]
    first, _ = run_import(format="csv", path=write_csv(tmp_path / "a.csv", rows))
    second, result = run_import(format="csv", path=write_csv(tmp_path / "b.csv", rows))
    assert first.status == second.status == ImportBatch.Status.SUCCEEDED
    assert result.unchanged == 1
