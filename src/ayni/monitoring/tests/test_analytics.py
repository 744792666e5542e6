"""The analytics store: refresh (full, incremental, removals), queries against the same numbers
computed in Python from DataValue, the signal and the command."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.core.management import CommandError, call_command

from ayni.geography.models import Location
from ayni.monitoring import analytics
from ayni.monitoring.analytics import store
from ayni.monitoring.models import DataSource, DataValue, Dimension, DimensionValue, Indicator
from ayni.monitoring.signals import values_changed

YEARS = [2012, 2014, 2016]
DEPARTMENTS = ["03", "05", "08", "15"]


def place(code: str) -> Location:
    return Location.objects.get(country__iso2="PE", code=code)


@pytest.fixture
def store_dir(settings: Any, tmp_path: Path) -> Path:
    settings.AYNI_ANALYTICS_DIR = str(tmp_path / "analytics")
    return tmp_path / "analytics"


@pytest.fixture
def data(db: None) -> dict[str, Any]:
    """Three indicators over four departments, two provinces and two districts of Apurímac,
    three years, disaggregations by sex and area, and two sources that overlap."""
    for position, (code, values) in enumerate(
        [("sex", ["F", "M"]), ("area", ["rural", "urban"]), ("wealth_quintile", ["Q1", "Q5"])]
    ):
        dimension = Dimension.objects.create(
            code=code, name_es=code, name_en=code, position=position
        )
        for value in values:
            DimensionValue.objects.create(
                dimension=dimension, code=value, name_es=value, name_en=value
            )
    survey = DataSource.objects.create(code="endes", kind="survey", name_es="ENDES", year=2014)
    older = DataSource.objects.create(code="censo", kind="census", name_es="Censo", year=2007)
    demo = DataSource.objects.create(
        code="demo", kind="other", name_es="Demo", year=2020, is_illustrative=True
    )
    stunting = Indicator.objects.create(
        code="stunting",
        name_es="Desnutrición",
        name_en="Stunting",
        unit="percent",
        direction="down",
    )
    births = Indicator.objects.create(
        code="births", name_es="Nacimientos", name_en="Births", unit="number", direction="up"
    )
    coverage = Indicator.objects.create(
        code="coverage",
        name_es="Cobertura",
        name_en="Coverage",
        unit="percent",
        direction="up",
    )
    values = []

    def add(indicator: Indicator, code: str, year: int, value: float, **extra: Any) -> None:
        extra.setdefault("source", survey)
        extra.setdefault("period", str(year))
        extra.setdefault("period_type", "Y")
        values.append(
            DataValue(
                indicator=indicator,
                location=place(code),
                year=year,
                value=Decimal(str(value)),
                **extra,
            )
        )

    for i, year in enumerate(YEARS):
        for j, code in enumerate(DEPARTMENTS):
            add(stunting, code, year, 40 - 5 * j - 2 * i, lower=Decimal("1.5"))
            add(stunting, code, year, 41 - 5 * j - 2 * i, disaggregation="sex=F")
            add(stunting, code, year, 39 - 5 * j - 2 * i, disaggregation="sex=M")
            add(stunting, code, year, 50 - 5 * j, disaggregation="area=rural")
            add(stunting, code, year, 20 - j, disaggregation="area=urban")
            add(stunting, code, year, 55, disaggregation="area=rural;sex=F")
        # A second, older source for Apurímac: the more recent survey is preferred…
        add(stunting, "03", year, 99, source=older)
        # …and an illustrative one, even though its year is the latest.
        add(stunting, "05", year, 77, source=demo)
        # Births only at district level: departments and provinces are sums.
        add(births, "030101", year, 100 + i)
        add(births, "030102", year, 50)
        add(births, "030201", year, 25)
        # Coverage: districts with numerator and denominator, so it can be rolled up.
        add(coverage, "030101", year, 50, numerator=Decimal(50), denominator=Decimal(100))
        add(coverage, "030102", year, 80, numerator=Decimal(240), denominator=Decimal(300))
        add(coverage, "08", year, 70 + i)
    add(coverage, "08", 2016, 1, period="2016Q2", period_type="Q")
    DataValue.objects.bulk_create(values)
    return {"stunting": stunting, "births": births, "coverage": coverage, "survey": survey}


def expected_department_values(code: str, disaggregation: str = "") -> dict[tuple[str, int], float]:
    """The preferred annual values at department level, computed in Python from DataValue."""
    candidates: dict[tuple[str, int], list[DataValue]] = defaultdict(list)
    for value in DataValue.objects.filter(
        indicator__code=code,
        period_type="Y",
        disaggregation=disaggregation,
        location__level__depth=1,
    ).select_related("source", "location"):
        candidates[(value.location.code, value.year)].append(value)
    return {
        key: float(
            min(
                rows,
                key=lambda v: (
                    v.is_illustrative or v.source.is_illustrative,
                    -(v.source.year or 0),
                    v.source.code,
                ),
            ).value
        )
        for key, rows in candidates.items()
    }


def files(root: Path) -> dict[str, tuple[int, int]]:
    """Relative path → (inode, mtime) of every Parquet file in the store."""
    return {
        str(path.relative_to(root)): (path.stat().st_ino, path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*.parquet"))
    }


def test_store_root_follows_settings_at_call_time(settings: Any, tmp_path: Path) -> None:
    settings.AYNI_ANALYTICS_DIR = None
    settings.DATA_DIR = tmp_path
    assert store.store_root() == tmp_path / "analytics"
    settings.AYNI_ANALYTICS_DIR = str(tmp_path / "elsewhere")
    assert store.store_root() == tmp_path / "elsewhere"


def test_full_refresh_writes_one_file_per_year_and_indicator(
    data: dict[str, Any], store_dir: Path
) -> None:
    summary = analytics.refresh()
    expected = {
        f"PE/values/year={year}/indicator_id={data[name].id}/part-0.parquet"
        for year in YEARS
        for name in ["stunting", "births", "coverage"]
    }
    assert set(files(store_dir)) == expected
    assert summary.rows == DataValue.objects.count()
    assert summary.written == 9 and summary.removed == 0
    assert not list(store_dir.rglob("*.tmp"))


def test_the_store_is_denormalised(data: dict[str, Any], store_dir: Path) -> None:
    analytics.refresh()
    path = store_dir / f"PE/values/year=2016/indicator_id={data['births'].id}/part-0.parquet"
    result = duckdb.connect().execute(
        "SELECT * FROM read_parquet(?, hive_partitioning = true) ORDER BY location_code",
        [str(path)],
    )
    rows = result.fetchall()
    names = [column[0] for column in result.description]
    for column in [
        "indicator_id",
        "indicator_code",
        "location_id",
        "location_code",
        "level",
        "department_code",
        "province_code",
        "district_code",
        "period_type",
        "period",
        "year",
        "quarter",
        "month",
        "disaggregation",
        "dim_sex",
        "dim_area",
        "dim_wealth_quintile",
        "value",
        "lower",
        "upper",
        "source_code",
        "is_illustrative",
        "is_preferred",
    ]:
        assert column in names
    row = dict(zip(names, rows[0], strict=True))
    assert row["location_code"] == "030101"
    assert (row["department_code"], row["province_code"], row["district_code"]) == (
        "03",
        "0301",
        "030101",
    )
    assert row["level"] == 3 and row["year"] == 2016 and row["indicator_id"] == data["births"].id
    assert row["indicator_code"] == "births" and row["source_code"] == "endes"

    stunting = store_dir / f"PE/values/year=2014/indicator_id={data['stunting'].id}"
    split = (
        duckdb.connect()
        .execute(
            "SELECT dim_sex, dim_area, dim_wealth_quintile FROM read_parquet(?) "
            "WHERE disaggregation = 'area=rural;sex=F'",
            [f"{stunting}/*.parquet"],
        )
        .fetchall()
    )
    assert split == [("F", "rural", None)] * 4
    coverage = store_dir / f"PE/values/year=2016/indicator_id={data['coverage'].id}"
    quarter = (
        duckdb.connect()
        .execute(
            "SELECT period, quarter, month FROM read_parquet(?) WHERE period_type = 'Q'",
            [f"{coverage}/*.parquet"],
        )
        .fetchall()
    )
    assert quarter == [("2016Q2", 2, None)]


def test_indicator_by_location_year_matches_the_transactional_table(
    data: dict[str, Any], store_dir: Path
) -> None:
    analytics.refresh()
    for disaggregation in ["", "sex=F", "area=rural;sex=F"]:
        rows = analytics.indicator_by_location_year(
            "stunting", level="department", disaggregation=disaggregation, country="PE"
        )
        got = {(row["location_code"], row["year"]): row["value"] for row in rows}
        assert got == expected_department_values("stunting", disaggregation)
        assert {row["method"] for row in rows} == {"reported"}
    # The older census (99) and the illustrative demo value (77) are never chosen.
    values = {
        row["value"] for row in analytics.indicator_by_location_year("stunting", country="PE")
    }
    assert 99 not in values and 77 not in values
    apurimac = analytics.indicator_by_location_year("stunting", years=[2014], country="PE")[0]
    assert apurimac == {
        "indicator_code": "stunting",
        "location_code": "03",
        "location_name": "Apurímac",
        "year": 2014,
        "value": 38.0,
        "lower": 1.5,
        "upper": None,
        "source_code": "endes",
        "is_illustrative": False,
        "places": 1,
        "level": 1,
        "method": "reported",
    }


def test_rolls_up_numbers_by_sum_and_rates_by_numerator_and_denominator(
    data: dict[str, Any], store_dir: Path
) -> None:
    analytics.refresh()
    births = analytics.indicator_by_location_year("births", level="department", country="PE")
    assert [
        (r["location_code"], r["year"], r["value"], r["method"], r["places"]) for r in births
    ] == [
        ("03", 2012, 175.0, "sum", 3),
        ("03", 2014, 176.0, "sum", 3),
        ("03", 2016, 177.0, "sum", 3),
    ]
    assert births[0]["location_name"] == "Apurímac"
    provinces = analytics.indicator_by_location_year(
        "births", level="province", years=[2016], country="PE"
    )
    assert [(r["location_code"], r["value"]) for r in provinces] == [
        ("0301", 152.0),
        ("0302", 25.0),
    ]
    coverage = analytics.indicator_by_location_year("coverage", level=1, years=[2016], country="PE")
    # Apurímac: (50 + 240) / (100 + 300) × 100 = 72.5, not the mean of 50 and 80; Cusco reported.
    assert [(r["location_code"], r["value"], r["method"]) for r in coverage] == [
        ("03", 72.5, "ratio"),
        ("08", 72.0, "reported"),
    ]


def test_matrix_latest_series_and_groups(data: dict[str, Any], store_dir: Path) -> None:
    analytics.refresh()
    matrix = analytics.indicators_matrix(
        ["stunting", "births"], level="department", years=[2016], country="PE"
    )
    assert [(r["indicator_code"], r["location_code"]) for r in matrix] == [
        ("stunting", "03"),
        ("stunting", "05"),
        ("stunting", "08"),
        ("stunting", "15"),
        ("births", "03"),
    ]
    latest = analytics.latest_by_location("stunting", level="department", country="PE")
    assert [(r["location_code"], r["year"], r["value"]) for r in latest] == [
        ("03", 2016, 36.0),
        ("05", 2016, 31.0),
        ("08", 2016, 26.0),
        ("15", 2016, 21.0),
    ]
    trend = analytics.series("stunting", location_code="05", country="PE")
    assert [(r["period"], r["value"]) for r in trend] == [
        ("2012", 35.0),
        ("2014", 33.0),
        ("2016", 31.0),
    ]
    every = analytics.series("coverage", location_code="08", period_type=None, country="PE")
    assert [(r["period_type"], r["period"], r["quarter"]) for r in every] == [
        ("Q", "2016Q2", 2),
        ("Y", "2012", None),
        ("Y", "2014", None),
        ("Y", "2016", None),
    ]
    groups = analytics.disaggregated(
        "stunting", location_code="08", year=2014, dimension="sex", country="PE"
    )
    assert [(r["group"], r["value"]) for r in groups] == [("F", 29.0), ("M", 27.0)]
    assert (
        analytics.disaggregated(
            "stunting", location_code="08", year=2014, dimension="age", country="PE"
        )
        == []
    )
    assert analytics.stored_years("births", country="PE") == YEARS
    with pytest.raises(Indicator.DoesNotExist):
        analytics.series("no-such-indicator", country="PE")


def test_queries_on_an_empty_store_return_nothing(data: dict[str, Any], store_dir: Path) -> None:
    assert analytics.indicator_by_location_year("stunting", country="PE") == []
    assert analytics.series("stunting", country="PE") == []


def test_incremental_refresh_rewrites_only_the_touched_partition(
    data: dict[str, Any], store_dir: Path
) -> None:
    analytics.refresh()
    before = files(store_dir)
    DataValue.objects.filter(
        indicator=data["stunting"], location__code="15", year=2014, disaggregation=""
    ).update(value=Decimal("12.25"))
    summary = analytics.refresh(indicator_ids=[data["stunting"].id], years=[2014])
    after = files(store_dir)
    touched = f"PE/values/year=2014/indicator_id={data['stunting'].id}/part-0.parquet"
    assert summary.written == 1
    assert set(after) == set(before)
    assert [path for path in after if after[path] != before[path]] == [touched]
    rows = analytics.indicator_by_location_year("stunting", years=[2014], country="PE")
    assert {r["location_code"]: r["value"] for r in rows}["15"] == 12.25
    assert {
        (r["location_code"], r["year"]): r["value"]
        for r in analytics.indicator_by_location_year("stunting", country="PE")
    } == expected_department_values("stunting")


def test_values_removed_remove_their_partitions(data: dict[str, Any], store_dir: Path) -> None:
    analytics.refresh()
    DataValue.objects.filter(year=2012).delete()
    analytics.refresh(indicator_ids=[data["births"].id], years=[2012])
    assert not (store_dir / f"PE/values/year=2012/indicator_id={data['births'].id}").exists()
    assert (store_dir / f"PE/values/year=2012/indicator_id={data['stunting'].id}").exists()
    summary = analytics.refresh()
    assert summary.removed == 2
    assert not (store_dir / "PE/values/year=2012").exists()
    assert analytics.stored_years("stunting", country="PE") == [2014, 2016]


def test_values_changed_signal_refreshes_the_partitions(
    data: dict[str, Any], store_dir: Path
) -> None:
    analytics.refresh()
    analytics.connect_signals()  # connected by MonitoringConfig.ready; connecting again is a no-op
    DataValue.objects.filter(indicator=data["births"], year=2016).update(value=Decimal(1))
    receivers = values_changed.send(sender=DataValue, pairs={(data["births"].id, 2016)}, batch=None)
    assert sum(1 for receiver, _ in receivers if receiver is analytics.on_values_changed) == 1
    rows = analytics.indicator_by_location_year("births", years=[2016], country="PE")
    assert [(r["value"], r["places"]) for r in rows] == [(3.0, 3)]


def test_command(data: dict[str, Any], store_dir: Path, capsys: Any) -> None:
    call_command("analytics_refresh")
    assert "written" in capsys.readouterr().out
    assert len(files(store_dir)) == 9
    DataValue.objects.filter(indicator=data["coverage"], year=2016).delete()
    call_command("analytics_refresh", "--indicator", "coverage", "--year", "2016", "2014")
    assert len(files(store_dir)) == 8
    call_command("analytics_refresh", "--full")
    assert len(files(store_dir)) == 8
    with pytest.raises(CommandError, match="Unknown indicator: nope"):
        call_command("analytics_refresh", "--indicator", "nope")
    with pytest.raises(CommandError):
        call_command("analytics_refresh", "--full", "--year", "2016")
