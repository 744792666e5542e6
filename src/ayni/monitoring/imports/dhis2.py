"""Readers for DHIS2 dataValueSets (JSON and CSV).

DHIS2 identifies everything by UID: a data element, an organisation unit, a category option
combo. The mapping says what each UID means in Ayni:

- ``indicators``: data element UID → Ayni indicator code. Without an entry the UID is passed
  on with ``indicator_system="dhis2"`` and the pipeline looks it up in ``IndicatorCode``.
- ``locations``: organisation unit UID → Ayni location code. Required: a UID means nothing to
  Ayni without it, so an unmapped organisation unit is a row error naming the UID.
- ``category_option_combos``: category option combo UID → ``{dimension: value}``; ``{}`` (or
  ``""``) for the total. An unmapped combo is a row error. A value without a combo is DHIS2's
  default combo, the total. An attribute option combo is merged in when the mapping lists it
  and ignored otherwise (Ayni has no attribute dimension of its own).
- ``constants["source"]``: the Ayni data source of every value (DHIS2 has no such notion).

Periods: yearly (``2014``), quarterly (``2014Q1``) and monthly (``201401``) periods are read;
weekly, daily, six-monthly and financial-year periods are row errors. Only the default
``idScheme`` (UIDs) is supported: a file exported with codes or names is refused.

``deleted: true`` — or, as DHIS2 itself reads it, a value that is empty and has no comment —
asks the pipeline to remove the stored value (``ParsedValue.delete``). A zero is kept as a
zero: whether zero is significant is DHIS2 metadata the file does not carry.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ijson
from django.utils.translation import gettext as _

from ayni.core.imports import check_size

from .base import ImportRefused, Mapping, ParsedValue, RowError, reader

__all__ = ["CSV_COLUMNS", "dhis2_period", "read_dhis2_csv", "read_dhis2_json"]

# The dxf2 dataValueSet CSV columns, in DHIS2's order (it reads them by position).
CSV_COLUMNS = (
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
    "deleted",
)
# Header spellings DHIS2 has used for the same column.
_CSV_ALIASES = {"timestamp": "lastupdated", "created": "lastupdated"}
_CSV_MIN_COLUMNS = 6  # up to and including "value"

# Top-level fields of a dataValueSet that apply to every data value lacking them.
_DEFAULTS = {"period", "orgUnit", "attributeOptionCombo", "dataSet"}
_ID_SCHEMES = {
    "idScheme",
    "dataElementIdScheme",
    "orgUnitIdScheme",
    "categoryOptionComboIdScheme",
    "dataSetIdScheme",
}

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})(0[1-9]|1[0-2])$")


def dhis2_period(period: str) -> str | None:
    """A DHIS2 period in Ayni's spelling ("2014", "2014Q1", "2014-01"), or None.

    None means a period type Ayni does not store (weekly, daily, six-monthly, financial
    years …) or something that is not a DHIS2 period at all.
    """
    period = period.strip()
    if _YEAR.match(period):
        return period
    if match := _QUARTER.match(period):
        return f"{match[1]}Q{match[2]}"
    if match := _MONTH.match(period):
        return f"{match[1]}-{match[2]}"
    return None


def _text(value: Any) -> str:
    """A JSON scalar as the string written in the file (ijson gives numbers as Decimal)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _truthy(value: Any) -> bool:
    return value is True or _text(value).lower() == "true"


def _translate(
    line: int, where: str, fields: dict[str, Any], mapping: Mapping
) -> ParsedValue | RowError:
    """One DHIS2 data value (JSON field names) → a ParsedValue, or the first thing wrong."""

    def error(field: str, message: str, item: str = "") -> RowError:
        return RowError(line, field, f"{where}: {message}", item=item)

    element = _text(fields.get("dataElement"))
    if not element:
        return error("dataElement", _("no data element"))
    raw_period = _text(fields.get("period"))
    if not raw_period:
        return error("period", _("no period"))
    period = dhis2_period(raw_period)
    if period is None:
        return error(
            "period",
            _(
                "period %(period)s: period type not supported "
                "(only yearly 2014, quarterly 2014Q1 and monthly 201401)"
            )
            % {"period": raw_period},
            item=raw_period,
        )
    org_unit = _text(fields.get("orgUnit"))
    if not org_unit:
        return error("orgUnit", _("no organisation unit"))
    location = mapping.locations.get(org_unit)
    if not location:
        return error(
            "orgUnit",
            _("organisation unit %(uid)s is not in the mapping's locations") % {"uid": org_unit},
            item=org_unit,
        )

    dimensions: dict[str, str] = {}
    combo = _text(fields.get("categoryOptionCombo"))
    if combo:
        if combo not in mapping.category_option_combos:
            return error(
                "categoryOptionCombo",
                _("category option combo %(uid)s is not in the mapping's category_option_combos")
                % {"uid": combo},
                item=combo,
            )
        dimensions.update(mapping.category_option_combos[combo] or {})
    attribute = _text(fields.get("attributeOptionCombo"))
    if attribute and attribute in mapping.category_option_combos:
        dimensions.update(mapping.category_option_combos[attribute] or {})

    value = _text(fields.get("value"))
    comment = _text(fields.get("comment"))
    delete = _truthy(fields.get("deleted"))
    if not value and not delete:
        if comment:
            return error("value", _("no value (a comment alone is not stored)"))
        # DHIS2 reads an empty value without a comment as "delete the stored value".
        delete = True

    if element in mapping.indicators:
        indicator, system = mapping.indicators[element], ""
    else:
        indicator, system = element, "dhis2"
    return ParsedValue(
        line=line,
        indicator=indicator,
        indicator_system=system,
        location=location,
        period=period,
        value=value,
        dimensions=dimensions,
        source=mapping.constants.get("source", ""),
        delete=delete,
    )


def _scan_header(path: Path) -> dict[str, Any]:
    """First pass: check the whole file is a JSON dataValueSet and collect its top-level fields.

    The top-level fields (period, orgUnit …) may come after ``dataValues`` in the file, so
    they are read before any value is translated. The pass streams (constant memory), and
    because it reads to the end, malformed JSON is refused before a single value is yielded.
    """
    header: dict[str, Any] = {}
    saw_values = False
    first = True
    with path.open("rb") as handle:
        try:
            for prefix, event, value in ijson.parse(handle):
                if first:
                    first = False
                    if event != "start_map":
                        raise ImportRefused(
                            _(
                                "%(file)s: not a DHIS2 dataValueSet "
                                "(the top level is not a JSON object)"
                            )
                            % {"file": path.name}
                        )
                if prefix == "dataValues" and event == "start_array":
                    saw_values = True
                elif "." not in prefix and prefix and event in {"string", "number", "boolean"}:
                    header[prefix] = value
        except ijson.JSONError as exc:
            raise ImportRefused(
                _("%(file)s: not valid JSON (%(error)s)")
                % {"file": path.name, "error": " ".join(str(exc).split())}
            ) from exc
    if first:
        raise ImportRefused(_("%(file)s: the file is empty") % {"file": path.name})
    if not saw_values:
        raise ImportRefused(
            _("%(file)s: not a DHIS2 dataValueSet (no dataValues array)") % {"file": path.name}
        )
    for key in _ID_SCHEMES & set(header):
        scheme = _text(header[key])
        if scheme.upper() != "UID":
            raise ImportRefused(
                _("%(file)s: %(key)s %(scheme)s is not supported yet; export with UIDs")
                % {"file": path.name, "key": key, "scheme": scheme}
            )
    return header


@reader("dhis2-json")
def read_dhis2_json(path: Path, mapping: Mapping) -> Iterator[ParsedValue | RowError]:
    """Stream a DHIS2 dataValueSet JSON file, one ``ParsedValue`` per data value.

    ``line`` is the 1-based position of the data value in the ``dataValues`` array (messages
    say "data value 17"). Top-level ``period``, ``orgUnit`` and ``attributeOptionCombo``
    apply to each data value that lacks them.
    """
    path = Path(path)
    if check_size(path) == 0:
        raise ImportRefused(_("%(file)s: the file is empty") % {"file": path.name})
    header = _scan_header(path)
    defaults = {key: header[key] for key in _DEFAULTS if key in header}
    with path.open("rb") as handle:
        for number, item in enumerate(ijson.items(handle, "dataValues.item"), start=1):
            where = _("data value %(number)d") % {"number": number}
            if not isinstance(item, dict):
                yield RowError(
                    number, "dataValues", _("%(where)s: not a JSON object") % {"where": where}
                )
                continue
            fields = {**defaults, **{k: v for k, v in item.items() if v not in (None, "")}}
            # An explicit value (even empty) is the value's own, not a default's.
            fields["value"] = item.get("value")
            fields["comment"] = item.get("comment")
            yield _translate(number, where, fields, mapping)


def _csv_layout(first_row: list[str]) -> tuple[dict[str, int], bool]:
    """Column positions, and whether the first row is a header (DHIS2 writes it optionally)."""
    names = [_CSV_ALIASES.get(cell.strip().lower(), cell.strip().lower()) for cell in first_row]
    if "dataelement" in names:
        return {name: index for index, name in enumerate(names) if name in CSV_COLUMNS}, True
    return {name: index for index, name in enumerate(CSV_COLUMNS)}, False


_CSV_TO_JSON = {
    "dataelement": "dataElement",
    "period": "period",
    "orgunit": "orgUnit",
    "categoryoptioncombo": "categoryOptionCombo",
    "attributeoptioncombo": "attributeOptionCombo",
    "value": "value",
    "comment": "comment",
    "deleted": "deleted",
}


@reader("dhis2-csv")
def read_dhis2_csv(path: Path, mapping: Mapping) -> Iterator[ParsedValue | RowError]:
    """Stream a DHIS2 dataValueSet CSV file (the dxf2 format), with or without a header row.

    Columns: dataelement, period, orgunit, categoryoptioncombo, attributeoptioncombo, value,
    storedby, lastupdated, comment, followup and optionally deleted. With a header the
    columns are found by name, without one by DHIS2's order. ``line`` is the file line.
    """
    path = Path(path)
    if check_size(path) == 0:
        raise ImportRefused(_("%(file)s: the file is empty") % {"file": path.name})
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = csv.reader(handle)
        layout: dict[str, int] | None = None
        line = 1  # the line the next record starts on
        try:
            for row in rows:
                start, line = line, rows.line_num + 1
                if not any(cell.strip() for cell in row):
                    continue
                if layout is None:
                    layout, is_header = _csv_layout(row)
                    missing = [c for c in CSV_COLUMNS[:_CSV_MIN_COLUMNS] if c not in layout]
                    if missing or len(row) < _CSV_MIN_COLUMNS:
                        raise ImportRefused(
                            _(
                                "%(file)s: not a DHIS2 dataValueSet CSV (expected the columns "
                                "%(columns)s)"
                            )
                            % {"file": path.name, "columns": ", ".join(CSV_COLUMNS)}
                        )
                    if is_header:
                        continue
                where = _("line %(number)d") % {"number": start}
                if len(row) <= layout["value"]:
                    # Without the value column an empty value would read as a deletion.
                    yield RowError(
                        start,
                        "value",
                        _("%(where)s: %(count)d column(s), the value column is missing")
                        % {"where": where, "count": len(row)},
                    )
                    continue
                fields = {
                    _CSV_TO_JSON[name]: row[index].strip()
                    for name, index in layout.items()
                    if name in _CSV_TO_JSON and index < len(row)
                }
                yield _translate(start, where, fields, mapping)
        except csv.Error as exc:
            raise ImportRefused(
                _("%(file)s, line %(line)d: not valid CSV (%(error)s)")
                % {"file": path.name, "line": rows.line_num, "error": exc}
            ) from exc
        except UnicodeDecodeError as exc:
            raise ImportRefused(
                _("%(file)s: not UTF-8 text (%(error)s)") % {"file": path.name, "error": exc}
            ) from exc
