"""The contract between readers (one per format) and the import pipeline.

A reader is registered under a format name (``csv``, ``xlsx``, ``dhis2-json``, ``dhis2-csv``,
``sdmx-csv``, ``sdmx-ml``) and, given a path and a ``Mapping``, yields ``ParsedValue`` items
one by one (streaming: never the whole file in memory), or ``RowError`` for a line it cannot
read at all. Readers only parse and translate external codes; they never touch the
database. Resolution (indicator, place, source, disaggregation), validation, writing,
idempotence, dry runs, atomic/best-effort modes and the batch record are the pipeline's job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ayni.core.imports import ImportRefused, RowError

__all__ = [
    "READERS",
    "ImportRefused",
    "Mapping",
    "ParsedValue",
    "Reader",
    "RowError",
    "reader",
]


@dataclass(slots=True)
class ParsedValue:
    """One observation as read from a file, before anything is looked up.

    ``indicator`` is an Ayni indicator code unless ``indicator_system`` names another system
    (``sdmx_unicef``, ``dhis2``, ``national``), in which case it is that system's code and the
    pipeline looks it up in ``IndicatorCode``. ``location`` is a national location code (INEI
    UBIGEO in Peru) unless ``location_system`` is ``iso3166-2`` or another system the mapping
    names. ``period`` is as written in the file ("2014", "2014Q1", "201401", "2014-01"); the
    pipeline normalises it. ``dimensions`` maps Ayni dimension codes to Ayni value codes
    (readers apply the mapping's translations). Numbers stay strings until the pipeline
    parses them with Decimal, so the error report can quote exactly what was written.
    """

    line: int
    indicator: str
    location: str
    period: str
    value: str
    dimensions: dict[str, str] = field(default_factory=dict)
    source: str = ""
    lower: str = ""
    upper: str = ""
    numerator: str = ""
    denominator: str = ""
    flags: str = ""
    indicator_system: str = ""
    location_system: str = ""
    delete: bool = False  # DHIS2 "deleted": remove the stored value instead of writing it


@dataclass
class Mapping:
    """How a file's own codes and columns translate into Ayni's.

    Loaded from a JSON file given with ``--mapping`` (see docs/imports.md). Every key is
    optional; a reader uses only the parts that concern its format.
    """

    columns: dict[str, str] = field(default_factory=dict)  # Ayni field → column header
    indicators: dict[str, str] = field(default_factory=dict)  # external code → Ayni code
    locations: dict[str, str] = field(default_factory=dict)  # external code → Ayni code
    dimensions: dict[str, str] = field(default_factory=dict)  # external dim → Ayni dim code
    dimension_values: dict[str, dict[str, str]] = field(default_factory=dict)
    # DHIS2: category option combo UID → {Ayni dimension: value}; "" or {} for the total
    category_option_combos: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)  # e.g. {"source": "endes-2014"}
    sheet: str = ""  # XLSX sheet name (default: the first)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mapping:
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ImportRefused(
                f"mapping: unknown key(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(sorted(known))}"
            )
        return cls(**data)


Reader = Callable[[Path, Mapping], Iterator["ParsedValue | RowError"]]

READERS: dict[str, Reader] = {}


def reader(name: str) -> Callable[[Reader], Reader]:
    """Register a reader under a format name: ``@reader("dhis2-json")``."""

    def decorator(function: Reader) -> Reader:
        READERS[name] = function
        return function

    return decorator
