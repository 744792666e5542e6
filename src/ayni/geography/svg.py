"""Boundaries drawn as SVG paths on the server (equirectangular, scaled by the latitude)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass
class Shape:
    d: str
    label: str
    url: str
    focus: bool = False
    css: str = ""
    value: Any = None


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
    height = max(int(span_y * scale), 1)

    def xy(p: list[float]) -> str:
        return f"{(p[0] - min_x) * kx * scale:.1f},{(max_y - p[1]) * scale:.1f}"

    shapes = []
    for geometry, label, url in items:
        parts = []
        for poly in _polygons(geometry):
            for ring in poly:
                parts.append("M" + "L".join(xy(p) for p in ring) + "Z")
        shapes.append(Shape(d="".join(parts), label=label, url=url))
    return {"width": width, "height": height, "shapes": shapes}


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
            "x": col * TILE,
            "y": row * TILE,
            "cx": col * TILE + TILE / 2,
            "cy": row * TILE + TILE / 2 + 4,
            "label": place.name[:4],
            "name": place.name,
            "url": place.get_absolute_url(),
            "focus": place.pk in highlighted,
            "code": place.code,
            "css": "",
            "value": None,
        }
        for (col, row), place in taken.items()
    ]
    return {"width": cols * TILE, "height": rows * TILE, "tiles": tiles, "size": TILE - 2}


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
