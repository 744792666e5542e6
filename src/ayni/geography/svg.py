"""Boundaries drawn as SVG paths on the server (equirectangular, scaled by the latitude).

Like the charts (``ayni.core.charts``), a map hands its template geometry as text made by
``plain_number``, so the active language cannot put a decimal comma into a path or a tile.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from ayni.core.charts import plain_number

LABEL_SIZE = 11  # the font size of the labels on shapes (ayni.css), in map units
DARK = {"q4", "q5"}  # classes dark enough to need a white label


@dataclass
class Shape:
    d: str
    label: str
    url: str
    focus: bool = False
    css: str = ""
    value: Any = None
    text: str = ""  # what is written on the shape: set by ``caption`` where it fits
    text_x: str = "0"
    text_y: str = "0"
    room: tuple[float, float] = (0.0, 0.0)  # width and height free around the text's point

    def caption(self, text: str) -> None:
        """Write ``text`` on the shape where it fits (about 0.6 em a character); a place too
        small for it keeps its name in the tooltip and the table."""
        width, height = self.room
        fits = len(text) * LABEL_SIZE * 0.6 + 4 <= width and height >= LABEL_SIZE + 2
        self.text = text if fits else ""

    @property
    def dark(self) -> bool:
        return self.focus or self.css in DARK


Point = tuple[float, float]


def _polygons(geometry: dict[str, Any]) -> list[Any]:
    coords = geometry["coordinates"]
    return [coords] if geometry["type"] == "Polygon" else coords


def draw(items: Iterable[tuple[dict[str, Any], str, str]], width: int = 360) -> dict[str, Any]:
    """``items`` are (geometry, label, url). Returns the viewBox and one path per item."""
    items = list(items)
    points = [
        p for geometry, _, _ in items for poly in _polygons(geometry) for ring in poly for p in ring
    ]
    if not points:
        return {}
    min_x = min(p[0] for p in points)
    max_x = max(p[0] for p in points)
    min_y = min(p[1] for p in points)
    max_y = max(p[1] for p in points)
    kx = math.cos(math.radians((min_y + max_y) / 2))
    span_x = max((max_x - min_x) * kx, 1e-9)
    span_y = max(max_y - min_y, 1e-9)
    scale = width / span_x
    height = max(math.ceil(span_y * scale), 1)

    def xy(p: list[float]) -> Point:
        return (p[0] - min_x) * kx * scale, (max_y - p[1]) * scale

    shapes = []
    for geometry, label, url in items:
        polygons = [[[xy(p) for p in ring] for ring in poly] for poly in _polygons(geometry)]
        d = "".join(
            "M" + "L".join(f"{plain_number(x, 1)},{plain_number(y, 1)}" for x, y in ring) + "Z"
            for poly in polygons
            for ring in poly
        )
        shape = Shape(d=d, label=label, url=url)
        (x, y), shape.room = _label_point(max(polygons, key=_area))
        shape.text_x, shape.text_y = plain_number(x, 1), plain_number(y + LABEL_SIZE * 0.35, 1)
        shape.caption(label)
        shapes.append(shape)
    return {**_frame(width, height), "shapes": shapes}


def _area(polygon: list[list[Point]]) -> float:
    ring = polygon[0]
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring)))


def _spans(polygon: list[list[Point]], at: float, axis: int) -> list[tuple[float, float]]:
    """Where the line ``axis`` = ``at`` (0: x, 1: y) crosses the inside of ``polygon`` (its
    holes left out, by the even-odd rule)."""
    other = 1 - axis
    crossings = sorted(
        a[other] + (at - a[axis]) * (b[other] - a[other]) / (b[axis] - a[axis])
        for ring in polygon
        for a, b in pairwise(ring)
        if (a[axis] <= at < b[axis]) or (b[axis] <= at < a[axis])
    )
    return list(zip(crossings[::2], crossings[1::2], strict=False))


def _around(spans: list[tuple[float, float]], at: float) -> tuple[float, float] | None:
    return next(((start, end) for start, end in spans if start <= at <= end), None)


def _label_point(polygon: list[list[Point]]) -> tuple[Point, tuple[float, float]]:
    """A point well inside ``polygon`` for its label, and the room there (width, height).

    Candidates: the middle of each stretch across the shape at a few heights, moved to the
    middle of the vertical stretch through it; the one with the most room for a label (about
    twice as wide as high) wins. A plain centroid can fall outside a curved place."""
    ys = [p[1] for p in polygon[0]]
    low, high = min(ys), max(ys)
    best: tuple[float, Point, tuple[float, float]] = (-1.0, (0.0, 0.0), (0.0, 0.0))
    for step in range(1, 10):
        y = low + (high - low) * step / 10
        for start, end in _spans(polygon, y, axis=1):
            x = (start + end) / 2
            vertical = _around(_spans(polygon, x, axis=0), y)
            if vertical is None:
                continue
            y = (vertical[0] + vertical[1]) / 2
            across = _around(_spans(polygon, y, axis=1), x)
            if across is None:
                continue
            room = (2 * min(x - across[0], across[1] - x), vertical[1] - vertical[0])
            score = min(room[0] / 2, room[1])
            if score > best[0]:
                best = (score, (x, y), room)
    if best[0] < 0:
        xs = [p[0] for p in polygon[0]]
        return ((min(xs) + max(xs)) / 2, (low + high) / 2), (0.0, 0.0)
    return best[1], best[2]


def _frame(width: int, height: int) -> dict[str, str]:
    """The size of a map as its template writes it: the viewBox, and the width it is drawn at
    at most (its natural size, so tiles and labels never grow past it)."""
    return {
        "viewbox": f"0 0 {plain_number(width)} {plain_number(height)}",
        "max_width": f"{plain_number(width)}px",
    }


TILE = 44


def tile_grid(
    locations: Iterable[Any], highlighted: set[int], cols: int = 7, rows: int = 9
) -> dict[str, Any]:
    """A tile map: each place a square placed from its centroid on a coarse grid, with
    collisions moved to the nearest free cell. Works before any boundary is imported."""
    places = [loc for loc in locations if loc.has_centroid]
    if not places:
        return {}
    lons = [float(p.longitude) for p in places]
    lats = [float(p.latitude) for p in places]
    min_lon, max_lon, min_lat, max_lat = min(lons), max(lons), min(lats), max(lats)
    taken: dict[tuple[int, int], Any] = {}
    # Place the places farthest from the centre first so the edges keep their shape.
    for place in sorted(places, key=lambda p: float(p.latitude), reverse=True):
        col = round((float(place.longitude) - min_lon) / ((max_lon - min_lon) or 1) * (cols - 1))
        row = round((max_lat - float(place.latitude)) / ((max_lat - min_lat) or 1) * (rows - 1))
        cell = _nearest_free((col, row), taken, cols, rows)
        taken[cell] = place
    tiles = [
        {
            "x": plain_number(col * TILE),
            "y": plain_number(row * TILE),
            "width": plain_number(TILE - 2),
            "height": plain_number(TILE - 2),
            "cx": plain_number(col * TILE + (TILE - 2) / 2),
            "cy": plain_number(row * TILE + (TILE - 2) / 2 + 4),
            "label": short_name(place),
            "name": place.name,
            "url": place.get_absolute_url(),
            "focus": place.pk in highlighted,
            "code": place.code,
            "css": "",
            "value": None,
        }
        for (col, row), place in taken.items()
    ]
    return {**_frame(cols * TILE, rows * TILE), "tiles": tiles}


def short_name(place: Any) -> str:
    """What fits on a tile: the place's ISO 3166-2 subdivision code (APU, HUV, LAL: unique,
    where the first letters of the names are not: Huancavelica and Huánuco), else the first
    four letters of its name."""
    iso = getattr(place, "iso_code", "") or ""
    return iso.rpartition("-")[2] if "-" in iso else str(place.name)[:4]


def _nearest_free(
    cell: tuple[int, int], taken: dict[tuple[int, int], Any], cols: int, rows: int
) -> tuple[int, int]:
    col, row = cell
    for radius in range(max(cols, rows)):
        candidates = [
            (col + dc, row + dr)
            for dc in range(-radius, radius + 1)
            for dr in range(-radius, radius + 1)
            if max(abs(dc), abs(dr)) == radius
        ]
        candidates.sort(key=lambda c: (abs(c[0] - col) + abs(c[1] - row), c[1], c[0]))
        for candidate in candidates:
            if 0 <= candidate[0] < cols and 0 <= candidate[1] < rows and candidate not in taken:
                return candidate
    raise ValueError("more places than cells in the tile grid")


def department_map(
    departments: list[Any],
    highlighted: set[int],
    values: dict[str, Any] | None = None,
    worse_is_higher: bool = True,
) -> dict[str, Any]:
    """A choropleth of departments when every one has a boundary; a tile grid otherwise.

    With ``values`` (location code → number), places are coloured in five classes of equal
    count, darker = worse, and places without a value get the "no data" hatch."""
    classes, legend = _classes(values, worse_is_higher) if values is not None else ({}, [])
    if departments and all(d.boundary for d in departments):
        drawn = draw([(d.boundary, d.name, d.get_absolute_url()) for d in departments], width=420)
        for shape, department in zip(drawn["shapes"], departments, strict=True):
            shape.caption(short_name(department))
            shape.focus = department.pk in highlighted
            if values is not None:
                shape.css = classes.get(department.code, "nodata")
                shape.value = values.get(department.code)
        return {"kind": "choropleth", "legend": legend, **drawn}
    grid = tile_grid(departments, highlighted)
    for tile in grid.get("tiles", []):
        if values is not None:
            tile["css"] = classes.get(tile["code"], "nodata")
            tile["value"] = values.get(tile["code"])
    return {"kind": "tiles", "legend": legend, **grid}


def _classes(values: dict[str, Any], worse_is_higher: bool) -> tuple[dict[str, str], list[Any]]:
    """Five classes of (nearly) equal count, q5 = worst; the legend gives each class's range."""
    ranked = sorted(values.items(), key=lambda item: float(item[1]), reverse=not worse_is_higher)
    # ranked[0] is the best place, ranked[-1] the worst.
    classes: dict[str, str] = {}
    bins: dict[int, list[float]] = {}
    for index, (code, value) in enumerate(ranked):
        number = min(5, 1 + index * 5 // max(len(ranked), 1))
        classes[code] = f"q{number}"
        bins.setdefault(number, []).append(float(value))
    legend = [{"css": f"q{n}", "low": min(bins[n]), "high": max(bins[n])} for n in sorted(bins)]
    return classes, legend
