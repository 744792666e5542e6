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

Periods: yearly (``2014``), quarterly (``2014Q1``), monthly (``201401``), weekly (``2014W3``,
ISO weeks) and daily (``20140115``) periods are read with ``Period.from_dhis2`` and passed on
in Ayni's form (``2014-W03``); bi-weekly, six-monthly and financial-year periods are row
errors. Only the default ``idScheme`` (UIDs) is supported: a file exported with codes or names
is refused.

``deleted: true`` — or, as DHIS2 itself reads it, a value that is empty and has no comment —
asks the pipeline to remove the stored value (``ParsedValue.delete``). A zero is kept as a
zero: whether zero is significant is DHIS2 metadata the file does not carry.
"""

from __future__ import annotations

import csv
import io
import operator
import re
import sys
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import ijson
import orjson
from django.utils.translation import gettext as _

from ayni.core.imports import check_json_depth, check_size, without_nul
from ayni.core.periods import Period

from .base import BadPeriod, ImportRefused, Mapping, ParsedValue, RowError, period_code, reader

__all__ = ["CSV_COLUMNS", "read_dhis2_csv", "read_dhis2_json"]

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


def _text(value: Any) -> str:
    """A JSON scalar as the string written in the file (ijson gives numbers as Decimal)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


class _Translator:
    """DHIS2 data values → ``ParsedValue``, with the look-ups of a run cached.

    A file repeats a few data elements, periods and category option combos a million times:
    each is translated once. ``where`` names the position in messages ("line 7", "data value
    7") and is only formatted for a value that has an error. The dimension dictionaries of a
    combo are shared by every value that has it; nothing downstream changes them.
    """

    def __init__(self, mapping: Mapping, where: Callable[[int], str]) -> None:
        self.mapping = mapping
        self.where = where
        self.source = mapping.constants.get("source", "")
        # Keyed by the text as read (stripping is done once, on the first sight of it).
        # Good periods apart from bad ones, so that the usual value costs one look-up.
        self.periods: dict[str, str] = {}
        self.bad_periods: dict[str, BadPeriod] = {}
        self.org_units: dict[str, str] = {}
        self.combos: dict[tuple[str, str], dict[str, str] | None] = {}
        self.elements: dict[str, tuple[str, str]] = {}

    def _period(self, period: str) -> str | BadPeriod:
        """A period not seen yet, in Ayni's form (``Period.from_dhis2``), or why not; kept."""
        raw = period.strip()
        found = period_code(raw, Period.from_dhis2) if raw else BadPeriod(_("no period"))
        if isinstance(found, BadPeriod):
            self.bad_periods[period] = found
        else:
            self.periods[period] = found
        return found

    def error(self, line: int, field: str, message: str, item: str = "") -> RowError:
        return RowError(line, field, f"{self.where(line)}: {message}", item=item)

    def __call__(
        self,
        line: int,
        element: str,
        period: str,
        org_unit: str,
        combo: str,
        attribute: str,
        value: str,
        comment: str,
        deleted: str,
    ) -> ParsedValue | RowError:
        """One DHIS2 data value (its fields as text, as read) → a ParsedValue, or the first
        thing wrong with it."""
        translated = self.elements.get(element)
        if translated is None:
            uid = element.strip()
            if not uid:
                return self.error(line, "dataElement", _("no data element"))
            code = self.mapping.indicators.get(uid)
            translated = self.elements[element] = (code, "") if code else (uid, "dhis2")
        when = self.periods.get(period)
        if when is None:
            checked = self.bad_periods.get(period) or self._period(period)
            if isinstance(checked, BadPeriod):
                return self.error(line, "period", checked.message, item=period.strip())
            when = checked
        location = self.org_units.get(org_unit)
        if location is None:
            uid = org_unit.strip()
            if not uid:
                return self.error(line, "orgUnit", _("no organisation unit"))
            found = self.mapping.locations.get(uid)
            if not found:
                return self.error(
                    line,
                    "orgUnit",
                    _("organisation unit %(uid)s is not in the mapping's locations") % {"uid": uid},
                    item=uid,
                )
            location = self.org_units[org_unit] = found
        dimensions = self.combos.get((combo, attribute))
        if dimensions is None:
            combos = self.mapping.category_option_combos
            combo_uid, attribute_uid = combo.strip(), attribute.strip()
            if combo_uid and combo_uid not in combos:
                return self.error(
                    line,
                    "categoryOptionCombo",
                    _(
                        "category option combo %(uid)s is not in the mapping's "
                        "category_option_combos"
                    )
                    % {"uid": combo_uid},
                    item=combo_uid,
                )
            dimensions = dict(combos.get(combo_uid) or {}) if combo_uid else {}
            # An attribute option combo counts when the mapping lists it; Ayni has no
            # attribute dimension of its own.
            if attribute_uid and attribute_uid in combos:
                dimensions.update(combos[attribute_uid] or {})
            self.combos[(combo, attribute)] = dimensions

        value = value.strip()
        delete = bool(deleted) and deleted.strip().lower() == "true"
        if not value and not delete:
            if comment.strip():
                return self.error(line, "value", _("no value (a comment alone is not stored)"))
            # DHIS2 reads an empty value without a comment as "delete the stored value".
            delete = True
        # Positional: the order of ParsedValue's fields.
        return ParsedValue(
            line,
            translated[0],
            location,
            when,
            value,
            dimensions,
            self.source,
            "",
            "",
            "",
            "",
            "",
            translated[1],
            "",
            delete,
        )


def _json_error(path: Path, exc: Exception) -> ImportRefused:
    return ImportRefused(
        _("%(file)s: not valid JSON (%(error)s)")
        % {"file": path.name, "error": " ".join(str(exc).split())}
    )


def _values_come_last(path: Path) -> bool:
    """Whether the file ends with an array of objects closing the top-level object — the
    ``dataValues`` array, the only such member of a dataValueSet — so that no top-level
    field can follow it. DHIS2 writes its exports this way. Reads the last bytes only."""
    with path.open("rb") as handle:
        handle.seek(max(0, handle.seek(0, 2) - 4096))
        tail = handle.read().rstrip()
    if not tail.endswith(b"}"):
        return False
    tail = tail[:-1].rstrip()
    if not tail.endswith(b"]"):
        return False
    return tail[:-1].rstrip()[-1:] in {b"}", b"["}


def _scan_header(path: Path, *, whole: bool) -> dict[str, Any]:
    """Check the file is a JSON dataValueSet and collect its top-level fields.

    The top-level fields (period, orgUnit, idScheme …) may come before or after
    ``dataValues``; they must be known before any value is translated. With ``whole`` the
    pass reads the whole file (streaming, constant memory); otherwise it stops where the
    ``dataValues`` array starts, for a file whose array comes last (``_values_come_last``),
    and the values are then read in a single pass.
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
                    if not whole:
                        break
                elif "." not in prefix and prefix and event in {"string", "number", "boolean"}:
                    header[prefix] = value
        except ijson.JSONError as exc:
            raise _json_error(path, exc) from exc
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
    # Before any parser: ijson's work per value grows with its depth, orjson recurses.
    check_json_depth(path)
    single_pass = _values_come_last(path)
    header = _scan_header(path, whole=not single_pass)
    defaults = {key: _text(header[key]) for key in _DEFAULTS if key in header}
    default_at = [
        (_JSON_FIELDS.index(key), defaults[key])
        for key in ("period", "orgUnit", "attributeOptionCombo")
        if key in defaults
    ]
    translate = _Translator(mapping, lambda n: _("data value %(number)d") % {"number": n})
    number = 0
    for chunk in _value_fields(path, single_pass=single_pass):
        for fields in chunk:
            number += 1
            if fields is None:
                yield translate.error(number, "dataValues", _("not a JSON object"))
                continue
            # Top-level period, orgUnit and attributeOptionCombo stand in for a missing or
            # empty one. An explicit value, even empty, is the value's own.
            for position, default in default_at:
                if not fields[position] or fields[position].isspace():
                    fields[position] = default
            yield translate(number, *fields)


# --- the dataValues array, read in chunks ------------------------------------------------------

JSON_BLOCK = 64 * 1024  # bytes read at a time by the single pass: a few hundred values
JSON_MAX_CHUNK = 16 * 1024 * 1024  # a longer stretch without a cut point goes to ijson
_IJSON_CHUNK = 256  # values per chunk on the ijson path
_CUT = re.compile(rb"\s*,")


class _NotFast(Exception):
    """The single pass cannot go on; the values are read with ijson from the start."""


def _value_fields(path: Path, *, single_pass: bool) -> Iterator[list[list[str] | None]]:
    """The fields (``_JSON_FIELDS``, as text) of each item of ``dataValues``, in chunks;
    ``None`` for an item that is not an object.

    A file whose array comes last (``single_pass``) is read in blocks: each block is cut
    after an item (a ``}`` followed by a comma) and the stretch is parsed whole by orjson,
    about twice as fast as event-by-event parsing (small blocks: the values stay in the
    processor's cache). A cut is accepted only if the stretch
    parses as a list of complete values; since every stretch starts where the previous one
    ended, a ``},`` inside a text or a nested object cannot pass for a cut. Anything the
    single pass does not handle — no array start in the first block, a stretch that does not
    parse (bad JSON, or a cut that was not one), a stretch longer than ``JSON_MAX_CHUNK`` —
    hands over to ijson, which reads the file from the start, skips the items already
    given, and reports a JSON error with its position as before. A stretch whose fields hold
    JSON numbers is parsed again by ijson, which keeps their digits as written.
    """
    given = 0
    if single_pass:
        try:
            for fast in _single_pass(path):
                given += len(fast)
                yield fast
            return
        except _NotFast:
            pass
    with path.open("rb") as handle:
        items = ijson.items(handle, "dataValues.item")
        chunk: list[list[str] | None] = []
        try:
            for _skipped in islice(items, given):
                pass
            for item in items:
                chunk.append(_fields(item, _text))
                if len(chunk) == _IJSON_CHUNK:
                    yield chunk
                    chunk = []
        except ijson.JSONError as exc:
            # The values before the error are given, then the whole file is refused: the
            # pipeline's transaction undoes what they wrote.
            yield chunk
            raise _json_error(path, exc) from exc
        yield chunk


def _single_pass(path: Path) -> Iterator[list[list[str] | None]]:
    with path.open("rb") as handle:
        buffer = _after_array_start(handle.read(JSON_BLOCK))
        cuts = 0
        while True:
            more = handle.read(JSON_BLOCK)
            if more:
                since = len(buffer)
                buffer += more
                cut = _last_cut(buffer, since)
                if cut is None:
                    if len(buffer) > JSON_MAX_CHUNK:
                        raise _NotFast
                    continue
                stretch, buffer = buffer[:cut], buffer[cut + 1 :]
                cuts += 1
            else:
                # The end: "... } ] }" (``_values_come_last`` checked the closing brackets).
                stretch = buffer.rstrip()[:-1].rstrip()[:-1]
            chunk = _stretch_fields(stretch)
            if not more:
                if cuts and not chunk:
                    raise _NotFast  # "}, ]": a comma before the closing bracket
                yield chunk
                return
            yield chunk


def _after_array_start(block: bytes) -> bytes:
    """What follows the ``[`` that opens the top-level ``dataValues`` array in the file's
    first block — checked by parsing what comes before it as the start of an object."""
    for found in re.finditer(rb'"dataValues"\s*:\s*\[', block):
        try:
            head = orjson.loads(block[: found.end() - 1] + b"[]}")
        except orjson.JSONDecodeError:
            continue
        if isinstance(head, dict) and head.get("dataValues") == []:
            return block[found.end() :]
    raise _NotFast


def _last_cut(buffer: bytes, since: int) -> int | None:
    """The position of the comma after the last ``}`` that a comma follows, looking at the
    bytes from ``since - 1`` on (those before were searched already), if any."""
    end, start = len(buffer), max(0, since - 1)
    while (brace := buffer.rfind(b"}", start, end)) >= 0:
        if found := _CUT.match(buffer, brace + 1):
            return found.end() - 1
        end = brace
    return None


def _stretch_fields(stretch: bytes) -> list[list[str] | None]:
    try:
        items = orjson.loads(b"[" + stretch + b"]")
    except orjson.JSONDecodeError:
        raise _NotFast from None
    exact, names = _exact_text, _JSON_FIELDS
    try:
        return [
            [value if type(value) is str else exact(value) for value in map(item.get, names)]
            if type(item) is dict
            else None
            for item in items
        ]
    except _Inexact:
        # Valid JSON, so ijson parses it too, keeping the numbers' digits.
        again = ijson.items(io.BytesIO(b"[" + stretch + b"]"), "item")
        return [_fields(item, _text) for item in again]


class _Inexact(Exception):
    """A field holds a JSON number (or object or array): orjson does not keep its text."""


def _exact_text(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    raise _Inexact


def _fields(item: Any, text: Callable[[Any], str]) -> list[str] | None:
    if type(item) is not dict:
        return None
    return [value if type(value) is str else text(value) for value in map(item.get, _JSON_FIELDS)]


def _csv_layout(first_row: list[str]) -> tuple[dict[str, int], bool]:
    """Column positions, and whether the first row is a header (DHIS2 writes it optionally)."""
    names = [_CSV_ALIASES.get(cell.strip().lower(), cell.strip().lower()) for cell in first_row]
    if "dataelement" in names:
        return {name: index for index, name in enumerate(names) if name in CSV_COLUMNS}, True
    return {name: index for index, name in enumerate(CSV_COLUMNS)}, False


# The JSON fields in the order of the translator's arguments.
_JSON_FIELDS = (
    "dataElement",
    "period",
    "orgUnit",
    "categoryOptionCombo",
    "attributeOptionCombo",
    "value",
    "comment",
    "deleted",
)
# The CSV columns in the order of the translator's arguments: the same names in lower case.
_CSV_FIELDS = tuple(name.lower() for name in _JSON_FIELDS)


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
        rows = csv.reader(without_nul(handle, path.name))
        translate = _Translator(mapping, lambda n: _("line %(number)d") % {"number": n})
        layout: dict[str, int] | None = None
        positions: tuple[int, ...] = ()
        value_at = last = 0
        pick: Callable[[list[str]], tuple[str, ...]] = tuple
        line = 1  # the line the next record starts on
        try:
            for row in rows:
                start, line = line, rows.line_num + 1
                if not "".join(row).strip():
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
                    # Where each field of the translator is; -1 for a column the file lacks.
                    positions = tuple(layout.get(name, -1) for name in _CSV_FIELDS)
                    value_at = layout["value"]
                    last = max(positions)
                    if min(positions) >= 0:
                        pick = operator.itemgetter(*positions)
                    else:
                        last = sys.maxsize  # a column is missing: pick cell by cell
                    if is_header:
                        continue
                size = len(row)
                if size <= value_at:
                    # Without the value column an empty value would read as a deletion.
                    yield translate.error(
                        start,
                        "value",
                        _("%(count)d column(s), the value column is missing") % {"count": size},
                    )
                    continue
                if size > last:
                    yield translate(start, *pick(row))
                else:
                    yield translate(start, *[row[i] if 0 <= i < size else "" for i in positions])
        except csv.Error as exc:
            raise ImportRefused(
                _("%(file)s, line %(line)d: not valid CSV (%(error)s)")
                % {"file": path.name, "line": rows.line_num, "error": exc}
            ) from exc
        except UnicodeDecodeError as exc:
            raise ImportRefused(
                _("%(file)s: not UTF-8 text (%(error)s)") % {"file": path.name, "error": exc}
            ) from exc
