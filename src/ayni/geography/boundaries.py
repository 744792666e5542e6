"""Import boundaries from a GeoJSON FeatureCollection onto existing locations.

The file is streamed feature by feature (ijson), never loaded whole. Each feature's code is
read from a named property and matched to a location of the chosen level. Features that share
a code (a province drawn in two parts) are merged into one MultiPolygon. Atomic mode (the
default) loads nothing if any feature is bad; best-effort mode loads the good ones and reports
each bad one with its position and reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

import ijson
from django.db import transaction

from ayni.core.imports import (
    ImportRefused,
    ImportResult,
    RowError,
    batch_succeeded,
    check_json_depth,
    check_size,
    import_batch,
)
from ayni.core.models import ImportBatch
from ayni.geography.models import AdminLevel, Country, Location

GEOMETRY_TYPES = {"Polygon", "MultiPolygon"}


@dataclass
class Feature:
    number: int  # 1-based position in the file
    properties: dict[str, Any]
    geometry: Any


def _iter_features(path: Path) -> Iterator[Feature]:
    """Yield features one at a time; refuse a file that is not a GeoJSON FeatureCollection."""
    root_type: str | None = None
    saw_features = False
    builder: Any = None
    number = 0
    first = True
    check_json_depth(path)  # before ijson, whose work per value grows with the depth
    with path.open("rb") as handle:
        try:
            for prefix, event, value in ijson.parse(handle, use_float=True):
                if first:
                    first = False
                    if event != "start_map":
                        raise ImportRefused(
                            f"{path.name}: not GeoJSON (the top level is not a JSON object)"
                        )
                if prefix == "type" and event == "string":
                    root_type = value
                elif prefix == "features" and event == "start_array":
                    saw_features = True
                elif prefix == "features.item" and event == "start_map":
                    builder = ijson.ObjectBuilder()
                    builder.event(event, value)
                elif builder is not None:
                    builder.event(event, value)
                    if prefix == "features.item" and event == "end_map":
                        number += 1
                        feature = builder.value
                        builder = None
                        if not isinstance(feature.get("properties"), dict):
                            feature["properties"] = {}
                        yield Feature(number, feature["properties"], feature.get("geometry"))
        except ijson.JSONError as exc:
            raise ImportRefused(f"{path.name}: not valid JSON ({exc})") from exc
    if first:
        raise ImportRefused(f"{path.name}: the file is empty")
    if root_type != "FeatureCollection" or not saw_features:
        found = f"type {root_type!r}" if root_type else "no 'type'"
        raise ImportRefused(
            f"{path.name}: not a GeoJSON FeatureCollection ({found}"
            f"{'' if saw_features else ', no features array'})"
        )


def _check_position(position: Any) -> bool:
    return (
        isinstance(position, list)
        and len(position) >= 2
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in position[:2])
        and -180 <= position[0] <= 180
        and -90 <= position[1] <= 90
    )


def _polygons(geometry: Any) -> list[Any]:
    """The polygons of a (Multi)Polygon, each checked; raises ValueError with the reason."""
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
        kind = geometry.get("type") if isinstance(geometry, dict) else geometry
        raise ValueError(f"geometry must be a Polygon or MultiPolygon, not {kind!r}")
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise ValueError("geometry has no coordinates")
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValueError("a polygon has no rings")
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                raise ValueError("a ring has fewer than 4 positions")
            if not all(_check_position(p) for p in ring):
                raise ValueError("a position is not [longitude, latitude] in WGS84 range")
    return polygons


def _normalise_code(raw: Any, level: AdminLevel) -> str:
    code = (
        str(int(raw)) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else str(raw)
    )
    code = code.strip()
    if level.code_length and code.isdigit() and len(code) < level.code_length:
        code = code.zfill(level.code_length)
    return code


def ring_centroid(polygons: list[Any]) -> tuple[float, float]:
    """Area-weighted centroid of the outer rings (shoelace formula), in lon/lat."""
    total = cx = cy = 0.0
    for polygon in polygons:
        ring = polygon[0]
        for (x0, y0, *_), (x1, y1, *_) in pairwise(ring):
            cross = x0 * y1 - x1 * y0
            total += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
    if abs(total) < 1e-12:
        xs = [p[0] for poly in polygons for p in poly[0]]
        ys = [p[1] for poly in polygons for p in poly[0]]
        return sum(xs) / len(xs), sum(ys) / len(ys)
    return cx / (3 * total), cy / (3 * total)


def resolve_level(country: Country, level: str) -> AdminLevel:
    try:
        return AdminLevel.objects.get(country=country, slug=level)
    except AdminLevel.DoesNotExist:
        known = ", ".join(country.levels.values_list("slug", flat=True)) or "none loaded"
        raise ImportRefused(
            f"unknown level {level!r} for {country.iso2}; known levels: {known}"
        ) from None


def import_boundaries(
    *,
    path: Path,
    country: Country,
    level: str,
    code_property: str,
    user: Any = None,
    dry_run: bool = False,
    atomic: bool = True,
) -> ImportResult:
    """Attach boundaries from ``path`` to the locations of ``level``; see the module doc."""
    path = Path(path)
    options = {"country": country.iso2, "level": level, "code_property": code_property}
    with import_batch(
        kind="geography.boundaries",
        path=path,
        user=user,
        dry_run=dry_run,
        atomic=atomic,
        options=options,
    ) as batch:
        # Refused inside the batch: every run is recorded, a refused one too.
        if not path.is_file():
            raise ImportRefused(f"{path}: no such file")
        if check_size(path) == 0:
            raise ImportRefused(f"{path.name}: the file is empty")
        admin_level = resolve_level(country, level)
        result = _import(
            path, admin_level, code_property, dry_run=dry_run, atomic=atomic, batch=batch
        )
    return result


def _import(
    path: Path,
    level: AdminLevel,
    code_property: str,
    *,
    dry_run: bool,
    atomic: bool,
    batch: ImportBatch,
) -> ImportResult:
    locations = {
        loc.code: loc for loc in Location.objects.filter(country=level.country, level=level)
    }
    result = ImportResult()
    geometries: dict[str, list[Any]] = {}
    for feature in _iter_features(path):
        if code_property not in feature.properties:
            result.errors.append(
                RowError(feature.number, code_property, "the feature has no such property")
            )
            continue
        code = _normalise_code(feature.properties[code_property], level)
        if code not in locations:
            result.errors.append(
                RowError(
                    feature.number,
                    code_property,
                    f"code {code!r} matches no {level.slug} of {level.country.iso2}",
                    item=code,
                )
            )
            continue
        try:
            polygons = _polygons(feature.geometry)
        except ValueError as exc:
            result.errors.append(RowError(feature.number, "geometry", str(exc), item=code))
            continue
        geometries.setdefault(code, []).extend(polygons)

    result.rejected = len(result.errors)
    if atomic and result.errors:
        shown = "; ".join(str(e) for e in result.errors[:10])
        more = f" (and {len(result.errors) - 10} more)" if len(result.errors) > 10 else ""
        raise ImportRefused(
            f"{path.name}: {len(result.errors)} feature(s) refused, nothing loaded: {shown}{more}"
        )
    if not geometries and not result.errors:
        raise ImportRefused(f"{path.name}: the FeatureCollection has no features")

    changed: list[Location] = []
    for code, polygons in geometries.items():
        location = locations[code]
        geometry = (
            {"type": "Polygon", "coordinates": polygons[0]}
            if len(polygons) == 1
            else {"type": "MultiPolygon", "coordinates": polygons}
        )
        if location.boundary == geometry:
            result.unchanged += 1
            continue
        if location.boundary is None:
            result.created += 1
        else:
            result.updated += 1
        location.boundary = geometry
        if not location.has_centroid:
            lon, lat = ring_centroid(polygons)
            location.longitude, location.latitude = _dec(lon), _dec(lat)
        changed.append(location)
    with transaction.atomic():
        if not dry_run:
            Location.objects.bulk_update(
                changed, ["boundary", "latitude", "longitude"], batch_size=200
            )
        # Recorded with the boundaries it wrote: both commit, or neither.
        batch.counts = result.counts()
        batch.errors = [error.as_dict() for error in result.errors]
        batch_succeeded(batch)
    return result


def _dec(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")
