"""What the import tests share: a small catalogue of indicators and a way to write files."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ayni.geography.models import Country
from ayni.monitoring.imports import pipeline
from ayni.monitoring.imports.base import Mapping, ParsedValue, RowError, reader
from ayni.monitoring.models import (
    DataSource,
    Dimension,
    DimensionValue,
    Indicator,
    IndicatorCode,
)

HEADER = ["indicator", "location", "period", "value", "source", "dim:sex", "dim:area"]


def run_import(**options: Any) -> tuple[Any, pipeline.ValueImportResult]:
    """``pipeline.run_import`` into Peru unless the test names a country or a user: the test
    world loads two countries, and most import tests use Peru's place codes."""
    if options.get("country") is None and options.get("user") is None:
        options["country"] = Country.objects.get(iso2="PE")
    return pipeline.run_import(**options)


def make_catalogue() -> dict[str, Any]:
    """Two dimensions, a percent indicator disaggregated by both, a count without, a source."""
    sex, _ = Dimension.objects.get_or_create(
        code="sex", defaults={"name_es": "Sexo", "name_en": "Sex"}
    )
    area, _ = Dimension.objects.get_or_create(
        code="area", defaults={"name_es": "Área", "name_en": "Area"}
    )
    for dimension, codes in [(sex, ["F", "M"]), (area, ["urban", "rural"])]:
        for code in codes:
            DimensionValue.objects.get_or_create(
                dimension=dimension, code=code, defaults={"name_es": code, "name_en": code}
            )
    stunting = Indicator.objects.create(
        code="t-stunting",
        name_es="Desnutrición crónica (prueba)",
        name_en="Stunting (test)",
        unit=Indicator.Unit.PERCENT,
        direction=Indicator.Direction.LOWER_IS_BETTER,
    )
    stunting.dimensions.set([sex, area])
    births = Indicator.objects.create(
        code="t-births",
        name_es="Nacimientos (prueba)",
        name_en="Births (test)",
        unit=Indicator.Unit.NUMBER,
        direction=Indicator.Direction.HIGHER_IS_BETTER,
    )
    IndicatorCode.objects.create(
        indicator=stunting, system=IndicatorCode.System.SDMX_UNICEF, code="T_NT_ANT_HAZ"
    )
    source = DataSource.objects.create(
        code="t-endes-2014", kind=DataSource.Kind.SURVEY, name_es="ENDES 2014 (prueba)"
    )
    other = DataSource.objects.create(
        code="t-sien", kind=DataSource.Kind.ADMINISTRATIVE, name_es="SIEN (prueba)"
    )
    return {"stunting": stunting, "births": births, "source": source, "other": other}


def write_csv(
    path: Path, rows: list[list[Any]], header: list[str] | None = None, delimiter: str = ","
) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header or HEADER)
        writer.writerows(rows)
    return path


GOOD_ROWS = [
    ["t-stunting", "03", "2014", "38.5", "t-endes-2014", "", ""],
    ["t-stunting", "03", "2014", "39.1", "t-endes-2014", "F", ""],
    ["t-stunting", "03", "2014", "37.9", "t-endes-2014", "M", ""],
    ["t-stunting", "03", "2014", "44.0", "t-endes-2014", "", "rural"],
    ["t-births", "15", "2015Q2", "120", "t-sien", "", ""],
    ["t-births", "150101", "201503", "7", "t-sien", "", ""],
]


@reader("test-jsonl")
def read_test_jsonl(path: Path, mapping: Mapping) -> Iterator[ParsedValue | RowError]:
    """A test-only format: one JSON object of ParsedValue fields per line."""
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            data = json.loads(text)
            if "error" in data:
                yield RowError(number, "", data["error"])
            else:
                yield ParsedValue(line=number, **data)


def write_jsonl(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    return path
