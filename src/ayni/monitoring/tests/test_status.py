from decimal import Decimal as D

from ayni.monitoring.status import (
    AT_RISK,
    NO_DATA,
    NO_TARGET,
    OFF_TRACK,
    ON_TRACK,
    indicator_status,
)


def _status(direction, value, year=2014):
    return indicator_status(
        direction=direction,
        value=value,
        year=year,
        baseline=(2012, D("20.0")),
        target=(2016, D("12.0")),
    )


def test_lower_is_better_on_track_when_at_or_below_the_line() -> None:
    # Expected in 2014: 20 + (12 − 20) × 2/4 = 16.
    assert _status("down", D("16.0")).code == ON_TRACK
    assert _status("down", D("15.0")).code == ON_TRACK
    assert _status("down", D("16.0")).expected == D("16.0")


def test_at_risk_when_half_the_expected_change_is_achieved() -> None:
    assert _status("down", D("18.0")).code == AT_RISK  # progress 2/4 = 0.5
    assert _status("down", D("18.5")).code == OFF_TRACK  # 1.5/4 < 0.5


def test_moving_the_wrong_way_is_off_track() -> None:
    assert _status("down", D("21.0")).code == OFF_TRACK


def test_higher_is_better_uses_the_same_rule() -> None:
    status = indicator_status(
        direction="up", value=D("80"), year=2014, baseline=(2012, D("70")), target=(2016, D("90"))
    )
    assert status.code == ON_TRACK
    assert (
        indicator_status(
            direction="up",
            value=D("74"),
            year=2014,
            baseline=(2012, D("70")),
            target=(2016, D("90")),
        ).code
        == OFF_TRACK
    )


def test_no_data_without_a_value_and_no_target_without_a_baseline_and_target() -> None:
    assert _status("down", None).code == NO_DATA
    assert (
        indicator_status(
            direction="down", value=D("1"), year=2014, baseline=None, target=(2016, D("1"))
        ).code
        == NO_TARGET
    )
    assert (
        indicator_status(
            direction="down", value=D("1"), year=2014, baseline=(2016, D("2")), target=None
        ).code
        == NO_TARGET
    )
    # A target dated no later than the baseline gives no line to compare with.
    assert (
        indicator_status(
            direction="down",
            value=D("1"),
            year=2014,
            baseline=(2016, D("2")),
            target=(2016, D("1")),
        ).code
        == NO_TARGET
    )


def test_after_the_target_year_the_target_itself_is_expected() -> None:
    assert _status("down", D("12.5"), year=2018).code == AT_RISK
    assert _status("down", D("11.9"), year=2018).code == ON_TRACK
