"""Chart geometry: the value axis of line charts, bar rows and their labels."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from ayni.core.charts import BAR_HEIGHT, LABEL_CHARS, BarChart, LineChart, Series, axis_steps, wrap


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
    # The label is centred on the last point: half of "2018" (about 14 px) must fit inside a
    # chart 330 px wide, the narrowest a phone gives it.
    assert last["x"] == dots_x(chart)[-1]
    assert (100 - float(last["x"].rstrip("%"))) / 100 * 330 >= 14
    dots = chart.lines[0]["dots"]
    assert [dot["value"] for dot in dots] == [Decimal("18.1"), Decimal("17.5"), Decimal("12.2")]
    assert all(0 < float(dot["cy"]) < chart.height - 24 for dot in dots)
    # 2011 → 2012 → 2018: two segments, x proportional to the years.
    assert [(s["x1"], s["x2"]) for s in chart.lines[0]["segments"]] == [
        ("7%", "19.43%"),
        ("19.43%", "94%"),
    ]


def dots_x(chart: LineChart) -> list[str]:
    return [dot["cx"] for dot in chart.lines[0]["dots"]]


def test_a_missing_value_breaks_the_line() -> None:
    chart = LineChart(
        title="t",
        unit="percent",
        years=[2012, 2013, 2014, 2015],
        series=[Series("x", [Decimal(3), None, Decimal(2), Decimal(1)], "a")],
    )
    assert len(chart.lines[0]["dots"]) == 3
    assert [s["x1"] for s in chart.lines[0]["segments"]] == [dots_x(chart)[1]]


def test_tick_labels_keep_the_decimals_of_the_step() -> None:
    chart = LineChart(
        title="t", unit="percent", years=[2014], series=[Series("x", [Decimal("12.2")], "a")]
    )
    html = render_to_string("core/line_chart.html", {"chart": chart})
    for label in ("2.5", "7.5", "12.5"):
        assert f">{label}</text>" in html


def test_long_tick_labels_sit_on_their_grid_lines_and_values_keep_the_chart_decimals() -> None:
    values = [Decimal(740_000), Decimal(869_305)]
    chart = LineChart(
        title="t", unit="number", years=[2012, 2016], series=[Series("x", values, "a")], places=0
    )
    assert [tick["label"] for tick in chart.ticks][-1] == 1_000_000
    top = chart.ticks[-1]
    assert float(top["label_y"]) < float(top["y"]) and float(top["label_y"]) >= 11
    with translation.override("en"):
        html = render_to_string("core/line_chart.html", {"chart": chart})
    assert f'<text x="0" y="{top["label_y"]}" class="tick">1,000,000</text>' in html
    assert ">869,305</td>" in html and "869,305.0" not in html


def test_bar_rows_stack_in_percent_of_the_width_under_their_label() -> None:
    chart = BarChart(
        title="t",
        unit="USD",
        categories=[
            "Protection of children and adolescents",
            "Policies, social investment and dissemination of knowledge",
        ],
        stacked=True,
        series=[
            Series("funded", [Decimal(25), Decimal(10)], "funded"),
            Series("gap", [Decimal(75), Decimal(30)], "gap"),
        ],
    )
    first, second = chart.rows
    assert [(b["x"], b["width"]) for b in first["bars"]] == [("0%", "25%"), ("25%", "75%")]
    assert [(b["x"], b["width"]) for b in second["bars"]] == [("0%", "10%"), ("10%", "30%")]
    assert [line["text"] for line in second["lines"]] == [
        "Policies, social investment and",
        "dissemination of knowledge",
    ]
    # Each bar starts below the last line of its label; the next row below the bar.
    for row in chart.rows:
        assert float(row["bars"][0]["y"]) > float(row["lines"][-1]["y"])
    assert float(second["lines"][0]["y"]) > float(first["bars"][0]["y"]) + BAR_HEIGHT
    assert float(chart.height) >= float(second["bars"][0]["y"]) + BAR_HEIGHT


@pytest.mark.parametrize(
    ("label", "lines"),
    [
        ("2012", ["2012"]),
        ("Child survival and development", ["Child survival and development"]),
        # 44 characters a line: 22 words of one letter, the rest cut with an ellipsis.
        ("a " * 50, ["a " * 21 + "a", "a " * 21 + "a…"]),
        ("x" * 50, ["x" * 43 + "…"]),
    ],
)
def test_long_labels_wrap_on_two_lines_at_most(label: str, lines: list[str]) -> None:
    assert LABEL_CHARS == 44
    assert wrap(label) == lines
