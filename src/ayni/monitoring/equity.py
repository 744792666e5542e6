"""Equity analysis: how far apart regions and population groups are, and who is furthest behind.

Values come from the analytics store (``ayni.monitoring.analytics``, preferred annual values,
a place's own value or its roll-up); targets from the database. Formulas, for an indicator
with direction d (``up``: higher is better; ``down``: lower is better) and values v:

- **Best and worst** place (or group): best = max v if d = up, min v if d = down; worst the
  opposite. Ties go to the lowest code, so results are stable.
- **Absolute gap** = |v_worst − v_best| (in the indicator's unit: percentage points for a
  percent). Always ≥ 0.
- **Ratio** = v_worst / v_best; ``None`` when v_best = 0. Below 1 for an ``up`` indicator (the
  worst place reaches that fraction of the best), above 1 for a ``down`` indicator (the worst
  place has that many times the best place's rate).
- **Pair gap** between two groups of a dimension (rural vs urban, F vs M, Q1 vs Q5):
  difference = v_first − v_second (signed), absolute gap = |difference|, ratio =
  v_first / v_second (``None`` when v_second = 0). Where no pair is defined for a dimension
  (mother tongue groups), the worst and best groups are compared as for places.
- **Trend of a gap**: the gap computed the same way for each year with data, as
  (year, gap) pairs in year order.
- **National value**: the value at the country's own place (``national_location_code``, the
  place of depth 0) for the year when given and present; otherwise the population-unweighted
  mean of the department (depth-1) values of that year — the analytics store holds no
  population to weight by. ``national_method`` says which was used.
- For a **count or an amount** (unit ``number`` or ``currency``) a place is not compared with
  the national value: the national figure is the sum over places, not a level a place could
  reach. The national value is then ``None`` and ``national_method`` says why.
- **Shortfall** of a place from a reference r (national value or target):
  r − v if d = up, v − r if d = down. Positive = worse than the reference (still to go);
  negative = better. Focus-zone places are ranked by shortfall, largest first.
- **Target** of a place: its ``Target`` of kind ``target`` for the year, or else its target of
  the latest year.

Every function works on one country's values (``country``, an ISO code). Indicators are
codes or ``Indicator`` records; where a page has already read the values of a level
(``analytics.indicator_by_location_year``), it passes them as ``rows`` and the function reads
nothing again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

from django.utils.translation import gettext_lazy as _

from ayni.geography.models import Zone
from ayni.monitoring import analytics
from ayni.monitoring.analytics.queries import (
    ADDITIVE_UNITS,
    IndicatorRef,
    code_of,
    info_of,
    level_depth,
)
from ayni.monitoring.models import Indicator, Target

# The groups compared in each dimension: (first, second), the gap being first − second.
DEFAULT_PAIRS: dict[str, tuple[str, str]] = {
    "area": ("rural", "urban"),
    "sex": ("F", "M"),
    "wealth_quintile": ("Q1", "Q5"),
}


@dataclass(frozen=True)
class Gap:
    """Worst and best of a set of values, with the absolute gap and the ratio."""

    best: str
    best_value: float
    worst: str
    worst_value: float
    absolute: float
    ratio: float | None


@dataclass(frozen=True)
class RegionGap:
    indicator_code: str
    year: int
    level: int
    direction: str
    gap: Gap
    places: int
    values: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupGap:
    indicator_code: str
    year: int
    dimension: str
    location_code: str | None  # None: unweighted mean of the level's places
    groups: dict[str, float]
    gap: Gap  # worst and best group
    pair: tuple[str, str] | None = None
    difference: float | None = None  # v_first − v_second
    pair_ratio: float | None = None  # v_first / v_second


@dataclass(frozen=True)
class FocusPlace:
    location_code: str
    location_name: str
    zones: tuple[str, ...]
    value: float | None
    gap_to_national: float | None  # shortfall: positive = worse than national
    target: float | None
    target_year: int | None
    gap_to_target: float | None  # shortfall: positive = still short of target


@dataclass(frozen=True)
class FocusReport:
    indicator_code: str
    year: int
    national: float | None
    national_method: str  # a key of NATIONAL_METHODS
    by_national: list[FocusPlace]  # largest shortfall from national first
    by_target: list[FocusPlace]  # largest shortfall from target first

    @property
    def national_method_label(self) -> str:
        return str(NATIONAL_METHODS[self.national_method])


# How the national value was obtained: the key (in the API) and its label (on pages).
NATIONAL_METHODS = {
    "national place": _("national place"),
    "unweighted mean of departments": _("unweighted mean of departments"),
    "not comparable: a count adds up over places": _(
        "a count adds up over places: a department is not compared with the national total"
    ),
}


def ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else numerator / denominator


def shortfall(value: float, reference: float, direction: str) -> float:
    """reference − value for higher-is-better, value − reference for lower-is-better."""
    return (
        reference - value
        if direction == Indicator.Direction.HIGHER_IS_BETTER
        else (value - reference)
    )


def extremes(values: dict[str, float], direction: str) -> Gap | None:
    """Best and worst of ``{code: value}`` for the direction (ties: the lowest code)."""
    if not values:
        return None
    # Sorting by (badness, code) gives best first; badness is −v when higher is better.
    sign = -1.0 if direction == Indicator.Direction.HIGHER_IS_BETTER else 1.0
    ordered = sorted(values, key=lambda code: (sign * values[code], code))
    best = ordered[0]
    worst = sorted(values, key=lambda code: (-sign * values[code], code))[0]
    return Gap(
        best=best,
        best_value=values[best],
        worst=worst,
        worst_value=values[worst],
        absolute=abs(values[worst] - values[best]),
        ratio=ratio(values[worst], values[best]),
    )


def _by_year(rows: Iterable[dict[str, Any]]) -> dict[int, dict[str, float]]:
    out: dict[int, dict[str, float]] = defaultdict(dict)
    for row in rows:
        out[row["year"]][row["location_code"]] = row["value"]
    return out


def _level_rows(
    indicator: IndicatorRef,
    *,
    country: str,
    level: str | int,
    years: list[int] | None = None,
    disaggregation: str = "",
    rows: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The values of a level by year: ``rows`` when the caller has read them, else read."""
    if rows is not None:
        return rows if years is None else [row for row in rows if row["year"] in years]
    return analytics.indicator_by_location_year(
        indicator, level=level, years=years, disaggregation=disaggregation, country=country
    )


def region_gap(
    indicator: IndicatorRef,
    *,
    country: str,
    year: int | None = None,
    level: str | int = "department",
    disaggregation: str = "",
    rows: list[dict[str, Any]] | None = None,
) -> RegionGap | None:
    """Best and worst place of a level in a year (the latest year with data if ``None``).
    ``rows``: the level's values, already read (see the module docstring)."""
    direction = info_of(indicator).direction
    rows = _level_rows(
        indicator,
        country=country,
        level=level,
        years=[year] if year is not None else None,
        disaggregation=disaggregation,
        rows=rows,
    )
    by_year = _by_year(rows)
    if not by_year:
        return None
    chosen = year if year is not None else max(by_year)
    values = by_year.get(chosen, {})
    gap = extremes(values, direction)
    if gap is None:
        return None
    return RegionGap(
        indicator_code=code_of(indicator),
        year=chosen,
        level=level_depth(level, country),
        direction=direction,
        gap=gap,
        places=len(values),
        values=values,
    )


def region_gap_trend(
    indicator: IndicatorRef,
    *,
    country: str,
    level: str | int = "department",
    disaggregation: str = "",
    rows: list[dict[str, Any]] | None = None,
) -> list[tuple[int, float]]:
    """(year, absolute gap between the worst and best place) for every year with at least
    two places. ``rows``: the level's values of every year, already read."""
    direction = info_of(indicator).direction
    rows = _level_rows(
        indicator, country=country, level=level, disaggregation=disaggregation, rows=rows
    )
    trend = []
    for year, values in sorted(_by_year(rows).items()):
        gap = extremes(values, direction)
        if gap is not None and len(values) > 1:
            trend.append((year, gap.absolute))
    return trend


def _group_values(
    indicator: IndicatorRef,
    *,
    location_code: str | None,
    level: str | int,
    years: list[int] | None,
    country: str,
) -> dict[tuple[int, str], dict[str, float]]:
    """(year, dimension) → {group: value}, at one place, or else the unweighted mean over the
    level's places that have the group."""
    rows = analytics.by_group(
        indicator,
        location_code=location_code,
        level=None if location_code else level,
        years=years,
        country=country,
    )
    collected: dict[tuple[int, str], dict[str, list[float]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in rows:
        collected[(row["year"], row["dimension"])][row["group"]].append(row["value"])
    return {
        key: {group: fmean(values) for group, values in groups.items()}
        for key, groups in collected.items()
    }


def _group_gap(
    indicator_code: str,
    year: int,
    dimension: str,
    location_code: str | None,
    groups: dict[str, float],
    direction: str,
    pairs: dict[str, tuple[str, str]],
) -> GroupGap | None:
    gap = extremes(groups, direction)
    if gap is None:
        return None
    pair = pairs.get(dimension)
    difference = pair_ratio = None
    if pair and pair[0] in groups and pair[1] in groups:
        difference = groups[pair[0]] - groups[pair[1]]
        pair_ratio = ratio(groups[pair[0]], groups[pair[1]])
    else:
        pair = None
    return GroupGap(
        indicator_code=indicator_code,
        year=year,
        dimension=dimension,
        location_code=location_code,
        groups=dict(sorted(groups.items())),
        gap=gap,
        pair=pair,
        difference=difference,
        pair_ratio=pair_ratio,
    )


def group_gaps(
    indicator: IndicatorRef,
    *,
    country: str,
    year: int | None = None,
    location_code: str | None = None,
    level: str | int = "department",
    pairs: dict[str, tuple[str, str]] | None = None,
) -> list[GroupGap]:
    """Gaps between the groups of every dimension the data has (single-dimension
    disaggregations), at one place, or — without ``location_code`` — between the unweighted
    means over the level's places. ``year`` ``None``: the latest year with group data."""
    direction = info_of(indicator).direction
    pairs = DEFAULT_PAIRS if pairs is None else pairs
    values = _group_values(
        indicator,
        location_code=location_code,
        level=level,
        years=[year] if year is not None else None,
        country=country,
    )
    if not values:
        return []
    chosen = year if year is not None else max(y for y, _value in values)
    out = []
    for (row_year, dimension), groups in sorted(values.items()):
        if row_year != chosen:
            continue
        result = _group_gap(
            code_of(indicator), row_year, dimension, location_code, groups, direction, pairs
        )
        if result is not None:
            out.append(result)
    return out


def group_gap_trend(
    indicator: IndicatorRef,
    *,
    country: str,
    dimension: str,
    location_code: str | None = None,
    level: str | int = "department",
    pairs: dict[str, tuple[str, str]] | None = None,
) -> list[tuple[int, float]]:
    """(year, gap) for one dimension: the signed pair difference (v_first − v_second) where the
    dimension has a pair and both groups have values, else the absolute worst−best gap."""
    direction = info_of(indicator).direction
    pairs = DEFAULT_PAIRS if pairs is None else pairs
    values = _group_values(
        indicator, location_code=location_code, level=level, years=None, country=country
    )
    trend = []
    for (year, row_dimension), groups in sorted(values.items()):
        if row_dimension != dimension:
            continue
        result = _group_gap(
            code_of(indicator), year, dimension, location_code, groups, direction, pairs
        )
        if result is None:
            continue
        difference = result.difference
        trend.append((year, difference if difference is not None else result.gap.absolute))
    return trend


def national_value(
    indicator: IndicatorRef,
    *,
    country: str,
    year: int,
    national_location_code: str | None = None,
    disaggregation: str = "",
    rows: list[dict[str, Any]] | None = None,
) -> tuple[float | None, str]:
    """The national value of a year and how it was obtained (see the module's formulas).
    ``rows``: the department (depth-1) values, already read."""
    if national_location_code:
        for row in analytics.series(
            indicator,
            location_code=national_location_code,
            disaggregation=disaggregation,
            country=country,
        ):
            if row["year"] == year:
                return row["value"], "national place"
    departments = [
        row["value"]
        for row in _level_rows(
            indicator,
            country=country,
            level=1,
            years=[year],
            disaggregation=disaggregation,
            rows=rows,
        )
    ]
    return (fmean(departments) if departments else None), "unweighted mean of departments"


def _targets(indicator_id: int, location_ids: Iterable[int], year: int) -> dict[int, Any]:
    """location id → (target value, year): the year's target, else the latest one."""
    chosen: dict[int, tuple[float, int]] = {}
    rows = Target.objects.filter(
        indicator_id=indicator_id, location_id__in=list(location_ids), kind=Target.Kind.TARGET
    ).values_list("location_id", "year", "value")
    for location_id, target_year, value in rows:
        current = chosen.get(location_id)
        better = current is None or (
            target_year == year or (current[1] != year and target_year > current[1])
        )
        if better:
            chosen[location_id] = (float(value), target_year)
    return chosen


def focus_zone_distances(
    indicator: IndicatorRef,
    *,
    country: str,
    year: int | None = None,
    zones: Sequence[Zone | str] | None = None,
    national_location_code: str | None = None,
    level: str | int = "department",
    rows: list[dict[str, Any]] | None = None,
) -> FocusReport | None:
    """The places of the focus zones (``Zone.kind == "focus"`` of the country, or the zones
    given, as records or codes) ranked by their shortfall from the national value and from
    their target. ``year`` ``None``: the latest year with values at ``level``. ``rows``: the
    values of ``level`` (given as a depth) in every year, already read."""
    info = info_of(indicator)
    depth_given = level if isinstance(level, int) else None
    given = rows if rows is not None and depth_given is not None else None
    zone_qs = Zone.objects.filter(country__iso2=country)
    if zones is None:
        zone_qs = zone_qs.filter(kind=Zone.Kind.FOCUS)
    else:
        codes = [zone if isinstance(zone, str) else zone.code for zone in zones]
        zone_qs = zone_qs.filter(code__in=codes)
    places: dict[str, dict[str, Any]] = {}
    for zone_code, pk, code, name, depth in zone_qs.values_list(
        "code", "locations__id", "locations__code", "locations__name", "locations__level__depth"
    ):
        if pk is None:
            continue
        place = places.setdefault(code, {"id": pk, "name": name, "depth": depth, "zones": set()})
        place["zones"].add(zone_code)
    if year is None:
        years = sorted(
            {
                row["year"]
                for row in _level_rows(indicator, country=country, level=level, rows=given)
            }
        )
        if not years:
            return None
        year = years[-1]
    national: float | None
    if info.unit in ADDITIVE_UNITS:
        national, method = None, "not comparable: a count adds up over places"
    else:
        national, method = national_value(
            indicator,
            year=year,
            national_location_code=national_location_code,
            country=country,
            rows=given if depth_given == 1 else None,
        )
    values: dict[str, float] = {}
    for depth in sorted({place["depth"] for place in places.values()}):
        for row in _level_rows(
            indicator,
            country=country,
            level=depth,
            years=[year],
            rows=given if depth == depth_given else None,
        ):
            if row["location_code"] in places:
                values[row["location_code"]] = row["value"]
    targets = _targets(info.id, [place["id"] for place in places.values()], year)
    report = []
    for code, place in places.items():
        value = values.get(code)
        target = targets.get(place["id"])
        report.append(
            FocusPlace(
                location_code=code,
                location_name=place["name"],
                zones=tuple(sorted(place["zones"])),
                value=value,
                gap_to_national=(
                    shortfall(value, national, info.direction)
                    if value is not None and national is not None
                    else None
                ),
                target=target[0] if target else None,
                target_year=target[1] if target else None,
                gap_to_target=(
                    shortfall(value, target[0], info.direction)
                    if value is not None and target
                    else None
                ),
            )
        )

    def ranked(attribute: str) -> list[FocusPlace]:
        # Largest shortfall first; places without a figure last; ties by code.
        return sorted(
            report,
            key=lambda p: (
                getattr(p, attribute) is None,
                -(getattr(p, attribute) or 0.0),
                p.location_code,
            ),
        )

    return FocusReport(
        indicator_code=info.code,
        year=year,
        national=national,
        national_method=method,
        by_national=ranked("gap_to_national"),
        by_target=ranked("gap_to_target"),
    )
