"""The indicator page and the region page ask the database a fixed number of times, however
many places have data: the same maximum holds with values for one department and for all 25.

Every figure on the pages comes from the analytics store; the database is asked for the
country, its national place, the indicator, the departments to map, targets, zones, sources
and the records of the region, once each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from ayni.accounts.models import CountryOffice
from ayni.demo.programme import load_default_programme
from ayni.geography.models import Location, Zone
from ayni.monitoring.models import Target
from ayni.monitoring.tests.importing import make_catalogue, run_import, write_csv

pytestmark = pytest.mark.django_db

# Measured: session, user, country, national place, indicator, its codes, the departments
# (for the map), the places of the level (for roll-ups), targets (twice: the national
# status, the focus regions), zones, sources. Before, 58 with the demo data: the map looked
# up each department's country and every equity figure its indicator again.
INDICATOR_PAGE = 12
# Session, user, country, national place, the region, indicators, targets, agreements and
# workplans located there.
REGION_PAGE = 9

YEARS = (2014, 2015, 2016)
GROUPS = ["", "area=rural", "area=urban", "sex=F", "sex=M"]


@pytest.fixture(params=[1, 25], ids=["1-department", "25-departments"])
def data(request: Any, tmp_path: Path, actor: Any, django_capture_on_commit_callbacks) -> set[str]:
    """Values of two indicators in three years (stunting also by area and sex), for the first
    ``n`` departments and the country; targets for each; the places in a focus zone; the
    demo programme's agreements and workplans. Imported, so the store is refreshed."""
    n = request.param
    catalogue = make_catalogue()
    load_default_programme(CountryOffice.objects.get(code="peru"))
    departments = list(
        Location.objects.filter(country__iso2="PE", level__depth=1).order_by("code")[:n]
    )
    places = [*departments, Location.objects.get(country__iso2="PE", level__depth=0)]
    rows = []
    for indicator, groups in (("t-stunting", GROUPS), ("t-births", [""])):
        for place in places:
            for year in YEARS:
                for position, key in enumerate(groups):
                    dimension, _, group = key.partition("=")
                    value = 10 + position + year % 10 + len(place.code)
                    rows.append(
                        [
                            indicator,
                            place.code,
                            str(year),
                            str(value),
                            "t-endes-2014",
                            group if dimension == "sex" else "",
                            group if dimension == "area" else "",
                        ]
                    )
    with django_capture_on_commit_callbacks(execute=True):
        _, result = run_import(
            format="csv", path=write_csv(tmp_path / "values.csv", rows), user=actor("ana")
        )
    assert result.created == len(rows) == (n + 1) * len(YEARS) * (len(GROUPS) + 1)
    Target.objects.bulk_create(
        Target(indicator=catalogue[name], location=place, kind=kind, year=year, value=value)
        for name in ("stunting", "births")
        for place in places
        for kind, year, value in [("baseline", 2012, 20), ("target", 2016, 12)]
    )
    zone = Zone.objects.create(
        country=places[-1].country, code="t-focus", kind=Zone.Kind.FOCUS, name_es="Foco"
    )
    zone.locations.set(departments)
    return {department.code for department in departments}


def test_the_indicator_page_asks_a_fixed_number_of_queries(
    data: set[str], client_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for("ana")
    url = reverse("monitoring:indicator-detail", args=["t-stunting"])
    with django_assert_max_num_queries(INDICATOR_PAGE):
        response = client.get(url)
    # The page shows what was built: the departments, the focus places among them, the
    # national value and the gaps between groups.
    assert {row["location_code"] for row in response.context["rows"]} == data
    focus = response.context["focus"].by_national
    assert {p.location_code for p in focus if p.value is not None} == data & {
        p.location_code for p in focus
    }
    assert response.context["latest"].value is not None and response.context["group_gaps"]


@pytest.mark.parametrize("code", ["03", "PE"], ids=["department", "country"])
def test_the_region_page_asks_a_fixed_number_of_queries(
    data: set[str], code: str, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for("ana")
    url = reverse("monitoring:region", args=["PE", code])
    with django_assert_max_num_queries(REGION_PAGE):
        response = client.get(url)
    stunting = next(r for r in response.context["rows"] if r["indicator"].code == "t-stunting")
    # Department 03 has values only when all 25 have; the country always has.
    has_values = code == "PE" or code in data
    assert (stunting["here"].value is not None) == has_values
    assert stunting["national"] is not None or not has_values
    if code == "03":
        assert list(response.context["agreements"])  # the demo's agreements in Apurímac
