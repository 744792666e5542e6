"""Readers for SDMX data messages (SDMX-CSV and SDMX-ML), as UNICEF's data warehouse serves them.

Both readers turn an observation into a row of SDMX component codes (``REF_AREA``,
``INDICATOR``, ``SEX``, ``TIME_PERIOD``, ``OBS_VALUE``, ``OBS_STATUS`` …) and translate it the
same way:

- ``INDICATOR`` → the indicator, ``indicator_system="sdmx_unicef"`` unless
  ``mapping.indicators`` gives the Ayni code.
- ``REF_AREA`` → the location code, through ``mapping.locations`` (e.g. ``{"PER": "PE"}``).
  UNICEF's country codes are ISO 3166-1 alpha-3; Ayni's places are departments, provinces and
  districts, so a national value needs a national location whose code the mapping names.
- Dimensions (``SEX`` → ``sex``, ``RESIDENCE`` → ``area``, ``WEALTH_QUINTILE`` →
  ``wealth_quintile``, ``AGE`` → ``age`` by default; ``mapping.dimensions`` adds to or
  overrides these, and maps a dimension to ``""`` to ignore it) with their codes translated by
  ``mapping.dimension_values`` (keyed by the SDMX or the Ayni dimension). The totals ``_T``
  and ``_Z`` (not applicable) mean "no disaggregation on this dimension" and are dropped, as
  is a code the mapping translates to ``""``. Other dimensions are ignored.
- ``TIME_PERIOD`` → period, read with ``Period.from_sdmx``: years (``2014``, ``2014-A1``),
  quarters (``2014-Q1``), months (``2014-01``, ``2014-M01``), ISO weeks (``2014-W03``) and days
  (``2014-01-15``, ``2014-D015``), passed on in Ayni's form; half-years, date-times and ranges
  are row errors.
- ``OBS_VALUE`` → value (empty or ``NaN`` is a row error), ``LOWER_BOUND``/``UPPER_BOUND`` →
  bounds, ``OBS_STATUS`` → flags. ``DATA_SOURCE`` is not stored: the Ayni source of the whole
  file is ``mapping.constants["source"]``.
- An SDMX-CSV 2.0 ``ACTION`` of ``D`` asks the pipeline to delete the stored value.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree

from ayni.core.imports import check_size, without_nul
from ayni.core.periods import Period

from .base import BadPeriod, ImportRefused, Mapping, ParsedValue, RowError, period_code, reader

__all__ = [
    "DEFAULT_DIMENSIONS",
    "read_sdmx_csv",
    "read_sdmx_ml",
    "refuse_entity_declarations",
]

DEFAULT_DIMENSIONS = {
    "SEX": "sex",
    "RESIDENCE": "area",
    "WEALTH_QUINTILE": "wealth_quintile",
    "AGE": "age",
}
# SDMX codes that mean "not disaggregated on this dimension".
TOTAL_CODES = {"", "_T", "_Z"}
# How an SDMX-CSV file writes a missing observation.
MISSING_VALUES = {"", "nan", "na", "n/a", ".."}
REQUIRED_COLUMNS = ("INDICATOR", "REF_AREA", "TIME_PERIOD", "OBS_VALUE")
# Columns whose cells are numbers or periods: never split as "CODE: Label".
_UNLABELLED = {"TIME_PERIOD", "OBS_VALUE", "LOWER_BOUND", "UPPER_BOUND"}

DATA_MESSAGES = {
    "GenericData",
    "GenericTimeSeriesData",
    "StructureSpecificData",
    "StructureSpecificTimeSeriesData",
}


def _dimensions(mapping: Mapping) -> dict[str, str]:
    return {**DEFAULT_DIMENSIONS, **mapping.dimensions}


def _translate(
    line: int,
    where: str,
    row: dict[str, str],
    mapping: Mapping,
    dimensions: dict[str, str],
    periods: dict[str, str | BadPeriod],
) -> ParsedValue | RowError:
    """One observation as SDMX component codes → a ParsedValue, or the first thing wrong.

    ``periods`` is the file's cache of the periods seen so far."""

    def error(field: str, message: str, item: str = "") -> RowError:
        return RowError(line, field, f"{where}: {message}", item=item)

    indicator = row.get("INDICATOR", "").strip()
    if not indicator:
        return error("INDICATOR", _("no indicator"))
    area = row.get("REF_AREA", "").strip()
    if not area:
        return error("REF_AREA", _("no reference area"))
    raw_period = row.get("TIME_PERIOD", "").strip()
    if not raw_period:
        return error("TIME_PERIOD", _("no time period"))
    period = periods.get(raw_period)
    if period is None:
        period = periods[raw_period] = period_code(raw_period, Period.from_sdmx)
    if isinstance(period, BadPeriod):
        return error("TIME_PERIOD", period.message, item=raw_period)
    delete = row.get("ACTION", "").strip().upper() == "D"
    value = row.get("OBS_VALUE", "").strip()
    if value.lower() in MISSING_VALUES:
        if not delete:
            return error("OBS_VALUE", _("no observation value"), item=value)
        value = ""

    disaggregation: dict[str, str] = {}
    for sdmx_dimension, ayni_dimension in dimensions.items():
        code = row.get(sdmx_dimension, "").strip()
        if not ayni_dimension or code in TOTAL_CODES:
            continue
        translations = (
            mapping.dimension_values.get(sdmx_dimension)
            or mapping.dimension_values.get(ayni_dimension)
            or {}
        )
        translated = translations.get(code, code)
        if translated:
            disaggregation[ayni_dimension] = translated

    if indicator in mapping.indicators:
        indicator, system = mapping.indicators[indicator], ""
    else:
        system = "sdmx_unicef"
    lower = row.get("LOWER_BOUND", "").strip()
    upper = row.get("UPPER_BOUND", "").strip()
    return ParsedValue(
        line=line,
        indicator=indicator,
        indicator_system=system,
        location=mapping.locations.get(area, area),
        period=period,
        value=value,
        dimensions=disaggregation,
        source=mapping.constants.get("source", ""),
        lower="" if lower.lower() in MISSING_VALUES else lower,
        upper="" if upper.lower() in MISSING_VALUES else upper,
        flags=row.get("OBS_STATUS", "").strip(),
        delete=delete,
    )


def _csv_columns(header: list[str]) -> dict[str, tuple[int, bool]]:
    """Component code → (position, whether its cells are written "CODE: Label").

    UNICEF writes codes and labels either in separate columns (``REF_AREA,Geographic area``)
    or together (``REF_AREA:Geographic area`` with cells ``PER: Peru``); both are read.
    """
    columns: dict[str, tuple[int, bool]] = {}
    for index, cell in enumerate(header):
        code, colon, _label = cell.strip().partition(":")
        code = code.strip()
        if code and code not in columns:
            columns[code] = (index, bool(colon) and code not in _UNLABELLED)
    return columns


@reader("sdmx-csv")
def read_sdmx_csv(path: Path, mapping: Mapping) -> Iterator[ParsedValue | RowError]:
    """Stream an SDMX-CSV file (1.0 or 2.0, with or without labels), one value per row.

    This is the path for large files: rows are read one at a time. ``line`` is the file line.
    """
    path = Path(path)
    if check_size(path) == 0:
        raise ImportRefused(_("%(file)s: the file is empty") % {"file": path.name})
    dimensions = _dimensions(mapping)
    periods: dict[str, str | BadPeriod] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = csv.reader(without_nul(handle, path.name))
        columns: dict[str, tuple[int, bool]] | None = None
        line = 1  # the line the next record starts on
        try:
            for cells in rows:
                start, line = line, rows.line_num + 1
                if not any(cell.strip() for cell in cells):
                    continue
                if columns is None:
                    columns = _csv_columns(cells)
                    missing = [code for code in REQUIRED_COLUMNS if code not in columns]
                    if missing:
                        raise ImportRefused(
                            _("%(file)s: not SDMX-CSV: no column %(missing)s (found: %(found)s)")
                            % {
                                "file": path.name,
                                "missing": ", ".join(missing),
                                "found": ", ".join(cells[:12]),
                            }
                        )
                    continue
                row: dict[str, str] = {}
                for code, (index, labelled) in columns.items():
                    cell = cells[index] if index < len(cells) else ""
                    row[code] = cell.partition(":")[0] if labelled else cell
                where = _("line %(number)d") % {"number": start}
                yield _translate(start, where, row, mapping, dimensions, periods)
        except csv.Error as exc:
            raise ImportRefused(
                _("%(file)s, line %(line)d: not valid CSV (%(error)s)")
                % {"file": path.name, "line": rows.line_num, "error": exc}
            ) from exc
        except UnicodeDecodeError as exc:
            raise ImportRefused(
                _("%(file)s: not UTF-8 text (%(error)s)") % {"file": path.name, "error": exc}
            ) from exc
    if columns is None:
        raise ImportRefused(_("%(file)s: the file is empty") % {"file": path.name})


# What a DOCTYPE or entity declaration looks like in the encodings an XML file may use.
_DECLARATIONS = [
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
]
_CHUNK = 1 << 20


def refuse_entity_declarations(path: Path) -> None:
    """Refuse an XML file that declares a DOCTYPE or entities, before any parser sees it.

    SDMX messages never need a DTD. The libxml2 under lxml resolves internal entities but
    stops exponential expansion ("billion laughs") and does not fetch external entities in the
    versions Ayni depends on; refusing every declaration keeps that true whatever libxml2 is
    installed. The scan streams the file and costs one read of it.
    """
    overlap = max(len(marker) for marker in _DECLARATIONS) - 1
    offset = 0
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            window = tail + chunk
            for marker in _DECLARATIONS:
                found = window.find(marker)
                if found >= 0:
                    raise ImportRefused(
                        _(
                            "%(file)s: XML entity declarations are refused "
                            "(a DOCTYPE or ENTITY declaration at byte %(offset)d)"
                        )
                        % {"file": path.name, "offset": offset - len(tail) + found}
                    )
            tail = window[-overlap:]
            offset += len(chunk)


def _root_name(path: Path) -> str:
    """The local name of the root element, read without loading the file."""
    try:
        with path.open("rb") as handle:
            for _event, element in etree.iterparse(
                handle, events=("start",), resolve_entities=False, no_network=True, load_dtd=False
            ):
                # "{namespace}GenericData" → "GenericData"; an unbound prefix stays visible.
                return str(element.tag).rpartition("}")[2]
    except etree.XMLSyntaxError as exc:
        raise ImportRefused(
            _("%(file)s: not valid XML (%(error)s)") % {"file": path.name, "error": exc}
        ) from exc
    raise ImportRefused(_("%(file)s: the file is empty") % {"file": path.name})


def _read_message(path: Path, structure: Any = None) -> Any:
    """Read an SDMX-ML message with sdmx1, turning its failures into a refusal.

    sdmx1 prints a dump of its parser state to stdout when a message fails to parse; the
    dump is swallowed so that a web request or a command's output stays clean, and the error
    itself is reported in the refusal.
    """
    import sdmx  # imported here: it is slow to import and only this reader needs it

    kwargs = {"structure": structure} if structure is not None else {}
    try:
        with path.open("rb") as handle, contextlib.redirect_stdout(io.StringIO()):
            return sdmx.read_sdmx(handle, format="XML", **kwargs)
    except Exception as exc:
        cause = exc.__cause__ or exc
        raise ImportRefused(
            _("%(file)s: not a readable SDMX-ML message (%(error)s)")
            % {"file": path.name, "error": f"{type(cause).__name__}: {cause}"[:500]}
        ) from exc


def stored_structures() -> dict[str, Path]:
    """The structure files the server keeps (``AYNI_SDMX_STRUCTURES_DIR``), by file name."""
    folder = Path(settings.AYNI_SDMX_STRUCTURES_DIR)
    if not folder.is_dir():
        return {}
    return {
        entry.name: Path(entry.path)
        for entry in os.scandir(folder)
        if entry.name.lower().endswith(".xml") and entry.is_file()
    }


def stored_structure(name: str, file_name: str) -> Path:
    """The server's structure file called ``name``, looked up among the folder's entries.

    ``name`` comes from a mapping, that is from whoever uploads it: it is only compared with
    the names the server lists, never joined to a folder nor opened, so a path (``/etc/passwd``,
    ``../settings.py``) is refused with the same message whether or not such a file exists.
    """
    known = stored_structures()
    if name in known:
        return known[name]
    raise ImportRefused(
        _(
            "%(file)s: constants.structure names no structure kept by the server (known: "
            "%(known)s); upload the structure file with the import instead"
        )
        % {"file": file_name, "known": ", ".join(sorted(known)) or _("none")}
    )


def _load_structure(path: Path, mapping: Mapping, data_file: Path) -> Any:
    """The data structure definition in ``path``: the file uploaded with the import or given
    to the command, or one of the server's (``stored_structure``)."""
    if not path.is_file():
        raise ImportRefused(
            _("%(file)s: the structure file %(structure)s does not exist")
            % {"file": data_file.name, "structure": path.name}
        )
    check_size(path)
    refuse_entity_declarations(path)
    message = _read_message(path)
    structures = getattr(message, "structure", None)
    if not structures:
        raise ImportRefused(
            _("%(structure)s: holds no data structure definition") % {"structure": path.name}
        )
    wanted = mapping.constants.get("structure_id", "")
    if wanted:
        if wanted not in structures:
            raise ImportRefused(
                _("%(structure)s: no data structure %(id)s (found: %(found)s)")
                % {"structure": path.name, "id": wanted, "found": ", ".join(structures)}
            )
        return structures[wanted]
    if len(structures) > 1:
        raise ImportRefused(
            _(
                "%(structure)s: holds several data structures (%(found)s); "
                "name one as constants.structure_id"
            )
            % {"structure": path.name, "found": ", ".join(structures)}
        )
    return next(iter(structures.values()))


def _code(value: Any) -> str:
    """A dimension or attribute value as its code (sdmx1 gives a Code when it knows the list)."""
    value = getattr(value, "value", value)
    code = getattr(value, "id", None)
    return str(code if code is not None else value if value is not None else "")


@reader("sdmx-ml")
def read_sdmx_ml(path: Path, mapping: Mapping) -> Iterator[ParsedValue | RowError]:
    """Read an SDMX-ML 2.1 data message (generic or structure-specific), one value per
    observation; ``line`` is the observation's 1-based position in the message.

    A structure-specific message cannot be read without its data structure definition
    (e.g. ``dataflow/UNICEF/CME/1.0?references=all``): uploaded with the import
    (``mapping.structure_file``), or one of the server's structures named by file name in
    ``constants["structure"]``. Limitation: sdmx1 builds the whole message in memory before
    the first observation comes out, so this reader is for moderate files (the import size
    limit applies); SDMX-CSV is the streaming path for large ones. A file that declares a
    DOCTYPE or entities is refused before it is parsed.
    """
    path = Path(path)
    if check_size(path) == 0:
        raise ImportRefused(_("%(file)s: the file is empty") % {"file": path.name})
    refuse_entity_declarations(path)
    root = _root_name(path)
    if root not in DATA_MESSAGES:
        raise ImportRefused(
            _("%(file)s: not an SDMX-ML data message (the root element is %(root)s)")
            % {"file": path.name, "root": root}
        )
    structure = None
    if mapping.structure_file is not None:
        structure = _load_structure(mapping.structure_file, mapping, path)
    elif name := mapping.constants.get("structure", ""):
        structure = _load_structure(stored_structure(name, path.name), mapping, path)
    elif root.startswith("StructureSpecific"):
        raise ImportRefused(
            _(
                "%(file)s: a structure-specific SDMX-ML message needs its data structure "
                "definition: upload the structure file with the import, or name one of the "
                "server's structures as constants.structure in the mapping"
            )
            % {"file": path.name}
        )
    message = _read_message(path, structure)
    dimensions = _dimensions(mapping)
    periods: dict[str, str | BadPeriod] = {}
    number = 0
    for dataset in getattr(message, "data", []):
        dataset_attributes = {k: _code(v) for k, v in dataset.attrib.items()}
        for observation in dataset.obs:
            number += 1
            row = dict(dataset_attributes)
            if observation.series_key is not None:
                row.update({k: _code(v) for k, v in observation.series_key.attrib.items()})
            row.update({k: _code(v) for k, v in observation.attached_attribute.items()})
            row.update({k: _code(v) for k, v in observation.key.values.items()})
            row["OBS_VALUE"] = "" if observation.value is None else str(observation.value)
            where = _("observation %(number)d") % {"number": number}
            yield _translate(number, where, row, mapping, dimensions, periods)
