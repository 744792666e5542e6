"""Finance fixtures on top of the shared world: funding types, rates, donors and a grant.

Donors: CIDA (diego's organisation) and PLAN, both of the Peru office.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ayni.finance import services
from ayni.finance.models import Donor, FundingType, Grant
from ayni.partners.models import Organisation


@pytest.fixture
def types(db: None) -> dict[str, FundingType]:
    return services.funding_types_ensure()


@pytest.fixture
def rates(db: None) -> None:
    """PEN and CAD rates on 1 January 2012 and 1 January 2014; EUR from 2012."""
    for currency, day, units in [
        ("PEN", date(2012, 1, 1), "2.7000"),
        ("PEN", date(2014, 1, 1), "2.8000"),
        ("CAD", date(2012, 1, 1), "1.0000"),
        ("CAD", date(2014, 1, 1), "1.2500"),
        ("EUR", date(2012, 1, 1), "0.8000"),
    ]:
        services.exchange_rate_set(currency=currency, date=day, units_per_usd=Decimal(units))


@pytest.fixture
def donors(db: None) -> dict[str, Donor]:
    return {
        acronym: services.donor_ensure(
            organisation=Organisation.objects.get(acronym=acronym), code=acronym.lower()
        )
        for acronym in ("CIDA", "PLAN")
    }


@pytest.fixture
def result(programme: Any) -> Any:
    """``result("C1.1")`` → that result of the test programme."""
    return lambda code: programme.results.get(code=code)


@pytest.fixture
def make_grant(programme: Any, types: Any, donors: Any) -> Any:
    """``make_grant("CIDA", "G-1", "1000.00")`` → a signed USD grant of the test programme."""

    def make(donor: str, reference: str, amount: str, **extra: Any) -> Grant:
        values: dict[str, Any] = {
            "currency": "USD",
            "funding_type": types["orr"],
            "stage": Grant.Stage.SIGNED,
            "signed_date": date(2012, 3, 1),
            **extra,
        }
        return services.grant_create(
            programme=programme,
            donor=donors[donor],
            reference=reference,
            amount=Decimal(amount),
            **values,
        )

    return make


@pytest.fixture
def funded(make_grant: Any, result: Any, types: Any, programme: Any) -> dict[str, Any]:
    """Two signed grants of the Peru test programme, each allocated and spent on a result:
    G-CIDA (CIDA → C1.1) and G-PLAN (PLAN → C2.1); a budget line on each result; and a
    Bolivian programme with a grant of Save the Children Bolivia."""
    from ayni.core.tests.world import make_programme

    cida = make_grant("CIDA", "G-CIDA", "1000.00")
    plan = make_grant("PLAN", "G-PLAN", "2000.00")
    for grant, code in ((cida, "C1.1"), (plan, "C2.1")):
        services.budget_line_set(
            result=result(code),
            year=2013,
            funding_type=types["orr"],
            amount=Decimal("500.00"),
            currency="USD",
        )
        services.allocation_create(
            grant=grant,
            result=result(code),
            year=2013,
            amount=Decimal("100.00"),
            date=date(2013, 2, 1),
        )
        services.expenditure_record(
            result=result(code),
            year=2013,
            date=date(2013, 3, 1),
            amount=Decimal("10.00"),
            currency="USD",
            grant=grant,
        )
    bolivia = make_programme(office_code="bolivia", code="bo-cp")
    scb = services.donor_ensure(organisation=Organisation.objects.get(acronym="SCB"), code="scb")
    bolivian = services.grant_create(
        programme=bolivia,
        donor=scb,
        reference="G-BO",
        amount=Decimal("50.00"),
        currency="USD",
        funding_type=types["rr"],
        stage=Grant.Stage.SIGNED,
        signed_date=date(2012, 1, 1),
    )
    return {"cida": cida, "plan": plan, "bolivia": bolivian, "programme": programme}
