from decimal import Decimal

import pytest

from ayni.demo.indicators import FACT_VALUES, load_demo_indicators
from ayni.geography.models import Country
from ayni.monitoring.models import DataValue, Indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return load_demo_indicators(Country.objects.get(iso2="PE"))


def test_cited_values_keep_their_source_and_are_not_illustrative(demo) -> None:
    value = DataValue.objects.get(
        indicator__code="stunting-u5",
        location__code="PE",
        period="2016",
        disaggregation="",
        source__code="elcomercio-endes-2016",
    )
    assert value.value == Decimal("13.1") and not value.is_illustrative
    assert "elcomercio.pe" in value.source.source
    cited = DataValue.objects.filter(is_illustrative=False).count()
    assert cited == len(FACT_VALUES)


def test_every_department_has_illustrative_values_for_each_year(demo) -> None:
    stunting = Indicator.objects.get(code="stunting-u5")
    totals = DataValue.objects.filter(indicator=stunting, disaggregation="", is_illustrative=True)
    assert totals.filter(location__level__depth=1).count() == 25 * 5
    assert not totals.filter(source__is_illustrative=False).exists()


def test_generation_is_reproducible(demo) -> None:
    first = list(
        DataValue.objects.filter(is_illustrative=True)
        .order_by("indicator__code", "location__code", "period", "disaggregation")
        .values_list("value")
    )
    DataValue.objects.all().delete()
    load_demo_indicators(Country.objects.get(iso2="PE"))
    again = list(
        DataValue.objects.filter(is_illustrative=True)
        .order_by("indicator__code", "location__code", "period", "disaggregation")
        .values_list("value")
    )
    assert first == again


def test_loading_again_keeps_existing_values(demo) -> None:
    count = DataValue.objects.count()
    assert load_demo_indicators(Country.objects.get(iso2="PE")).values == 0
    assert DataValue.objects.count() == count


def test_percent_values_stay_between_0_and_100(demo) -> None:
    percent = DataValue.objects.filter(indicator__unit="percent")
    assert not percent.filter(value__lt=0).exists()
    assert not percent.filter(value__gt=100).exists()


def test_an_indicator_without_a_cited_national_value_gets_an_illustrative_series(demo) -> None:
    national = DataValue.objects.filter(location__code="PE", disaggregation="")
    for code in ("neonatal-mortality", "birth-registration-u5", "ibe-schools-children"):
        values = national.filter(indicator__code=code)
        assert sorted(values.values_list("year", flat=True)) == list(range(2012, 2017)), code
        assert all(value.is_illustrative for value in values), code
    # A rate follows the trajectory from baseline to target; a count adds up the departments.
    neonatal = dict(
        national.filter(indicator__code="neonatal-mortality").values_list("year", "value")
    )
    assert neonatal[2012] == Decimal("12.5") and neonatal[2016] == Decimal("10.5")
    rural = DataValue.objects.get(
        indicator__code="neonatal-mortality", location__code="PE", year=2016,
        disaggregation="area=rural",
    )  # fmt: skip
    assert rural.value > neonatal[2016] and rural.is_illustrative
    ibe = DataValue.objects.filter(indicator__code="ibe-schools-children", disaggregation="")
    departments = sum(v.value for v in ibe.filter(year=2014, location__level__depth=1))
    assert ibe.get(year=2014, location__code="PE").value == departments
    # An indicator with cited national values gets no illustrative national value.
    stunting = national.filter(indicator__code="stunting-u5")
    assert not stunting.filter(is_illustrative=True).exists()
