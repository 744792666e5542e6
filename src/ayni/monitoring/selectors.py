"""Reads for the monitoring pages: everything numeric comes from the analytics store.

Every read is about one country: the caller finds it once per request
(``geography.selectors.country_for``) with its national place (``national_location``, the
place of depth 0, ``None`` where the country has none) and passes both down."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ayni.geography.models import Country, Location
from ayni.monitoring import analytics
from ayni.monitoring.models import Indicator, Target
from ayni.monitoring.status import Status, indicator_status

# The first division below the country (departments in Peru and Bolivia): what the indicator
# page maps and compares. A depth, not a level's name, so that no look-up is needed.
FIRST_LEVEL = 1


@dataclass
class Latest:
    year: int | None
    value: Decimal | None
    source_code: str
    is_illustrative: bool


def latest_of(rows: list[dict[str, Any]]) -> Latest:
    """The last of a place's annual series (rows in time order)."""
    if not rows:
        return Latest(None, None, "", False)
    row = rows[-1]
    return Latest(
        row["year"], Decimal(str(row["value"])), row["source_code"], bool(row["is_illustrative"])
    )


def _annual_series(
    indicators: list[Indicator], country: Country, places: list[Location | None]
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(indicator code, place code) → its annual series, for all of them in one query to the
    analytics store (a page with a row per indicator would otherwise ask once per row)."""
    series: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    codes = [place.code for place in places if place is not None]
    if indicators and codes:
        for row in analytics.series_matrix(indicators, location_codes=codes, country=country.iso2):
            series[row["indicator_code"], row["location_code"]].append(row)
    return series


YearValue = tuple[int, Decimal]
BaselineAndTarget = tuple[YearValue | None, YearValue | None]


def baselines_and_targets(
    indicators: list[Indicator], location: Location | None
) -> dict[int, BaselineAndTarget]:
    """Indicator id → (its earliest baseline, its latest target) at the place, in one query
    for all the indicators (``(None, None)`` for one without, and for all without a place)."""
    found: dict[int, BaselineAndTarget] = {indicator.pk: (None, None) for indicator in indicators}
    if location is None:
        return found
    rows = Target.objects.filter(indicator__in=indicators, location=location).values_list(
        "indicator_id", "kind", "year", "value"
    )
    for indicator_id, kind, year, value in rows:
        baseline, target = found[indicator_id]
        if kind == Target.Kind.BASELINE and (baseline is None or year < baseline[0]):
            baseline = (year, value)
        elif kind == Target.Kind.TARGET and (target is None or year > target[0]):
            target = (year, value)
        found[indicator_id] = (baseline, target)
    return found


def baseline_and_target(indicator: Indicator, location: Location | None) -> BaselineAndTarget:
    return baselines_and_targets([indicator], location)[indicator.pk]


def status_at(indicator: Indicator, latest: Latest, targets: BaselineAndTarget) -> Status:
    """The status of ``latest`` against a place's baseline and target."""
    baseline, target = targets
    return indicator_status(
        direction=indicator.direction,
        value=latest.value,
        year=latest.year,
        baseline=baseline,
        target=target,
    )


def indicator_overview(
    indicators: list[Indicator], country: Country, national: Location | None
) -> list[dict[str, Any]]:
    """For the indicator list: the latest national value (at the country's own place) and the
    status of each indicator."""
    series = _annual_series(indicators, country, [national])
    targets = baselines_and_targets(indicators, national)
    national_code = national.code if national else ""
    rows = []
    for indicator in indicators:
        latest = latest_of(series[indicator.code, national_code])
        rows.append(
            {
                "indicator": indicator,
                "latest": latest,
                "status": status_at(indicator, latest, targets[indicator.pk]),
            }
        )
    return rows


def region_overview(
    indicators: list[Indicator], region: Location, national: Location | None
) -> list[dict[str, Any]]:
    """For the region page: each indicator's latest annual value at the place, the national
    value of that same year (``None`` if there is none) and the place's status; the values of
    every indicator come from one query to the analytics store. ``region`` comes with its
    country (``select_related``)."""
    series = _annual_series(indicators, region.country, [region, national])
    targets = baselines_and_targets(indicators, region)
    national_code = national.code if national else ""
    rows = []
    for indicator in indicators:
        here = latest_of(series[indicator.code, region.code])
        # The national value of the same year (none when the place has no value).
        same_year = next(
            (
                Decimal(str(row["value"]))
                for row in series[indicator.code, national_code]
                if row["year"] == here.year
            ),
            None,
        )
        rows.append(
            {
                "indicator": indicator,
                "here": here,
                "national": same_year,
                "status": status_at(indicator, here, targets[indicator.pk]),
            }
        )
    return rows
