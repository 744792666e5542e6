"""Reads for the monitoring pages: everything numeric comes from the analytics store."""

from __future__ import annotations

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
    rows = analytics.series(
        indicator.code, location_code=location_code, disaggregation=disaggregation
    )
    if not rows:
        return Latest(None, None, "", False)
    row = rows[-1]
    return Latest(
        row["year"], Decimal(str(row["value"])), row["source_code"], bool(row["is_illustrative"])
    )


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
    rows = []
    for indicator in indicators:
        latest = latest_at(indicator, NATIONAL)
        rows.append(
            {
                "indicator": indicator,
                "latest": latest,
                "status": status_at(indicator, NATIONAL, latest),
            }
        )
    return rows
