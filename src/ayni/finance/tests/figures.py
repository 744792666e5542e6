"""The money figures a programme's pages could show, and how an amount may be written: shared
by the figure visibility test and the authorization matrix."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ayni.finance import selectors


def renderings(amount: Decimal) -> set[str]:
    """How an amount may be written: raw, English and Spanish grouping, without cents."""
    text = f"{amount:,.2f}"
    spanish = text.replace(",", "_").replace(".", ",").replace("_", ".")
    plain = f"{amount:.2f}"
    return {text, spanish, plain, text.replace(",", "\u00a0"), spanish.replace(".", "\u00a0")}


def figures_of(programme: Any) -> dict[str, set[Decimal]]:
    """The amounts the programme's pages could show, split by who may read them."""
    ledger = selectors.ledger(programme)
    total = selectors.programme_funding(ledger)
    rows = [
        row.figures
        for by in ("component", "result", "year", "funding_type")
        for row in selectors.funding_by(ledger, by)
    ]
    donors = [row.figures for row in selectors.funding_by(ledger, "donor")]
    budget = {
        value for f in [total, *rows] for value in (f.planned, f.funded, f.gap, f.spent) if value
    }
    grant = {f.outlook for f in [total, *rows, *donors]} | {
        v for f in donors for v in (f.funded, f.spent)
    }
    return {
        "budget": budget,
        "grant": {v for v in grant if v and v not in budget},
        "planned_total": {programme.planned_total},
    }
