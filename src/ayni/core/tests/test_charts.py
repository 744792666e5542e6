"""Chart geometry: the value axis of line charts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from ayni.core.charts import LineChart, Series, axis_steps


@pytest.mark.parametrize(
    ("largest", "step", "steps"),
    [
        ("29", "10", 3),
        ("33.4", "10", 4),
        ("12.2", "2.5", 5),
        ("100", "20", 5),
        ("0.37", "0.1", 4),
        ("7", "2", 4),
        ("5", "1", 5),
        ("47150000", "10000000", 5),
        ("0", "1", 1),
    ],
)
def test_the_value_axis_has_round_steps_reaching_the_largest_value(
    largest: str, step: str, steps: int
) -> None:
    assert axis_steps(Decimal(largest)) == (Decimal(step), steps)


def test_a_line_chart_has_round_ticks_and_room_for_the_last_year() -> None:
    chart = LineChart(
        title="t",
        unit="percent",
        years=[2011, 2012, 2018],
        series=[Series("national", [Decimal("18.1"), Decimal("17.5"), Decimal("12.2")], "a")],
    )
    assert [tick["label"] for tick in chart.ticks] == [0, 5, 10, 15, 20]
    assert {tick["places"] for tick in chart.ticks} == {0}
    last = chart.axis[-1]
    # The label is centred on the last point: half of "2018" must fit inside the chart.
    assert float(last["x"]) <= chart.width - 20
    dots = chart.lines[0]["dots"]
    assert [dot["value"] for dot in dots] == [Decimal("18.1"), Decimal("17.5"), Decimal("12.2")]
    assert all(0 < float(dot["cy"]) < chart.height - 24 for dot in dots)


def test_tick_labels_keep_the_decimals_of_the_step() -> None:
    chart = LineChart(
        title="t", unit="percent", years=[2014], series=[Series("x", [Decimal("12.2")], "a")]
    )
    html = render_to_string("core/line_chart.html", {"chart": chart})
    for label in ("2.5", "7.5", "12.5"):
        assert f">{label}</text>" in html


def test_long_tick_labels_move_the_plot_right_and_values_keep_the_chart_decimals() -> None:
    values = [Decimal(740_000), Decimal(869_305)]
    chart = LineChart(
        title="t", unit="number", years=[2012, 2016], series=[Series("x", values, "a")], places=0
    )
    assert [tick["label"] for tick in chart.ticks][-1] == 1_000_000
    # "1,000,000" right-aligned 6 units before the plot must start inside the picture.
    assert chart.left - 6 - 7 * len("1,000,000") >= 0
    assert float(chart.axis[0]["x"]) == chart.left
    with translation.override("en"):
        html = render_to_string("core/line_chart.html", {"chart": chart})
    assert f'x1="{chart.left}"' in html and f'x="{chart.left - 6}"' in html
    assert ">869,305</td>" in html and "869,305.0" not in html
