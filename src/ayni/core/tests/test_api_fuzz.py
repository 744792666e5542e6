"""The API fuzzed from its own OpenAPI schema (schemathesis, Hypothesis).

The schema is the one drf-spectacular serves at ``/api/schema/``, loaded from the Django
application in-process over WSGI. Every operation is called with generated requests, valid
and invalid (schemathesis' positive and negative modes), as ana (an office administrator,
with a token) and, for the public operations, anonymously; each answer must not be a server
error, must have a status the schema documents for the operation, and must have a body that
conforms to the schema of that status. Unsafe methods run too: each request runs in a
savepoint that is rolled back, so every example meets the same data (the test world, the
default programme and the demo indicators) and a run is reproducible (``derandomize``).

Path parameters are drawn from the records that exist (most of the time) or generated (the
rest), so that detail, change, delete and workflow operations reach records and not only 404.

``AYNI_FUZZ_EXAMPLES`` sets the number of examples per operation and identity (default
below); ``AYNI_FUZZ_EXAMPLES=500 pytest src/ayni/core/tests/test_api_fuzz.py`` fuzzes longer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from werkzeug.test import Client

from ayni.accounts.models import CountryOffice
from ayni.core.tests.openapi import APP, CHECKS, OPERATIONS, token_headers, wsgi_requests
from ayni.demo.indicators import load_demo_indicators
from ayni.demo.programme import load_default_programme

EXAMPLES = int(os.environ.get("AYNI_FUZZ_EXAMPLES", "10"))
# Operations anyone may call: the public reference data, indicators and their values, the
# analytics. ``test_the_public_operations_are_these`` keeps the list true.
PUBLIC = {
    "GET /api/locations/",
    "GET /api/locations/{id}/",
    "GET /api/zones/",
    "GET /api/zones/{id}/",
    "GET /api/frameworks/",
    "GET /api/frameworks/{id}/",
    "GET /api/indicators/",
    "GET /api/indicators/{code}/",
    "GET /api/data-values/",
    "GET /api/data-values/{id}/",
    "GET /api/targets/",
    "GET /api/targets/{id}/",
    "GET /api/analytics/",
    "GET /api/analytics/equity/",
}
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI is reproducible
    database=None,  # nothing written next to the sources
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The default programme and the demo indicators for the whole module, rolled back at
    its end, and the values of each path parameter that name a record (read from the lists
    as ana reads them)."""
    with wsgi_requests(), django_db_blocker.unblock(), transaction.atomic():
        office = CountryOffice.objects.get(code="peru")
        load_default_programme(office)
        load_demo_indicators(office.country)
        headers = token_headers("ana")
        yield {"headers": headers, "records": _records(headers)}
        transaction.set_rollback(True)


def _records(headers: dict[str, str]) -> dict[str, dict[str, list[Any]]]:
    """For each list (``/api/agreements/``): its path parameter values (``{"id": [1, 2]}``)."""
    client = Client(APP)
    records: dict[str, dict[str, list[Any]]] = {}
    for operation in OPERATIONS.values():
        if operation.method.upper() != "GET" or "{" in operation.path:
            continue
        response = client.get(operation.path, headers=headers, query_string={"page_size": 50})
        if response.status_code != 200:
            continue
        body = response.get_json()
        rows = body.get("results", body) if isinstance(body, dict) else body
        if not isinstance(rows, list):
            continue
        fields: dict[str, list[Any]] = {}
        for name in ("id", "code"):
            values = [row[name] for row in rows if isinstance(row, dict) and name in row]
            if values:
                fields[name] = values[:20]
        records[operation.path] = fields
    return records


def _known(records: dict[str, dict[str, list[Any]]], path: str, name: str) -> list[Any]:
    """The values of ``{name}`` in ``path`` that name records: those of the list above it."""
    prefix = path.split("{", 1)[0]
    return records.get(prefix, {}).get(name, [])


def _strategy(operation: Any) -> Any:
    return st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )


def fuzz(operation: Any, records: dict[str, Any], headers: dict[str, str]) -> None:
    @FUZZ
    @given(case=_strategy(operation), data=st.data())
    def run(case: Any, data: Any) -> None:
        for name in list(case.path_parameters or {}):
            known = _known(records, operation.path, name)
            if known and data.draw(st.integers(0, 3), label=f"generated {name}") > 0:
                case.path_parameters[name] = data.draw(st.sampled_from(known), label=name)
        # Every example meets the same records: what it writes is undone.
        with wsgi_requests(), transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_an_office_user_meets_only_documented_answers(
    label: str, fuzz_world: dict[str, Any], settings: Any
) -> None:
    settings.AYNI_JOBS = "worker"  # jobs are queued, never run in a thread of the test
    fuzz(OPERATIONS[label], fuzz_world["records"], fuzz_world["headers"])


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(PUBLIC))
def test_the_public_meets_only_documented_answers(
    label: str, fuzz_world: dict[str, Any], settings: Any
) -> None:
    settings.AYNI_JOBS = "worker"
    fuzz(OPERATIONS[label], fuzz_world["records"], {})


@pytest.mark.django_db
def test_the_public_operations_are_these(fuzz_world: dict[str, Any]) -> None:
    """Every list anyone may read is in ``PUBLIC`` (so it is fuzzed anonymously), and only
    those: the others answer 401 without credentials."""
    client = Client(APP)
    readable = set()
    with wsgi_requests():
        for label, operation in OPERATIONS.items():
            listed = operation.method.upper() == "GET" and "{" not in operation.path
            if listed and client.get(operation.path).status_code != 401:
                readable.add(label)
    assert readable == {label for label in PUBLIC if label.startswith("GET") and "{" not in label}
