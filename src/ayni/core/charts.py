"""Charts as declarative specs rendered to SVG on the server.

One spec serves the page, the PDF and the export: a chart knows its title, unit, source line
and data, and ``core/chart.html`` draws it with a "show as table" alternative. Geometry is
computed here in Python (no JavaScript); values are Decimal and only turned into coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

WIDTH = 640
LABEL_WIDTH = 190
BAR_HEIGHT = 22
GAP = 10
TOP = 8


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


@dataclass
class Series:
    name: Any
    values: list[Any]  # Decimal, or None for a gap in a line chart
    css: str  # a class in ayni.css: funded, gap, planned, spent …


@dataclass
class BarChart:
    """Horizontal bars, one row per category; ``stacked`` stacks the series in a row,
    otherwise each series gets its own thin bar inside the row."""

    title: Any
    unit: str
    categories: list[Any]
    series: list[Series]
    source: Any = ""
    stacked: bool = False
    illustrative: bool = False
    rows: list[dict[str, Any]] = field(default_factory=list, init=False)
    height: int = field(default=0, init=False)
    width: int = WIDTH

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
        plot = Decimal(self.width - LABEL_WIDTH - 10)
        per_series = 1 if self.stacked else max(len(self.series), 1)
        row_height = BAR_HEIGHT * per_series
        y = TOP
        self.rows = []
        for index, category in enumerate(self.categories):
            bars = []
            x = Decimal(LABEL_WIDTH)
            for number, series in enumerate(self.series):
                value = series.values[index]
                length = (value / top * plot) if value > 0 else Decimal(0)
                bar_y = y if self.stacked else y + number * BAR_HEIGHT
                bars.append(
                    {
                        "x": f"{x:.1f}",
                        "y": bar_y,
                        "w": f"{length:.1f}",
                        "h": BAR_HEIGHT - 4,
                        "css": series.css,
                        "name": series.name,
                        "value": value,
                    }
                )
                if self.stacked:
                    x += length
            self.rows.append(
                {
                    "label": category,
                    "y": y,
                    "label_y": y + row_height / 2 + 4,
                    "bars": bars,
                }
            )
            y += row_height + GAP
        self.height = y + TOP

    @property
    def table(self) -> dict[str, Any]:
        return {
            "header": [s.name for s in self.series],
            "rows": [
                (category, [s.values[i] for s in self.series])
                for i, category in enumerate(self.categories)
            ],
        }


@dataclass
class LineChart:
    """Lines over time (years on x), with an optional dashed reference line from the
    baseline to the target; missing values leave gaps rather than inventing points."""

    title: Any
    unit: str
    years: list[int]
    series: list[Series]
    source: Any = ""
    reference: tuple[tuple[int, Decimal], tuple[int, Decimal]] | None = None
    reference_name: Any = ""
    illustrative: bool = False
    width: int = WIDTH
    height: int = 240
    places: int = 1  # decimals of the values in dot titles and the table
    left: int = field(default=50, init=False)  # where the plot starts, after the tick labels
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
        # Room on the left for the longest tick label (about 7 units a character, grouping
        # included), and on the right for the last year's label, centred on the last point.
        longest = len(f"{top:,.{places}f}")
        self.left = left = max(50, 12 + 7 * longest)
        right, bottom, upper = self.width - 24, self.height - 24, 10
        years = self.years or [0]
        span = max(years[-1] - years[0], 1)

        def x(year: int) -> float:
            return left + (right - left) * (year - years[0]) / span

        def y(value: Decimal) -> float:
            return float(bottom - (bottom - upper) * (value / top))

        self.axis = [{"x": f"{x(year):.1f}", "label": year, "y": bottom + 16} for year in years]
        self.ticks = [
            {"y": f"{y(step * k):.1f}", "label": step * k, "places": places}
            for k in range(steps + 1)
        ]
        for series in self.series:
            segments: list[list[str]] = [[]]
            dots = []
            for year, value in zip(years, series.values, strict=False):
                if value is None:
                    segments.append([])
                    continue
                point = f"{x(year):.1f},{y(value):.1f}"
                segments[-1].append(point)
                dots.append(
                    {"cx": f"{x(year):.1f}", "cy": f"{y(value):.1f}", "year": year, "value": value}
                )
            self.lines.append(
                {
                    "css": series.css,
                    "name": series.name,
                    "dots": dots,
                    "paths": [" ".join(seg) for seg in segments if seg],
                }
            )
        if self.reference:
            (y0, b), (y1, t) = self.reference
            self.target_line = {
                "x1": f"{x(y0):.1f}",
                "y1": f"{y(b):.1f}",
                "x2": f"{x(y1):.1f}",
                "y2": f"{y(t):.1f}",
            }

    @property
    def table(self) -> dict[str, Any]:
        return {
            "header": [s.name for s in self.series],
            "rows": [
                (year, [s.values[i] for s in self.series]) for i, year in enumerate(self.years)
            ],
        }
