"""The authorization matrix: every URL of Ayni, every HTTP method it takes, every actor, on a
record of the actor's own office and of the other one.

The URLs come from walking the URL configuration (pages and ``/api/…`` alike; the Django
admin, superusers only, and static files are left out). Each (URL name, method) is looked up
in the explicit table of ``authz_table`` (a URL it does not know fails
``test_the_table_knows_every_url_and_method``), asked as each actor with the records built in
``authz_world`` (paths and bodies in ``authz_requests``), and the answer compared with the
table:

- allowed: 2xx, or a redirect that is not to the sign-in page; a write must have written;
- refused: 401, 403, 404 or the sign-in page; a write with another office's record in its
  body may also be refused by validation (400, or the form shown again); a refused write
  changes nothing (row counts of every table and the record itself, compared before and
  after);
- nothing of another office (its marker, its amounts) is in any answer, download (CSV, XLSX)
  or job file, and no money figure the role may not read (docs/security.md, "Figures") is in
  any answer.

Each write runs in a savepoint that is rolled back, so every check starts from the same
records. The number of checks is printed (``-s``) and kept in docs/security.md.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.shortcuts import resolve_url
from django.urls import reverse
from rest_framework.test import APIClient

from ayni.accounts.models import User
from ayni.core.permissions import Action, scope
from ayni.core.tests import authz_requests as requests
from ayni.core.tests.authz_table import ACTORS, DOWNLOADS, MARKER_READERS, OPEN, SELF, TABLE
from ayni.core.tests.authz_world import AMOUNTS, job_file_text
from ayni.core.tests.urlwalk import url_routes
from ayni.finance import selectors
from ayni.finance.models import (
    Allocation,
    BudgetLine,
    CashTransfer,
    Expenditure,
    Grant,
    GrantInstalment,
)
from ayni.finance.tests.figures import figures_of, renderings

# The OpenAPI schema is one document, the same for everyone and holding no record, and the
# slowest answer of all: asked as a visitor and as a signed-in user only.
ASKED_ONCE = {"api-schema"}


# --- the URL configuration ---------------------------------------------------------------


def _table_methods(name: str) -> set[str]:
    return {key.split(" ")[0] for key in TABLE.get(name, {})}


def test_the_table_knows_every_url_and_method() -> None:
    routes = url_routes()
    assert len(routes) > 100, "the walk of the URL configuration is broken"
    unknown = [
        f"{name} {sorted(entry['methods'] - _table_methods(name))}"
        for name, entry in sorted(routes.items())
        if entry["methods"] - _table_methods(name)
    ]
    assert not unknown, (
        "URLs or methods the authorization matrix does not know; add them to "
        "ayni/core/tests/authz_table.py (who may, on each office's record) and their record "
        "and body to authz_requests.py:\n" + "\n".join(unknown)
    )
    stale = [
        f"{name} {sorted(_table_methods(name) - routes.get(name, {}).get('methods', set()))}"
        for name in sorted(TABLE)
        if _table_methods(name) - routes.get(name, {}).get("methods", set())
    ]
    assert not stale, "the table names URLs or methods that do not exist:\n" + "\n".join(stale)
    for name, entry in routes.items():
        assert len(entry["callbacks"]) == 1, f"{name} names two different views"


# --- the records ---------------------------------------------------------------------------


# --- what may not appear -----------------------------------------------------------------


def _records_amounts(user: Any) -> set[Decimal]:
    """Every amount of a record the user may read (a figure equal to one is not a leak)."""
    amounts: set[Decimal] = set()
    for model in (BudgetLine, Allocation, Expenditure, GrantInstalment, CashTransfer):
        amounts |= set(
            scope(user, Action.VIEW, model.objects.all()).values_list("amount", flat=True)
        )
    grants = selectors.with_allocated(scope(user, Action.VIEW, Grant.objects.all()))
    for row in grants.values_list("amount", "allocated", "available"):
        amounts |= set(row)
    return amounts


def _hidden_amounts(name: str, user: Any, world: dict[str, Any]) -> set[Decimal]:
    """The amounts ``name`` may not read: another office's records and figures; of their own
    office, the figures their role may not read (docs/security.md, "Figures")."""
    office = {"ana": "PE", "pablo": "PE", "mia": "PE", "fiona": "PE", "rosa": "PE", "pia": "PE"}
    office |= {"carlos": "PE", "diego": "PE", "bruno": "BO"}
    hidden: set[Decimal] = set()
    if name == "root":
        return hidden
    for code in ("PE", "BO"):
        figures = figures_of(world[code]["programme"])
        records = {Decimal(a) for a in AMOUNTS[code].values() if a}
        if office.get(name) != code:
            hidden |= records | figures["budget"] | figures["grant"] | figures["planned_total"]
        elif name == "rosa":
            hidden |= figures["grant"]
        elif name in {"pia", "carlos", "diego"}:
            hidden |= figures["budget"] | figures["grant"] | figures["planned_total"]
    return {a for a in hidden - _records_amounts(user) if a}


def _patterns(amounts: set[Decimal]) -> re.Pattern[str] | None:
    texts = sorted({t for a in amounts for t in renderings(a)}, key=len, reverse=True)
    if not texts:
        return None
    return re.compile("(?<![0-9])(?:" + "|".join(map(re.escape, texts)) + ")(?![0-9])")


def _body(response: Any) -> str:
    if hasattr(response, "streaming_content"):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if content[:2] == b"PK":  # an XLSX workbook: its cells
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        cells = []
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, float):
                        value = f"{Decimal(str(value)):.2f}"
                    cells.append("" if value is None else str(value))
        return "\t".join(cells)
    return content.decode("utf-8-sig", "replace")


def _errors(text: str) -> str:
    """What a refused form or a 400 says (for the failure message)."""
    found = re.findall(r'class="error"[^>]*>(.*?)</p>', text, re.S)
    return " | ".join(re.sub(r"<[^>]+>", " ", f).strip() for f in found) or text[:300]


# --- asking --------------------------------------------------------------------------------


def _counts() -> tuple[Any, ...]:
    tables = [t for t in connection.introspection.table_names() if not t.startswith("sqlite_")]
    # Table names from the database's own catalogue, quoted: no input reaches this SQL.
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT {i}, COUNT(*) FROM {quote(t)}"  # noqa: S608
        for i, t in enumerate(tables)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(sorted(cursor.fetchall()))


def _state(obj: Any) -> tuple[Any, ...]:
    """Row counts of every table and the record the write aims at, as they are now."""
    row = None
    if obj is not None:
        fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
        row = None if fresh is None else sorted(model_to_dict(fresh).items(), key=str)
    return (_counts(), repr(row))


def _login_redirect(response: Any) -> bool:
    login = resolve_url(settings.LOGIN_URL)
    return response.status_code in (301, 302) and response.get("Location", "").startswith(login)


def _classify(response: Any, write: bool, page: bool) -> str:
    status = response.status_code
    if status >= 500:
        return "error"
    if _login_redirect(response) or status in (401, 403, 404):
        return "refused"
    if write and (status in (400, 409) or (page and status == 200)):
        return "invalid"  # validation refused it: the form again, or a 400 naming the field
    if 200 <= status < 400:
        return "ok"
    return f"unexpected {status}"


class Checker:
    """Asks every URL as one actor and collects what differs from the table."""

    def __init__(self, name: str, world: dict[str, Any]) -> None:
        self.name = name
        self.world = world
        self.client = APIClient()
        self.user = None if name == "anonymous" else User.objects.get(username=name)
        if self.user is not None:
            self.client.force_login(self.user)
        self.client.raise_request_exception = False
        self.failures: list[str] = []
        self.checks = 0
        markers = [m for m, readers in MARKER_READERS.items() if name not in readers.split()]
        self.markers = re.compile("|".join(markers)) if markers else None
        self.amounts = _patterns(_hidden_amounts(name, self.user or AnonymousUser(), world))

    def fail(self, where: str, message: str) -> None:
        self.failures.append(f"{self.name} {where}: {message}")

    def leaks(self, where: str, text: str) -> None:
        if self.markers and (found := self.markers.search(text)):
            self.fail(where, f"shows {found.group()} (another office's or partner's record)")
        if self.amounts and (found := self.amounts.search(text)):
            self.fail(where, f"shows the amount {found.group()}, not theirs to read")

    def request(self, method: str, url: str, data: Any, name: str, method_key: str) -> Any:
        call = getattr(self.client, method.lower())
        if method == "GET":
            return call(url, data or {})
        page = ":" in name
        if page or (name, method_key) in requests.MULTIPART:
            return call(url, data)  # a form (multipart)
        return call(url, data, format="json")

    def check(self, name: str, method_key: str, office: str | None, allowed: str) -> None:
        method, _, variant = method_key.partition(" ")
        key, kwargs_of = requests.target(name, method_key)
        records = self.world[office or "PE"]
        obj = records[key] if key else None
        kwargs = kwargs_of(obj)
        if variant:
            kwargs["action"] = variant
        url = reverse(name, kwargs=kwargs)
        where = f"{method_key} {url} ({office or 'no record'})"
        page = ":" in name
        if allowed == OPEN:
            self.open_endpoint(method, url, where)
            return
        if allowed == SELF:
            self.own_account(method, url, where)
            return
        if name in ASKED_ONCE and self.name not in ("anonymous", "ana"):
            return
        expected = "ok" if self.name in allowed.split() else "refused"
        if method == "GET":
            queries = [
                requests.query(name, records),
                *DOWNLOADS.get(name, []),
                *requests.filters(name, self.world["BO"]),
            ]
            for query in queries:
                self.get(url, {**requests.query(name, records), **query}, expected, where)
            return
        body = requests.BODIES[(name, method_key)](records)
        with transaction.atomic():
            before = _state(obj)
            response = self.request(method, url, body, name, method_key)
            after = _state(obj)
            transaction.set_rollback(True)
        self.checks += 1
        outcome = _classify(response, True, page)
        self.leaks(where, _body(response))
        if expected == "ok":
            if outcome != "ok" or before == after:
                self.fail(
                    where,
                    f"should be allowed and written, got {response.status_code} "
                    f"({'nothing written' if before == after else 'written'}): "
                    f"{_errors(_body(response))}",
                )
        elif outcome not in ("refused", "invalid") or before != after:
            self.fail(
                where,
                f"should be refused, got {response.status_code} "
                f"({'written' if before != after else 'nothing written'})",
            )

    def get(self, url: str, query: dict[str, str], expected: str, where: str) -> None:
        response = self.client.get(url, query)
        self.checks += 1
        outcome = _classify(response, False, ":" in where)
        label = f"{where} {query or ''}".strip()
        if outcome != expected:
            self.fail(label, f"expected {expected}, got {response.status_code}")
        self.leaks(label, _body(response))

    def own_account(self, method: str, url: str, where: str) -> None:
        # The actor's own account pages: an empty form is shown again with its errors.
        with transaction.atomic():
            before = _state(None)
            response = getattr(self.client, method.lower())(url, {})
            after = _state(None)
            transaction.set_rollback(True)
        self.checks += 1
        outcome = _classify(response, method != "GET", True)
        if self.name == "anonymous":
            if outcome != "refused" or before != after:
                self.fail(where, f"should be refused to anonymous, got {response.status_code}")
        elif response.status_code >= 500 or outcome == "refused":
            self.fail(where, f"should answer the signed-in person, got {response.status_code}")

    def open_endpoint(self, method: str, url: str, where: str) -> None:
        # Sign-in, sign-out, the language and the token are asked by a client of their own:
        # signing out must not end this actor's session.
        client = APIClient()
        client.raise_request_exception = False
        response = getattr(client, method.lower())(url, {})
        self.checks += 1
        if response.status_code >= 500:
            self.fail(where, f"answered {response.status_code}")

    def jobs_files(self) -> None:
        """The files the export jobs wrote hold only their office's records."""
        for office, starter in (("PE", "ana"), ("BO", "bruno")):
            if self.name != starter:
                continue
            self.checks += 1
            self.leaks(f"job file ({office})", job_file_text(self.world[office]["export_job"]))


_ROUTES: dict[str, dict[str, Any]] = {}


def url_routes_cache() -> dict[str, dict[str, Any]]:
    if not _ROUTES:
        _ROUTES.update(url_routes())
    return _ROUTES


@pytest.mark.django_db
@pytest.mark.parametrize("name", ACTORS)
def test_authorization_matrix(name: str, matrix: dict[str, Any], matrix_dirs: None) -> None:
    checker = Checker(name, matrix)
    for url_name in sorted(url_routes_cache()):
        for method_key, cell in TABLE.get(url_name, {}).items():
            cells = cell.items() if isinstance(cell, dict) else [(None, cell)]
            for office, allowed in cells:
                checker.check(url_name, method_key, office, allowed)
    checker.jobs_files()
    print(f"\n{name}: {checker.checks} checks")
    assert checker.failures == [], f"{len(checker.failures)} failures:\n" + "\n".join(
        checker.failures
    )
