"""Agreements for the partners tests, built through the services and the workflow itself."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ayni.accounts.models import CountryOffice, User
from ayni.geography.models import Location
from ayni.partners.models import Agreement, Organisation
from ayni.partners.services import agreement_create, agreement_transition

# The path from draft to each status, as the office would walk it.
WALK = {
    Agreement.Status.DRAFT: [],
    Agreement.Status.IN_REVIEW: ["submit"],
    Agreement.Status.SIGNED: ["submit", "sign"],
    Agreement.Status.ACTIVE: ["submit", "sign", "activate"],
    Agreement.Status.SUSPENDED: ["submit", "sign", "activate", "suspend"],
    Agreement.Status.ENDED: ["submit", "sign", "activate", "end"],
    Agreement.Status.TERMINATED: ["terminate"],
}


def place(code: str) -> Location:
    return Location.objects.get(country__iso2="PE", code=code)


@pytest.fixture
def make_agreement(programme: Any) -> Any:
    """``make_agreement("PLAN", status="active", places=["0301"])`` → a complete agreement of
    the Peru office (budget, dates, result C1.1), moved to ``status`` through the workflow."""
    counter = iter(range(1, 1000))

    def make(
        acronym: str = "PLAN",
        *,
        status: str = Agreement.Status.DRAFT,
        places: tuple[str, ...] | list[str] = (),
        **fields: Any,
    ) -> Agreement:
        office = CountryOffice.objects.get(code="peru")
        defaults: dict[str, Any] = {
            "reference": f"PER/PCA/2012/{next(counter):03d}",
            "type": Agreement.Type.PCA,
            "title": f"Early childhood development with {acronym}",
            "programme": programme,
            "start_date": date(2012, 3, 1),
            "end_date": date(2013, 12, 31),
            "unicef_contribution": Decimal("150000.00"),
            "partner_contribution": Decimal("20000.00"),
            "results": [programme.results.get(code="C1.1")],
            "locations": [place(code) for code in places],
        }
        defaults.update(fields)
        agreement = agreement_create(
            country_office=office,
            organisation=Organisation.objects.get(country_office=office, acronym=acronym),
            **defaults,
        )
        pablo = User.objects.get(username="pablo")
        for step in WALK[Agreement.Status(status)]:
            agreement = agreement_transition(
                agreement=agreement,
                transition=step,
                user=pablo,
                on=date(2012, 2, 20),
                reason="Set up for a test",
                confirm=True,
            )
        assert agreement.status == status
        return agreement

    return make
