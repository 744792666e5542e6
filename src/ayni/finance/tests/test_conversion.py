"""Conversion between currencies at the rate in force on a date, to the cent, half up."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ayni.finance.services import convert, exchange_rate_set

pytestmark = pytest.mark.django_db


def test_soles_convert_to_dollars_at_the_rate_in_force_that_day(rates) -> None:
    amount = convert(Decimal("100.00"), from_currency="PEN", to_currency="USD", on=date(2013, 6, 1))
    assert amount == Decimal("37.04")  # 100 / 2.70 = 37.037…


def test_a_rate_applies_from_its_own_date_on(rates) -> None:
    on_the_day = convert(
        Decimal("100.00"), from_currency="PEN", to_currency="USD", on=date(2014, 1, 1)
    )
    day_before = convert(
        Decimal("100.00"), from_currency="PEN", to_currency="USD", on=date(2013, 12, 31)
    )
    assert (on_the_day, day_before) == (Decimal("35.71"), Decimal("37.04"))


def test_conversion_between_two_non_dollar_currencies_goes_through_the_dollar(rates) -> None:
    amount = convert(Decimal("100.00"), from_currency="PEN", to_currency="CAD", on=date(2014, 6, 1))
    assert amount == Decimal("44.64")  # 100 / 2.80 × 1.25 = 44.642857…


def test_dollars_convert_to_euros_by_multiplying(rates) -> None:
    amount = convert(Decimal("10.00"), from_currency="USD", to_currency="EUR", on=date(2015, 1, 1))
    assert amount == Decimal("8.00")


def test_half_a_cent_rounds_up_not_to_even(rates) -> None:
    # 0.02 USD × 1.25 = 0.025 CAD: half up gives 0.03 (banker's rounding would give 0.02).
    amount = convert(Decimal("0.02"), from_currency="USD", to_currency="CAD", on=date(2014, 6, 1))
    assert amount == Decimal("0.03")


def test_the_same_currency_is_only_rounded_and_reads_no_rate(django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        amount = convert(
            Decimal("1.005"), from_currency="PEN", to_currency="PEN", on=date(2000, 1, 1)
        )
    assert amount == Decimal("1.01")


def test_a_missing_rate_is_refused_naming_the_currency_and_the_date(rates) -> None:
    with pytest.raises(ValidationError) as refused:
        convert(Decimal("1.00"), from_currency="PEN", to_currency="USD", on=date(2011, 12, 31))
    message = refused.value.message_dict["currency"][0]
    assert "PEN" in message
    assert "2011-12-31" in message


def test_a_float_amount_is_refused(rates) -> None:
    with pytest.raises(ValidationError) as refused:
        convert(0.1, from_currency="USD", to_currency="PEN", on=date(2013, 1, 1))  # type: ignore[arg-type]
    assert "amount" in refused.value.message_dict


def test_setting_a_rate_again_for_the_same_day_replaces_it(rates) -> None:
    exchange_rate_set(currency="pen", date=date(2012, 1, 1), units_per_usd=Decimal("2.5000"))
    amount = convert(Decimal("100.00"), from_currency="PEN", to_currency="USD", on=date(2012, 6, 1))
    assert amount == Decimal("40.00")


def test_a_rate_for_an_unknown_currency_is_refused_naming_the_currency() -> None:
    with pytest.raises(ValidationError) as refused:
        exchange_rate_set(currency="XYZ", date=date(2012, 1, 1), units_per_usd=Decimal("1"))
    assert "XYZ" in refused.value.message_dict["currency"][0]
