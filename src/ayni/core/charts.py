"""Charts as declarative specs rendered to SVG on the server.

One spec serves the page, the PDF and the export: a chart knows its title, unit, source line
and data, and ``core/chart.html`` draws it with a "show as table" alternative. Geometry is
computed here in Python (no JavaScript); values are Decimal and only turned into coordinates.

Every coordinate and size a spec hands to a template is already text made by
``plain_number``: Django localizes numbers in templates (Spanish writes ``23,0``, which SVG
reads as two coordinates), strings it leaves alone, so no template can get geometry wrong.
Values people read (tick labels, titles, the table) stay numbers, formatted by the template
for the active language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


def plain_number(value: int | float | Decimal, places: int = 2) -> str:
    """A number as markup needs it, whatever the active language: SVG geometry, inline CSS,
    data attributes, URLs and JSON. Dot decimal, no grouping, at most ``places`` decimals
    and no trailing zeros (``23.0`` → ``23``, ``1234567.891`` → ``1234567.89``)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"not a number: {value!r}")
    if isinstance(value, int):
        return str(value)
    if not (value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)):
        raise ValueError(f"not a finite number: {value!r}")
    # Python's own formatting never follows a locale (only the "n" format would).
    text = f"{value:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


MAX_STEPS = 5
_STEP_FACTORS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))


def axis_steps(largest: Decimal) -> tuple[Decimal, int]:
    """A value axis from 0 to at least ``largest`` in at most ``MAX_STEPS`` round steps:
    ``(step, number of steps)``, the step 1, 2, 2.5 or 5 times a power of ten (29 → 10 × 3,
    12.2 → 2.5 × 5, 100 → 20 × 5, 0.37 → 0.1 × 4)."""
    if largest <= 0:
        return Decimal(1), 1
    exponent = (largest / MAX_STEPS).adjusted()
    while True:
        for factor in _STEP_FACTORS:
            step = factor.scaleb(exponent)
            steps = int((largest / step).to_integral_value(rounding="ROUND_CEILING"))
            if steps <= MAX_STEPS:
                return step, max(steps, 1)
        exponent += 1


# Charts have no viewBox: x is a percentage of the width the page gives them and y is in
# pixels, so the plot stretches from a 360-px phone to a desktop while the text keeps its size
# (a scaled viewBox turned 12-px labels into 6-px ones on a phone).
LINE_HEIGHT = 15  # a line of a category label
BAR_HEIGHT = 14
BAR_GAP = 3
ROW_GAP = 12
LABEL_CHARS = 44  # a label line that fits a 360-px phone at the chart's font size


def wrap(label: str, width: int = LABEL_CHARS, lines: int = 2) -> list[str]:
    """A label on at most ``lines`` lines of about ``width`` characters, broken between words;
    what does not fit ends with an ellipsis (the whole label is in the title and the table)."""
    out: list[str] = []
    rest = label.split()
    while rest and len(out) < lines:
        line = rest.pop(0)
        while rest and len(line) + 1 + len(rest[0]) <= width:
            line += " " + rest.pop(0)
        out.append(line)
    out = [line if len(line) <= width else line[: width - 1].rstrip() + "…" for line in out]
    if rest and not out[-1].endswith("…"):
        last = out[-1]
        out[-1] = (last if len(last) < width else last[: width - 1].rstrip()) + "…"
    return out


def _percent(value: Decimal | float) -> str:
    return plain_number(value, 2) + "%"


@dataclass
class Series:
    name: Any
    values: list[Any]  # Decimal, or None for a gap in a line chart
    css: str  # a class in ayni.css: funded, gap, planned, spent …


@dataclass
class BarChart:
    """Horizontal bars, one row per category under its label; ``stacked`` stacks the series
    in one bar, otherwise each series gets its own thin bar in the row."""

    title: Any
    unit: str
    categories: list[Any]
    series: list[Series]
    source: Any = ""
    stacked: bool = False
    illustrative: bool = False
    rows: list[dict[str, Any]] = field(default_factory=list, init=False)
    height: str = field(default="0", init=False)

    def __post_init__(self) -> None:
        self.layout()

    def _max(self) -> Decimal:
        if self.stacked:
            totals = [
                sum((s.values[i] for s in self.series), Decimal(0))
                for i in range(len(self.categories))
            ]
            return max(totals, default=Decimal(0))
        return max((v for s in self.series for v in s.values), default=Decimal(0))

    def layout(self) -> None:
        top = self._max() or Decimal(1)
        y = 0
        self.rows = []
        for index, category in enumerate(self.categories):
            lines = []
            for text in wrap(str(category)):
                y += LINE_HEIGHT
                lines.append({"text": text, "y": plain_number(y - 3)})
            y += BAR_GAP
            bars = []
            x = Decimal(0)
            for number, series in enumerate(self.series):
                value = series.values[index]
                length = (value / top * 100) if value > 0 else Decimal(0)
                bar_y = y if self.stacked else y + number * (BAR_HEIGHT + BAR_GAP)
                bars.append(
                    {
                        "x": _percent(x),
                        "y": plain_number(bar_y),
                        "width": _percent(length),
                        "height": plain_number(BAR_HEIGHT),
                        "css": series.css,
                        "name": series.name,
                        "value": value,
                    }
                )
                if self.stacked:
                    x += length
            per_row = 1 if self.stacked else max(len(self.series), 1)
            y += per_row * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
            self.rows.append({"label": category, "lines": lines, "bars": bars})
            y += ROW_GAP
        self.height = plain_number(max(y - ROW_GAP + 2, 1))

    @property
    def table(self) -> dict[str, Any]:
        return {
            "header": [s.name for s in self.series],
            "rows": [
                (category, [s.values[i] for s in self.series])
                for i, category in enumerate(self.categories)
            ],
        }


# Where the years of a line chart sit, in percent of its width: room for half a year's label
# on each side at phone width.
PLOT_LEFT = Decimal(7)
PLOT_RIGHT = Decimal(94)
MAX_YEAR_LABELS = 8


@dataclass
class LineChart:
    """Lines over time (years on x), with an optional dashed reference line from the
    baseline to the target; missing values leave gaps rather than inventing points. The value
    labels sit on their grid lines at the left, so the plot has the chart's whole width."""

    title: Any
    unit: str
    years: list[int]
    series: list[Series]
    source: Any = ""
    reference: tuple[tuple[int, Decimal], tuple[int, Decimal]] | None = None
    reference_name: Any = ""
    illustrative: bool = False
    height: int = 220
    places: int = 1  # decimals of the values in dot titles and the table
    lines: list[dict[str, Any]] = field(default_factory=list, init=False)
    axis: list[dict[str, Any]] = field(default_factory=list, init=False)
    ticks: list[dict[str, Any]] = field(default_factory=list, init=False)
    target_line: dict[str, Any] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        values = [v for s in self.series for v in s.values if v is not None]
        if self.reference:
            values += [self.reference[0][1], self.reference[1][1]]
        step, steps = axis_steps(max(values, default=Decimal(0)))
        top = step * steps
        places = max(0, -int(step.normalize().as_tuple().exponent))
        # Room above the top grid line for its label, below the plot for the years.
        bottom, upper = self.height - 26, 18
        years = self.years or [0]
        span = max(years[-1] - years[0], 1)

        def x(year: int) -> str:
            return _percent(PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * (year - years[0]) / span)

        def y(value: Decimal) -> str:
            return plain_number(bottom - (bottom - upper) * (value / top), 1)

        every = -(-len(years) // MAX_YEAR_LABELS)  # thin the labels of a long series
        self.axis = [
            {"x": x(year), "y": plain_number(self.height - 8), "label": year}
            for index, year in enumerate(years)
            if index % every == 0 or index == len(years) - 1
        ]
        self.ticks = []
        for k in range(steps + 1):
            grid = bottom - (bottom - upper) * Decimal(k) / steps
            self.ticks.append(
                {
                    "y": plain_number(grid, 1),
                    "label_y": plain_number(grid - 4, 1),
                    "label": step * k,
                    "places": places,
                }
            )
        for series in self.series:
            segments: list[dict[str, str]] = []
            dots = []
            previous: tuple[str, str] | None = None
            for year, value in zip(years, series.values, strict=False):
                if value is None:
                    previous = None
                    continue
                point = (x(year), y(value))
                if previous:
                    segments.append(
                        {"x1": previous[0], "y1": previous[1], "x2": point[0], "y2": point[1]}
                    )
                previous = point
                dots.append({"cx": point[0], "cy": point[1], "year": year, "value": value})
            self.lines.append(
                {"css": series.css, "name": series.name, "dots": dots, "segments": segments}
            )
        if self.reference:
            (y0, b), (y1, t) = self.reference
            self.target_line = {"x1": x(y0), "y1": y(b), "x2": x(y1), "y2": y(t)}

    @property
    def svg_height(self) -> str:
        return plain_number(self.height)

    @property
    def table(self) -> dict[str, Any]:
        return {
            "header": [s.name for s in self.series],
            "rows": [
                (year, [s.values[i] for s in self.series]) for i, year in enumerate(self.years)
            ],
        }
