"""The selectors that pages with a row per indicator use: a constant number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ayni.demo.indicators import load_demo_indicators
from ayni.geography.models import Country, Location
from ayni.geography.selectors import national_location
from ayni.monitoring.models import Indicator, Target
from ayni.monitoring.selectors import (
    baseline_and_target,
    baselines_and_targets,
    indicator_overview,
    region_overview,
)

pytestmark = pytest.mark.django_db


def test_the_earliest_baseline_and_the_latest_target_are_taken(programme) -> None:
    load_demo_indicators(Country.objects.get(iso2="PE"))
    indicator = Indicator.objects.order_by("code").first()
    place = Location.objects.get(country__iso2="PE", code="03")
    Target.objects.filter(indicator=indicator, location=place).delete()
    for kind, year, value in [
        (Target.Kind.BASELINE, 2011, "40"),
        (Target.Kind.BASELINE, 2009, "45"),
        (Target.Kind.TARGET, 2016, "30"),
        (Target.Kind.TARGET, 2021, "20"),
    ]:
        Target.objects.create(
            indicator=indicator, location=place, kind=kind, year=year, value=Decimal(value)
        )
    assert baseline_and_target(indicator, place) == ((2009, Decimal(45)), (2021, Decimal(20)))
    other = Indicator.objects.exclude(pk=indicator.pk).first()
    Target.objects.filter(indicator=other, location=place).delete()
    assert baselines_and_targets([indicator, other], place)[other.pk] == (None, None)
    # Without a place (a country with no national place) there is nothing to read.
    assert baselines_and_targets([indicator], None)[indicator.pk] == (None, None)


def test_list_and_region_rows_cost_the_same_queries_for_one_indicator_or_all(programme) -> None:
    peru = Country.objects.get(iso2="PE")
    load_demo_indicators(peru)
    everything = list(Indicator.objects.order_by("code"))
    assert len(everything) > 3
    national = national_location(peru)
    region = Location.objects.select_related("country").get(country=peru, code="03")
    counts = []
    for indicators in (everything[:1], everything):
        with CaptureQueriesContext(connection) as queries:
            indicator_overview(indicators, peru, national)
            region_overview(indicators, region, national)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    rows = region_overview(everything, region, national)
    assert [row["indicator"] for row in rows] == everything
