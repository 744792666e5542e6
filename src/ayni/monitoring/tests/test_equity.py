"""Equity analysis on a hand-made example, with the expected numbers worked out by hand, for a
lower-is-better and a higher-is-better indicator."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ayni.geography.models import Country, Location, Zone
from ayni.monitoring import analytics, equity
from ayni.monitoring.models import DataSource, DataValue, Indicator, Target


def place(code: str) -> Location:
    return Location.objects.get(country__iso2="PE", code=code)


@pytest.fixture
def example(db: None, settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.AYNI_ANALYTICS_DIR = str(tmp_path / "analytics")
    source = DataSource.objects.create(code="endes", kind="survey", name_es="ENDES", year=2016)
    stunting = Indicator.objects.create(
        code="stunting", name_es="D", name_en="Stunting", unit="percent", direction="down"
    )
    coverage = Indicator.objects.create(
        code="coverage", name_es="C", name_en="Coverage", unit="percent", direction="up"
    )
    table = {
        # indicator, year, disaggregation: {department: value}
        (stunting, 2014, ""): {"03": 50, "05": 35, "08": 20, "15": 10},
        (stunting, 2016, ""): {"03": 40, "05": 30, "08": 20, "15": 10},
        (stunting, 2016, "area=rural"): {"03": 45, "05": 35},
        (stunting, 2016, "area=urban"): {"03": 25, "05": 15},
        (stunting, 2016, "sex=F"): {"03": 38},
        (stunting, 2016, "sex=M"): {"03": 42},
        (stunting, 2016, "mother_tongue=quechua"): {"03": 44},
        (stunting, 2016, "mother_tongue=castellano"): {"03": 30},
        (stunting, 2014, "area=rural"): {"03": 60},
        (stunting, 2014, "area=urban"): {"03": 30},
        (coverage, 2016, ""): {"03": 60, "05": 80, "08": 90, "15": 95},
    }
    DataValue.objects.bulk_create(
        DataValue(
            indicator=indicator,
            location=place(code),
            period_type="Y",
            period=str(year),
            year=year,
            disaggregation=key,
            value=Decimal(value),
            source=source,
        )
        for (indicator, year, key), values in table.items()
        for code, value in values.items()
    )
    for indicator, code, year, value in [
        (stunting, "03", 2016, 35),
        (stunting, "05", 2015, 20),
        (stunting, "05", 2017, 22),  # no 2016 target: the latest (2017) is used
        (coverage, "03", 2016, 70),
    ]:
        Target.objects.create(
            indicator=indicator,
            location=place(code),
            kind="target",
            year=year,
            value=Decimal(value),
        )
    zone = Zone.objects.create(
        country=Country.objects.get(iso2="PE"),
        code="test-focus-south",
        kind="focus",
        name_es="Sur",
        name_en="South",
    )
    zone.locations.set([place("03"), place("05")])
    analytics.refresh()
    return {"zone": zone}


def test_region_gap_lower_is_better(example: dict[str, Any]) -> None:
    result = equity.region_gap("stunting", level="department", country="PE")
    assert result is not None
    assert result.year == 2016 and result.places == 4 and result.level == 1
    # best = min = Lima 10, worst = max = Apurímac 40; gap 40 − 10 = 30; ratio 40 / 10 = 4.
    assert (result.gap.best, result.gap.best_value) == ("15", 10.0)
    assert (result.gap.worst, result.gap.worst_value) == ("03", 40.0)
    assert result.gap.absolute == 30.0 and result.gap.ratio == 4.0
    earlier = equity.region_gap("stunting", year=2014, country="PE")
    assert earlier is not None and earlier.gap.absolute == 40.0 and earlier.gap.ratio == 5.0


def test_region_gap_higher_is_better(example: dict[str, Any]) -> None:
    result = equity.region_gap("coverage", country="PE")
    assert result is not None
    # best = max = Lima 95, worst = min = Apurímac 60; gap 35; ratio 60 / 95.
    assert (result.gap.best, result.gap.worst) == ("15", "03")
    assert result.gap.absolute == 35.0
    assert result.gap.ratio == pytest.approx(60 / 95)


def test_extremes_ties_and_zero() -> None:
    gap = equity.extremes({"b": 0.0, "a": 0.0, "c": 5.0}, "down")
    assert gap is not None and gap.best == "a" and gap.worst == "c" and gap.ratio is None
    assert equity.extremes({}, "up") is None


def test_region_gap_trend(example: dict[str, Any]) -> None:
    assert equity.region_gap_trend("stunting", country="PE") == [(2014, 40.0), (2016, 30.0)]


def test_group_gaps_at_a_place(example: dict[str, Any]) -> None:
    gaps = {g.dimension: g for g in equity.group_gaps("stunting", location_code="03", country="PE")}
    assert set(gaps) == {"area", "sex", "mother_tongue"}
    area = gaps["area"]
    # rural − urban = 45 − 25 = 20; ratio 45 / 25 = 1.8.
    assert area.year == 2016 and area.pair == ("rural", "urban")
    assert area.difference == 20.0 and area.pair_ratio == pytest.approx(1.8)
    sex = gaps["sex"]
    # F − M = 38 − 42 = −4; for a lower-is-better indicator F is the best group.
    assert sex.difference == -4.0 and sex.pair_ratio == pytest.approx(38 / 42)
    assert (sex.gap.best, sex.gap.worst, sex.gap.absolute) == ("F", "M", 4.0)
    tongue = gaps["mother_tongue"]
    # No pair: worst (quechua 44) against best (castellano 30): gap 14, ratio 44 / 30.
    assert tongue.pair is None and tongue.difference is None
    assert (tongue.gap.worst, tongue.gap.best, tongue.gap.absolute) == (
        "quechua",
        "castellano",
        14.0,
    )
    assert tongue.gap.ratio == pytest.approx(44 / 30)


def test_group_gaps_over_departments_and_their_trend(example: dict[str, Any]) -> None:
    gaps = {g.dimension: g for g in equity.group_gaps("stunting", year=2016, country="PE")}
    # Unweighted means over departments: rural (45 + 35) / 2 = 40, urban (25 + 15) / 2 = 20.
    assert gaps["area"].groups == {"rural": 40.0, "urban": 20.0}
    assert gaps["area"].difference == 20.0 and gaps["area"].location_code is None
    assert equity.group_gap_trend(
        "stunting", dimension="area", location_code="03", country="PE"
    ) == [
        (2014, 30.0),
        (2016, 20.0),
    ]


def test_focus_zones_lower_is_better(example: dict[str, Any]) -> None:
    report = equity.focus_zone_distances("stunting", zones=["test-focus-south"], country="PE")
    assert report is not None
    # National = unweighted mean of departments in 2016 = (40 + 30 + 20 + 10) / 4 = 25.
    assert report.year == 2016 and report.national == 25.0
    assert report.national_method == "unweighted mean of departments"
    # Shortfall from national (lower is better): value − 25 → Apurímac 15, Ayacucho 5.
    assert [(p.location_code, p.gap_to_national) for p in report.by_national] == [
        ("03", 15.0),
        ("05", 5.0),
    ]
    # From target: Apurímac 40 − 35 (2016) = 5; Ayacucho 30 − 22 (latest target, 2017) = 8.
    assert [
        (p.location_code, p.target, p.target_year, p.gap_to_target) for p in report.by_target
    ] == [
        ("05", 22.0, 2017, 8.0),
        ("03", 35.0, 2016, 5.0),
    ]
    assert report.by_national[0].zones == ("test-focus-south",)


def test_focus_zones_higher_is_better_and_a_national_place(example: dict[str, Any]) -> None:
    report = equity.focus_zone_distances("coverage", country="PE")  # the country's focus zones
    assert report is not None
    # National = (60 + 80 + 90 + 95) / 4 = 81.25; shortfall (higher is better) = 81.25 − value.
    ours = [p for p in report.by_national if p.location_code in {"03", "05"}]
    assert [(p.location_code, p.gap_to_national) for p in ours] == [("03", 21.25), ("05", 1.25)]
    assert [p.gap_to_target for p in report.by_target if p.location_code == "03"] == [10.0]
    # A national place, when given and present, is used instead of the mean.
    national = equity.focus_zone_distances(
        "stunting", zones=["test-focus-south"], national_location_code="15", country="PE"
    )
    assert national is not None
    assert national.national == 10.0 and national.national_method == "national place"
    assert [p.gap_to_national for p in national.by_national] == [30.0, 20.0]


def test_a_count_is_not_compared_with_the_national_total(example: dict[str, Any]) -> None:
    coverage = Indicator.objects.get(code="coverage")
    coverage.unit = "number"
    coverage.save()
    report = equity.focus_zone_distances("coverage", zones=["test-focus-south"], country="PE")
    assert report is not None
    assert report.national is None
    assert report.national_method == "not comparable: a count adds up over places"
    assert "adds up" in report.national_method_label
    assert [p.gap_to_national for p in report.by_national] == [None, None]
    # Its target still counts: Apurímac 60 against 70.
    assert [p.gap_to_target for p in report.by_target if p.location_code == "03"] == [10.0]


def test_no_data_gives_no_result(example: dict[str, Any]) -> None:
    assert equity.region_gap("stunting", year=2001, country="PE") is None
    assert equity.group_gaps("coverage", country="PE") == []
