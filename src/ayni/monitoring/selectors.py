"""Reads for the monitoring pages: everything numeric comes from the analytics store."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ayni.monitoring import analytics
from ayni.monitoring.models import Indicator, Target
from ayni.monitoring.status import Status, indicator_status

NATIONAL = "PE"


@dataclass
class Latest:
    year: int | None
    value: Decimal | None
    source_code: str
    is_illustrative: bool


def latest_at(indicator: Indicator, location_code: str, disaggregation: str = "") -> Latest:
    return _latest(
        analytics.series(indicator.code, location_code=location_code, disaggregation=disaggregation)
    )


def _latest(rows: list[dict[str, Any]]) -> Latest:
    """The last of a place's annual series (rows in time order)."""
    if not rows:
        return Latest(None, None, "", False)
    row = rows[-1]
    return Latest(
        row["year"], Decimal(str(row["value"])), row["source_code"], bool(row["is_illustrative"])
    )


def _annual_series(
    indicators: list[Indicator], location_codes: list[str]
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(indicator code, place code) → its annual series, for all of them in one query to the
    analytics store (a page with a row per indicator would otherwise ask once per row)."""
    series: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    if indicators:
        for row in analytics.series_matrix(
            [indicator.code for indicator in indicators], location_codes=location_codes
        ):
            series[row["indicator_code"], row["location_code"]].append(row)
    return series


def baseline_and_target(
    indicator: Indicator, location_code: str
) -> tuple[tuple[int, Decimal] | None, tuple[int, Decimal] | None]:
    targets = Target.objects.filter(indicator=indicator, location__code=location_code)
    baseline = targets.filter(kind=Target.Kind.BASELINE).order_by("year").first()
    target = targets.filter(kind=Target.Kind.TARGET).order_by("-year").first()
    return (
        (baseline.year, baseline.value) if baseline else None,
        (target.year, target.value) if target else None,
    )


def status_at(indicator: Indicator, location_code: str, latest: Latest) -> Status:
    baseline, target = baseline_and_target(indicator, location_code)
    return indicator_status(
        direction=indicator.direction,
        value=latest.value,
        year=latest.year,
        baseline=baseline,
        target=target,
    )


def indicator_overview(indicators: list[Indicator]) -> list[dict[str, Any]]:
    """For the indicator list: the latest national value and the status of each indicator."""
    series = _annual_series(indicators, [NATIONAL])
    rows = []
    for indicator in indicators:
        latest = _latest(series[indicator.code, NATIONAL])
        rows.append(
            {
                "indicator": indicator,
                "latest": latest,
                "status": status_at(indicator, NATIONAL, latest),
            }
        )
    return rows


def region_overview(indicators: list[Indicator], location_code: str) -> list[dict[str, Any]]:
    """For the region page: each indicator's latest annual value at the place, the national
    value of that same year (``None`` if there is none) and the place's status; the values of
    every indicator come from one query to the analytics store."""
    series = _annual_series(indicators, [location_code, NATIONAL])
    rows = []
    for indicator in indicators:
        here = _latest(series[indicator.code, location_code])
        national = next(
            (
                Decimal(str(row["value"]))
                for row in series[indicator.code, NATIONAL]
                if row["year"] == here.year
            ),
            None,
        )
        rows.append(
            {
                "indicator": indicator,
                "here": here,
                "national": national if here.year is not None else None,
                "status": status_at(indicator, location_code, here),
            }
        )
    return rows
