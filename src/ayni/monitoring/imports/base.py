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
from typing import Any, NamedTuple

from ayni.core.imports import ImportRefused, RowError
from ayni.core.periods import Period, PeriodError

__all__ = [
    "READERS",
    "BadPeriod",
    "ImportRefused",
    "Mapping",
    "ParsedValue",
    "Reader",
    "RowError",
    "period_code",
    "reader",
]


@dataclass(slots=True)
class ParsedValue:
    """One observation as read from a file, before anything is looked up.

    ``indicator`` is an Ayni indicator code unless ``indicator_system`` names another system
    (``sdmx_unicef``, ``dhis2``, ``national``), in which case it is that system's code and the
    pipeline looks it up in ``IndicatorCode``. ``location`` is a national location code (INEI
    UBIGEO in Peru) unless ``location_system`` is ``iso3166-2`` or another system the mapping
    names. ``period`` is in the template form (``Period.parse``: Ayni's own "2014", "2014Q1",
    "2014-01", "2014-W03", "2014-03-15", or a spelling it also reads); the pipeline
    normalises it. Readers of another system's spelling translate it to Ayni's own first
    (``period_code``). ``dimensions`` maps Ayni dimension codes to Ayni value codes
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
    # SDMX-ML: the data structure file given with the import (uploaded with it, or the
    # command's --structure). Never read from a mapping file: a path in a mapping would let
    # whoever uploads it make the server open any file.
    structure_file: Path | None = field(default=None, compare=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mapping:
        known = set(cls.__dataclass_fields__) - {"structure_file"}
        unknown = set(data) - known
        if unknown:
            raise ImportRefused(
                f"mapping: unknown key(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(sorted(known))}"
            )
        return cls(**data)


class BadPeriod(NamedTuple):
    """Why a reader refused a period text; kept in the reader's cache for every value that
    repeats the text."""

    message: str


def period_code(text: str, parse: Callable[[str], Period]) -> str | BadPeriod:
    """``text`` read by ``parse`` (``Period.from_dhis2``, ``Period.from_sdmx``) and written in
    Ayni's form (``Period.code``), or why it was refused. Readers call it once per distinct
    period text of a file and keep the answer."""
    try:
        return parse(text).code
    except PeriodError as exc:
        return BadPeriod(str(exc))


Reader = Callable[[Path, Mapping], Iterator["ParsedValue | RowError"]]

READERS: dict[str, Reader] = {}


def reader(name: str) -> Callable[[Reader], Reader]:
    """Register a reader under a format name: ``@reader("dhis2-json")``."""

    def decorator(function: Reader) -> Reader:
        READERS[name] = function
        return function

    return decorator
