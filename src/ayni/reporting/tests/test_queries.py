"""The programme's screens read a fixed number of queries, whatever the size of the programme.

Each page is read as ana (administrator, so every figure, warning and form is drawn) on
programmes of three sizes, each with budget lines in soles and dollars, allocations and
expenditures on every activity, and grants expiring within 90 days (so the warnings read
their spending):

- one: 1 department targeted, 1 component, 1 activity, 1 grant, 1 year;
- regions: 25 departments targeted (one activity and one zone each), 1 component, 1 grant,
  1 year;
- large: 25 departments, 4 components, 25 activities, 8 grants of 3 donors, 5 years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from ayni.accounts.models import CountryOffice
from ayni.finance import services as finance
from ayni.finance.models import Grant
from ayni.geography.models import Location, Zone
from ayni.partners.models import Organisation
from ayni.programmes.models import CountryProgramme, Result
from ayni.programmes.services import result_create

pytestmark = pytest.mark.django_db
D = Decimal

# The most each page may read: the same bound for every size.
MAX_QUERIES = {"dashboard": 13, "result-tree": 11, "result-detail": 19, "funding-api": 12}


@dataclass(frozen=True)
class Size:
    departments: int
    components: int
    grants: int
    years: int


SIZES = {
    "one": Size(departments=1, components=1, grants=1, years=1),
    "regions": Size(departments=25, components=1, grants=1, years=1),
    "large": Size(departments=25, components=4, grants=8, years=5),
}


def build(size: Size) -> CountryProgramme:
    """A programme of ``size``: each activity targets one department (through a zone of its
    own) and carries a budget line per year and funding type, an allocation and an
    expenditure; the grants are spread over the activities and expire in 30 days."""
    office = CountryOffice.objects.get(code="peru")
    programme = CountryProgramme.objects.create(
        country_office=office,
        code=f"size-{size.departments}-{size.components}-{size.grants}-{size.years}",
        title_es="Programa de prueba",
        title_en="Sized programme",
        country=office.country,
        start_year=2012,
        end_year=2012 + size.years - 1,
        planned_total=D("1000000.00"),
        currency="USD",
    )
    types = finance.funding_types_ensure()
    finance.exchange_rate_set(currency="PEN", date=date(2012, 1, 1), units_per_usd=D("2.7000"))
    donors = [
        finance.donor_ensure(organisation=Organisation.objects.get(acronym=acronym), code=acronym)
        for acronym in ("CIDA", "PLAN", "CARE")
    ]
    expiry = date.today() + timedelta(days=30)
    grants = [
        finance.grant_create(
            programme=programme,
            donor=donors[n % len(donors)],
            reference=f"G-{n}",
            amount=D("1000000.00"),
            currency="PEN" if n % 2 else "USD",
            funding_type=types["orr"],
            stage=Grant.Stage.SIGNED,
            signed_date=date(2012, 1, 15),
            expiry_date=expiry,
        )
        for n in range(size.grants)
    ]
    outputs = []
    for c in range(1, size.components + 1):
        component = result_create(
            programme=programme,
            parent=None,
            level=Result.Level.COMPONENT,
            code=f"C{c}",
            title_es=f"Componente {c}",
        )
        outputs.append(
            result_create(
                programme=programme,
                parent=component,
                level=Result.Level.OUTPUT,
                code=f"C{c}.1",
                title_es=f"Producto {c}.1",
            )
        )
    departments = Location.objects.filter(country=office.country, level__depth=1).order_by("code")
    for n, department in enumerate(departments[: size.departments]):
        zone = Zone.objects.create(
            country=office.country,
            code=f"{programme.code}-{department.code}",
            kind=Zone.Kind.FOCUS,
            name_es=department.name,
        )
        zone.locations.set([department])
        activity = result_create(
            programme=programme,
            parent=outputs[n % len(outputs)],
            level=Result.Level.ACTIVITY,
            code=f"A{department.code}",
            title_es=f"Actividad en {department.name}",
            zones=[zone],
        )
        grant = grants[n % len(grants)]
        for year in programme.years:
            for funding_type, currency in ((types["rr"], "PEN"), (types["orr"], "USD")):
                finance.budget_line_set(
                    result=activity,
                    year=year,
                    funding_type=funding_type,
                    amount=D("2000.00"),
                    currency=currency,
                    is_illustrative=True,
                )
            finance.allocation_create(
                grant=grant, result=activity, year=year, amount=D("1000.00"), date=date(year, 2, 1)
            )
            finance.expenditure_record(
                result=activity,
                year=year,
                date=date(year, 3, 1),
                amount=D("300.00"),
                currency="PEN",
                grant=grant,
            )
    return programme


def _pages(programme: CountryProgramme) -> dict[str, str]:
    component = programme.results.get(code="C1")
    return {
        "dashboard": reverse("reporting:programme-dashboard", args=[programme.pk]),
        "result-tree": reverse("reporting:result-tree", args=[programme.pk]),
        "result-detail": reverse("reporting:result-detail", args=[component.pk]),
        "funding-api": f"/api/programmes/{programme.pk}/funding/?by=donor",
    }


def _read(client: Any, url: str, limit: int, django_assert_max_num_queries: Any) -> Any:
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, url
    response.queries = len(captured)
    return response


def test_each_page_reads_as_much_for_one_department_as_for_all_25_and_a_larger_programme(
    client_for, django_assert_max_num_queries
) -> None:
    client = client_for("ana")
    counts: dict[str, dict[str, int]] = {}
    for name, size in SIZES.items():
        programme = build(size)
        pages = {
            page: _read(client, url, MAX_QUERIES[page], django_assert_max_num_queries)
            for page, url in _pages(programme).items()
        }
        counts[name] = {page: response.queries for page, response in pages.items()}
        # The bound covers every part of the page, drawn at each size.
        dashboard = pages["dashboard"].context
        assert len(dashboard["focus_departments"]) == size.departments
        assert len(dashboard["by_component"]) == size.components
        assert [w.kind for w in dashboard["warnings"]].count("grant_expiring") == size.grants
        assert len(pages["result-tree"].context["nodes"]) == 2 * size.components + size.departments
        donor_rows = [row for row in pages["funding-api"].json()["rows"] if row["key"]]
        assert len(donor_rows) == min(size.grants, 3)
    assert counts["regions"] == counts["one"]
    assert counts["large"] == counts["one"]


def test_the_sized_dashboard_shows_its_figures(client_for) -> None:
    programme = build(SIZES["large"])
    page = client_for("ana").get(
        reverse("reporting:programme-dashboard", args=[programme.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    # 25 activities × 5 years × (2,000 PEN at 2.70 = 740.74 USD + 2,000 USD)
    assert page.context["figures"].planned == D("342592.50")
    text = page.content.decode()
    assert "342,592.50" in text and "Amazonas" in text and "G-7" in text
