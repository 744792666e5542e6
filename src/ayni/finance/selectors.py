"""Reads of finance: every funding figure is derived here, and only here.

All figures are in the programme's currency. Each record is converted at the rate in force
on its own date (``finance.rates``), then rounded to cents; sums add those cents:

- planned: budget lines, converted at 1 January of their year;
- funded: allocations, converted at the allocation's date;
- spent: expenditures, converted at the expenditure's date;
- gap = max(0, planned − funded);
- funded % = funded / planned × 100 to one decimal, half up (0.0 when nothing is planned);
- utilization % = spent / funded × 100 to one decimal, half up (None when nothing is funded);
- outlook = funded + Σ over grants of (amount − allocated) × weight, converted at ``on``
  (default today), where weight = probability / 100 in the pipeline and 1 once pledged.

Every figure is computed from a ``FundingLedger``: the programme's budget lines, allocations,
expenditures, grants and exchange rates, read in six queries and converted once. A page or
endpoint that shows several figures builds it once (``ledger(programme)``) and passes it to
each figure function; given the programme instead, a function builds its own. Either way each
selector reads a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from ayni.core.money import quantize
from ayni.finance.models import Allocation, BudgetLine, Donor, Expenditure, FundingType, Grant
from ayni.finance.rates import RateBook
from ayni.finance.services import money_text
from ayni.programmes.models import CountryProgramme, Result

ZERO = Decimal("0.00")
TENTH = Decimal("0.1")
DIMENSIONS = ("component", "result", "year", "funding_type", "donor")
EXPIRY_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class FundingFigures:
    planned: Decimal
    funded: Decimal
    gap: Decimal
    funded_pct: Decimal
    spent: Decimal
    utilization_pct: Decimal | None
    outlook: Decimal
    currency: str


@dataclass(frozen=True)
class FundingRow:
    key: Any
    label: str
    figures: FundingFigures
    obj: Any = None  # the result, funding type or donor the row is about, for links


@dataclass(frozen=True)
class FundingWarning:
    kind: str
    message: str
    url: str


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole * 100).quantize(TENTH, rounding=ROUND_HALF_UP)


def figures(
    *, planned: Decimal, funded: Decimal, spent: Decimal, outlook: Decimal, currency: str
) -> FundingFigures:
    """The derived figures from the four sums (see the module docstring for the formulas)."""
    planned, funded, spent, outlook = (quantize(v) for v in (planned, funded, spent, outlook))
    return FundingFigures(
        planned=planned,
        funded=funded,
        gap=max(ZERO, planned - funded),
        funded_pct=_pct(funded, planned) if planned else Decimal("0.0"),
        spent=spent,
        utilization_pct=_pct(spent, funded) if funded else None,
        outlook=outlook,
        currency=currency,
    )


class _Sums:
    """planned / funded / spent / expected (weighted unallocated) by key."""

    def __init__(self) -> None:
        self.planned: dict[Hashable, Decimal] = defaultdict(Decimal)
        self.funded: dict[Hashable, Decimal] = defaultdict(Decimal)
        self.spent: dict[Hashable, Decimal] = defaultdict(Decimal)
        self.expected: dict[Hashable, Decimal] = defaultdict(Decimal)

    def present(self) -> set[Hashable]:
        return set(self.planned) | set(self.funded) | set(self.spent) | set(self.expected)

    def figures(self, key: Hashable, currency: str) -> FundingFigures:
        funded = self.funded.get(key, ZERO)
        return figures(
            planned=self.planned.get(key, ZERO),
            funded=funded,
            spent=self.spent.get(key, ZERO),
            outlook=funded + self.expected.get(key, ZERO),
            currency=currency,
        )


@dataclass
class FundingLedger:
    """Every amount of one programme, converted once into the programme's currency.

    Read by ``ledger(programme, on=...)``; ``on`` is the date at which grants' unallocated
    money is converted for the outlook. The figure functions read it, never change it.
    """

    programme: CountryProgramme
    on: date
    results: dict[int, Result]
    budget: list[dict[str, Any]]  # result_id, year, funding_type_id, value, is_illustrative
    allocations: list[dict[str, Any]]  # result_id, year, grant_id, funding_type_id, donor_id
    # result_id, year, grant_id, funding_type_id, donor_id, value; amount, currency, date
    spending: list[dict[str, Any]]
    grants: list[dict[str, Any]]  # id, funding_type_id, donor_id, earmark_path, expected
    book: RateBook

    @property
    def currency(self) -> str:
        return self.programme.currency

    @property
    def has_illustrative_budget(self) -> bool:
        """Whether any budget line of the programme is marked illustrative."""
        return any(row["is_illustrative"] for row in self.budget)

    @cached_property
    def tree_sums(self) -> _Sums:
        return _tree_sums(self)

    def spent_by_grant(self, currencies: dict[int, str]) -> dict[int, Decimal]:
        """Spending charged to each grant of ``currencies`` (grant id → the grant's
        currency), in that currency, converted at the spending date: ``grant_spent`` without
        a query. Services keep an expenditure on a result of its grant's programme, so the
        programme's expenditures hold every one charged to its grants."""
        spent: dict[int, Decimal] = defaultdict(Decimal)
        for row in self.spending:
            if row["grant_id"] in currencies:
                spent[row["grant_id"]] += self.book.convert(
                    row["amount"],
                    from_currency=row["currency"],
                    to_currency=currencies[row["grant_id"]],
                    on=row["date"],
                )
        return spent


# A figure function takes the programme (and reads its own ledger) or a ledger read before.
ProgrammeOrLedger = CountryProgramme | FundingLedger


def ledger(programme: CountryProgramme, *, on: date | None = None) -> FundingLedger:
    """Read and convert every amount of ``programme`` in six queries (results, budget lines,
    allocations, expenditures, grants, exchange rates), whatever the number of rows.

    Build it once per request and pass it to ``programme_funding``, ``funding_tree``,
    ``funding_by``, ``budget_table`` and ``funding_warnings``; ``on`` (default today) is the
    date at which unallocated grant money is converted for the outlook."""
    on = on or date.today()
    results = {r.pk: r for r in Result.objects.filter(programme=programme)}
    budget_rows = list(
        BudgetLine.objects.filter(result__programme=programme).values(
            "result_id", "year", "funding_type_id", "amount", "currency", "is_illustrative"
        )
    )
    allocation_rows = list(
        Allocation.objects.filter(grant__programme=programme).values(
            "result_id",
            "year",
            "amount",
            "date",
            "grant_id",
            "grant__currency",
            "grant__funding_type_id",
            "grant__donor_id",
        )
    )
    spending_rows = list(
        Expenditure.objects.filter(result__programme=programme).values(
            "result_id",
            "year",
            "amount",
            "currency",
            "date",
            "grant_id",
            "grant__funding_type_id",
            "grant__donor_id",
        )
    )
    grant_rows = list(
        Grant.objects.filter(programme=programme).values(
            "id",
            "amount",
            "currency",
            "stage",
            "probability",
            "funding_type_id",
            "donor_id",
            "earmarked_result__path",
        )
    )
    currencies = {programme.currency}
    currencies |= {r["currency"] for r in budget_rows} | {r["currency"] for r in spending_rows}
    currencies |= {r["currency"] for r in grant_rows}
    book = RateBook.load(currencies)
    target = programme.currency

    def to_programme(amount: Decimal, currency: str, when: date) -> Decimal:
        return book.convert(amount, from_currency=currency, to_currency=target, on=when)

    budget = [
        {
            "result_id": r["result_id"],
            "year": r["year"],
            "funding_type_id": r["funding_type_id"],
            "value": to_programme(r["amount"], r["currency"], date(r["year"], 1, 1)),
            "is_illustrative": r["is_illustrative"],
        }
        for r in budget_rows
    ]
    allocated_by_grant: dict[int, Decimal] = defaultdict(Decimal)
    allocations = []
    for r in allocation_rows:
        allocated_by_grant[r["grant_id"]] += r["amount"]
        allocations.append(
            {
                "result_id": r["result_id"],
                "year": r["year"],
                "grant_id": r["grant_id"],
                "funding_type_id": r["grant__funding_type_id"],
                "donor_id": r["grant__donor_id"],
                "value": to_programme(r["amount"], r["grant__currency"], r["date"]),
            }
        )
    spending = [
        {
            "result_id": r["result_id"],
            "year": r["year"],
            "grant_id": r["grant_id"],
            "funding_type_id": r["grant__funding_type_id"],
            "donor_id": r["grant__donor_id"],
            "value": to_programme(r["amount"], r["currency"], r["date"]),
            "amount": r["amount"],
            "currency": r["currency"],
            "date": r["date"],
        }
        for r in spending_rows
    ]
    grants = []
    for g in grant_rows:
        unallocated = max(ZERO, g["amount"] - allocated_by_grant.get(g["id"], ZERO))
        weight = (
            Decimal(g["probability"]) / 100 if g["stage"] == Grant.Stage.PIPELINE else Decimal(1)
        )
        expected = (
            quantize(to_programme(unallocated, g["currency"], on) * weight) if unallocated else ZERO
        )
        grants.append(
            {
                "id": g["id"],
                "funding_type_id": g["funding_type_id"],
                "donor_id": g["donor_id"],
                "earmark_path": g["earmarked_result__path"],
                "expected": expected,
            }
        )
    return FundingLedger(programme, on, results, budget, allocations, spending, grants, book)


def _read(programme: ProgrammeOrLedger, on: date | None) -> FundingLedger:
    if isinstance(programme, FundingLedger):
        if on is not None and on != programme.on:
            raise ValueError(
                f"the ledger was read on {programme.on.isoformat()}, not {on.isoformat()}"
            )
        return programme
    return ledger(programme, on=on)


def _sum_by(ledger: FundingLedger, key: Callable[[dict[str, Any]], Any], grant_key: Any) -> _Sums:
    sums = _Sums()
    for row in ledger.budget:
        sums.planned[key(row)] += row["value"]
    for row in ledger.allocations:
        sums.funded[key(row)] += row["value"]
    for row in ledger.spending:
        sums.spent[key(row)] += row["value"]
    if grant_key is not None:
        for row in ledger.grants:
            sums.expected[grant_key(row)] += row["expected"]
    return sums


def _ancestor_ids(path: str | None) -> list[int]:
    return [int(part) for part in (path or "").strip("/").split("/") if part]


def _tree_sums(ledger: FundingLedger) -> _Sums:
    """Sums by result id, each amount added to its result and every ancestor of it."""
    paths = {pk: r.path for pk, r in ledger.results.items()}
    sums = _Sums()
    for rows, target in (
        (ledger.budget, sums.planned),
        (ledger.allocations, sums.funded),
        (ledger.spending, sums.spent),
    ):
        for row in rows:
            for pk in _ancestor_ids(paths.get(row["result_id"])):
                target[pk] += row["value"]
    # A grant earmarked to a result counts towards the outlook of that result and of every
    # result above it; a grant for the whole programme is not attributable to any one result.
    for grant in ledger.grants:
        for pk in _ancestor_ids(grant["earmark_path"]):
            sums.expected[pk] += grant["expected"]
    return sums


def programme_funding(programme: ProgrammeOrLedger, *, on: date | None = None) -> FundingFigures:
    """The programme's figures: every budget line, allocation, expenditure and grant of it.

    ``programme`` is the programme or its ledger (see ``ledger``); ``on`` (default today, or
    the ledger's date) converts the unallocated grant money of the outlook."""
    ledger = _read(programme, on)
    sums = _sum_by(ledger, lambda row: None, lambda row: None)
    return sums.figures(None, ledger.currency)


def funding_tree(
    programme: ProgrammeOrLedger, *, on: date | None = None
) -> dict[int, FundingFigures]:
    """Every result id of the programme → the figures of its subtree, in one pass.
    ``programme`` is the programme or its ledger."""
    ledger = _read(programme, on)
    sums = ledger.tree_sums
    return {pk: sums.figures(pk, ledger.currency) for pk in ledger.results}


def result_funding(result: Result, *, on: date | None = None) -> FundingFigures:
    """The figures of ``result`` and everything under it."""
    return funding_tree(result.programme, on=on)[result.pk]


def _tree_order(results: Iterable[Result]) -> list[Result]:
    return sorted(results, key=lambda r: [*_ancestor_ids(r.path), r.position])


def funding_by(
    programme: ProgrammeOrLedger, dimension: str, *, on: date | None = None
) -> list[FundingRow]:
    """The programme's (or its ledger's) figures split by ``dimension``:

    - "component": one row per component, each with its whole subtree;
    - "result": one row per result (tree order, retired ones included) with its subtree;
      the outlook counts grants earmarked inside that subtree;
    - "year": by the year of the budget line, allocation and expenditure; unallocated grant
      money has no year, so outlook = funded there;
    - "funding_type" and "donor": by the grant's funding type or donor; spending charged to no
      grant goes to a row with key None. A donor funds, it does not plan: on "donor" rows
      **planned is set equal to funded** (so gap is 0), to keep a donor's share readable.

    "funding_type" and "donor" read their names in one more query.
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; one of {', '.join(DIMENSIONS)}")
    ledger = _read(programme, on)
    currency = ledger.currency
    if dimension in {"component", "result"}:
        sums = ledger.tree_sums
        nodes = _tree_order(ledger.results.values())
        if dimension == "component":
            nodes = [r for r in nodes if r.level == Result.Level.COMPONENT]
        return [FundingRow(r.pk, str(r), sums.figures(r.pk, currency), r) for r in nodes]
    if dimension == "year":
        sums = _sum_by(ledger, lambda row: row["year"], None)
        years = sorted(
            set(ledger.programme.years) | {k for k in sums.present() if isinstance(k, int)}
        )
        return [FundingRow(y, str(y), sums.figures(y, currency)) for y in years]
    field = "funding_type_id" if dimension == "funding_type" else "donor_id"
    sums = _sum_by(ledger, lambda row: row.get(field), lambda row: row[field])
    rows: list[FundingRow] = []
    objects: list[Any]
    if dimension == "funding_type":
        objects = list(FundingType.objects.all())
    else:
        ids = {k for k in sums.present() if k is not None}
        objects = list(Donor.objects.filter(pk__in=ids).select_related("organisation"))
    for obj in objects:
        if obj.pk not in sums.present() and dimension == "donor":
            continue
        rows.append(
            FundingRow(obj.pk, str(obj), _row_figures(sums, obj.pk, currency, dimension), obj)
        )
    if None in sums.present():
        label = _("Not charged to a grant")
        rows.append(FundingRow(None, label, _row_figures(sums, None, currency, dimension)))
    return rows


def _row_figures(sums: _Sums, key: Any, currency: str, dimension: str) -> FundingFigures:
    if dimension != "donor":
        return sums.figures(key, currency)
    funded = sums.funded.get(key, ZERO)
    return figures(
        planned=funded,
        funded=funded,
        spent=sums.spent.get(key, ZERO),
        outlook=funded + sums.expected.get(key, ZERO),
        currency=currency,
    )


def budget_table(
    programme: ProgrammeOrLedger, *, on: date | None = None
) -> tuple[list[tuple[Result, dict[int, Decimal], FundingFigures]], dict[int, Decimal]]:
    """Planned budget of each result's subtree by year, with the subtree's figures, and the
    programme's planned total by year; all in the programme's currency. ``programme`` is the
    programme or its ledger."""
    ledger = _read(programme, on)
    paths = {pk: r.path for pk, r in ledger.results.items()}
    by_year: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    totals: dict[int, Decimal] = {year: ZERO for year in ledger.programme.years}
    for row in ledger.budget:
        totals[row["year"]] = totals.get(row["year"], ZERO) + row["value"]
        for pk in _ancestor_ids(paths.get(row["result_id"])):
            by_year[pk][row["year"]] += row["value"]
    sums = ledger.tree_sums
    table = [
        (r, dict(by_year.get(r.pk, {})), sums.figures(r.pk, ledger.currency))
        for r in _tree_order(ledger.results.values())
    ]
    return table, totals


def grant_spent(grant_ids: Iterable[int], currencies: dict[int, str]) -> dict[int, Decimal]:
    """Spending charged to each grant, in the grant's currency (converted at spending date).
    Two queries; ``FundingLedger.spent_by_grant`` gives the same from a ledger read before."""
    rows = list(
        Expenditure.objects.filter(grant_id__in=list(grant_ids)).values(
            "grant_id", "amount", "currency", "date"
        )
    )
    book = RateBook.load({r["currency"] for r in rows} | set(currencies.values()))
    spent: dict[int, Decimal] = defaultdict(Decimal)
    for r in rows:
        spent[r["grant_id"]] += book.convert(
            r["amount"],
            from_currency=r["currency"],
            to_currency=currencies[r["grant_id"]],
            on=r["date"],
        )
    return spent


def funding_warnings(programme: ProgrammeOrLedger, *, today: date) -> list[FundingWarning]:
    """What needs attention: signed grants expiring within 90 days with money unspent,
    components and outputs with a planned budget and no allocation, and a budget that does
    not add up to the programme's planned total.

    ``programme`` is the programme or its ledger; the warnings read no outlook, so a ledger
    of any date gives the same ones. One query besides the ledger's."""
    ledger = programme if isinstance(programme, FundingLedger) else _read(programme, today)
    programme = ledger.programme
    warnings: list[FundingWarning] = []
    grants = list(
        with_allocated(
            Grant.objects.filter(
                programme=programme,
                stage__in=[Grant.Stage.SIGNED, Grant.Stage.RECEIVED],
                expiry_date__gte=today,
                expiry_date__lte=today + EXPIRY_WINDOW,
            ).select_related("donor__organisation")
        ).order_by("expiry_date", "reference")
    )
    spent = ledger.spent_by_grant({g.pk: g.currency for g in grants})
    for grant in grants:
        unspent = grant.amount - spent.get(grant.pk, ZERO)
        if unspent <= 0:
            continue
        unallocated = grant.amount - grant.allocated  # type: ignore[attr-defined]
        warnings.append(
            FundingWarning(
                "grant_expiring",
                _(
                    "Grant %(reference)s (%(donor)s) expires on %(date)s with %(unspent)s "
                    "unspent, of which %(unallocated)s is not allocated."
                )
                % {
                    "reference": grant.reference,
                    "donor": grant.donor,
                    "date": grant.expiry_date.isoformat() if grant.expiry_date else "",
                    "unspent": money_text(unspent, grant.currency),
                    "unallocated": money_text(max(ZERO, unallocated), grant.currency),
                },
                grant.get_absolute_url(),
            )
        )
    sums = ledger.tree_sums
    budget_url = reverse("finance:budget", args=[programme.pk])
    for result in _tree_order(ledger.results.values()):
        if result.retired_at is not None or result.level == Result.Level.ACTIVITY:
            continue
        planned = sums.planned.get(result.pk, ZERO)
        if planned > 0 and not sums.funded.get(result.pk):
            warnings.append(
                FundingWarning(
                    "result_unfunded",
                    _("%(result)s has a planned budget of %(planned)s and no allocation.")
                    % {"result": result, "planned": money_text(planned, ledger.currency)},
                    f"{budget_url}#result-{result.pk}",
                )
            )
    planned_total = quantize(sum((row["value"] for row in ledger.budget), ZERO))
    if planned_total != quantize(programme.planned_total):
        warnings.append(
            FundingWarning(
                "budget_mismatch",
                _(
                    "The budget lines add up to %(lines)s but the programme's planned total "
                    "is %(total)s (a difference of %(difference)s)."
                )
                % {
                    "lines": money_text(planned_total, ledger.currency),
                    "total": money_text(programme.planned_total, ledger.currency),
                    "difference": money_text(
                        abs(programme.planned_total - planned_total), ledger.currency
                    ),
                },
                budget_url,
            )
        )
    return warnings


def with_allocated(queryset: QuerySet[Grant]) -> QuerySet[Grant]:
    """Annotate each grant with ``allocated`` (sum of its allocations, grant currency) and
    ``available`` (amount − allocated), in the same query."""
    allocated = Subquery(
        Allocation.objects.filter(grant=OuterRef("pk"))
        .order_by()
        .values("grant")
        .annotate(s=Sum("amount"))
        .values("s"),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)
    return queryset.annotate(
        allocated=Coalesce(allocated, Value(ZERO), output_field=money)
    ).annotate(available=ExpressionWrapper(F("amount") - F("allocated"), output_field=money))
