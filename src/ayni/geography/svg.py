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
