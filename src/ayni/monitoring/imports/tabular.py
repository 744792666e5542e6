"""Readers for tables of values: CSV and XLSX, in Ayni's template or mapped from another layout.

The template has a header row (case-insensitive) with ``indicator``, ``location``,
``period``, ``value`` and, optionally, ``source``, ``lower``, ``upper``, ``numerator``,
``denominator``, ``flags``, ``indicator_system``, ``location_system`` and one column per
disaggregation named ``dim:<dimension code>``. A ``Mapping`` renames columns
(``columns``: Ayni field → header), translates dimension values (``dimension_values``) and
fills fields the file does not have (``constants``). See docs/imports.md.

Both readers stream: CSV line by line, XLSX through openpyxl's read-only mode. Line numbers
are the file's own (the header is line 1; in XLSX, the row number).
"""

from __future__ import annotations

import csv
import re
import stat
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from django.conf import settings
from django.utils.translation import gettext as _

from ayni.core.imports import ImportRefused, RowError, nul_refused
from ayni.monitoring.imports.base import Mapping, ParsedValue, reader

REQUIRED = ("indicator", "location", "period", "value")
OPTIONAL = (
    "source",
    "lower",
    "upper",
    "numerator",
    "denominator",
    "flags",
    "indicator_system",
    "location_system",
)
DIM_PREFIX = "dim:"

# Zip bomb guards for XLSX: an XLSX is a zip of XML, which compresses well (10–30× is
# usual), but not a thousand-fold. Declared sizes are enforced when reading (zipfile stops
# at a member's declared size), so checking them before opening is enough. The sizes are
# settings (AYNI_XLSX_MAX_*, see settings.py): openpyxl holds every shared string in memory,
# so the shared strings part is bounded apart and scanned before openpyxl opens the file.
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_ABOVE = 1024 * 1024  # tiny members can have any ratio
XML_PROLOGUE_LIMIT = 64 * 1024
_ELEMENT_START = re.compile(rb"<[A-Za-z_]")
_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


SHOWN_COLUMNS = 20
SHOWN_COLUMN_CHARS = 40


def _shown(headers: list[str]) -> str:
    """The header's first column names, each cut short, for a refusal to quote."""
    names = [header.strip()[:SHOWN_COLUMN_CHARS] for header in headers if header.strip()]
    shown = ", ".join(names[:SHOWN_COLUMNS]) or "-"
    if len(names) > SHOWN_COLUMNS:
        shown += " " + _("… (%(count)s columns)") % {"count": len(names)}
    return shown


class Layout:
    """Where each Ayni field comes from: a column (by position) or a constant."""

    def __init__(self, headers: list[str], mapping: Mapping, file_name: str) -> None:
        limit = settings.AYNI_IMPORT_MAX_COLUMNS
        if len(headers) > limit:
            raise ImportRefused(
                _("%(file)s: the header has %(count)s columns; at most %(limit)s are read")
                % {"file": file_name, "count": len(headers), "limit": limit}
            )
        folded = [header.strip().casefold() for header in headers]
        position = {header: index for index, header in reversed(list(enumerate(folded)))}
        columns = {
            field.casefold(): header.strip().casefold() for field, header in mapping.columns.items()
        }
        constants = {key.casefold(): value for key, value in mapping.constants.items()}
        shown = _shown(headers)

        # One (column index or -1, constant) per field, in ParsedValue's order.
        self.fields: list[tuple[int, str]] = []
        for name in (*REQUIRED, *OPTIONAL):
            header = columns.get(name, name)
            if header in position:
                self.fields.append((position[header], constants.get(name, "")))
            elif name in columns:
                raise ImportRefused(
                    _(
                        "%(file)s: the mapping reads %(field)s from the column '%(column)s', "
                        "which is not in the file; columns found: %(found)s"
                    )
                    % {"file": file_name, "field": name, "column": header, "found": shown}
                )
            elif name in REQUIRED and name not in constants:
                raise ImportRefused(
                    _(
                        "%(file)s: no '%(column)s' column (and no constant for it in the "
                        "mapping); columns found: %(found)s"
                    )
                    % {"file": file_name, "column": name, "found": shown}
                )
            else:
                self.fields.append((-1, constants.get(name, "")))

        # Dimensions: "dim:<code>" headers, headers the mapping names for "dim:<code>", and
        # constants "dim:<code>". External dimension codes translate through mapping.dimensions.
        renamed = {header: field for field, header in columns.items()}
        self.dimensions: list[tuple[str, int, str]] = []
        taken: set[str] = set()
        for index, header in enumerate(folded):
            field = renamed.get(header, header)
            if field.startswith(DIM_PREFIX) and field not in taken:
                taken.add(field)
                self.dimensions.append((self._dimension(field, mapping), index, ""))
        for field, header in columns.items():
            if field.startswith(DIM_PREFIX) and header not in position:
                raise ImportRefused(
                    _(
                        "%(file)s: the mapping reads %(field)s from the column '%(column)s', "
                        "which is not in the file; columns found: %(found)s"
                    )
                    % {"file": file_name, "field": field, "column": header, "found": shown}
                )
        for field, value in constants.items():
            if field.startswith(DIM_PREFIX) and field not in taken:
                self.dimensions.append((self._dimension(field, mapping), -1, value))
        self.width = len(headers)
        self.translations = {
            dimension: (values, {k.strip().casefold(): v for k, v in values.items()})
            for dimension, values in mapping.dimension_values.items()
        }

    @staticmethod
    def _dimension(field: str, mapping: Mapping) -> str:
        code = field[len(DIM_PREFIX) :].strip()
        return mapping.dimensions.get(code, code)

    def build(self, line: int, cells: list[str]) -> ParsedValue | RowError:
        """The value of one line, from its cells as text (stripped here)."""
        if len(cells) > self.width and any(cells[self.width :]):
            return RowError(
                line,
                "",
                _("the line has %(found)s cells, the header %(expected)s")
                % {"found": len(cells), "expected": self.width},
            )
        count = len(cells)
        t = [
            (cells[index].strip() if 0 <= index < count else "") or constant
            for index, constant in self.fields
        ]
        dimensions: dict[str, str] = {}
        for dimension, index, constant in self.dimensions:
            text = (cells[index].strip() if 0 <= index < count else "") or constant
            if not text:
                continue  # an empty cell is the total for that dimension
            translation = self.translations.get(dimension)
            if translation is not None:
                exact, folded = translation
                text = exact.get(text) or folded.get(text.casefold()) or text
            dimensions[dimension] = text
        return ParsedValue(
            line,
            t[0],
            t[1],
            t[2],
            t[3],
            dimensions,
            t[4],
            t[5],
            t[6],
            t[7],
            t[8],
            t[9],
            t[10],
            t[11],
        )


# --- CSV -------------------------------------------------------------------------------------


def _decoded_lines(handle: Iterable[bytes], file_name: str) -> Iterator[str]:
    """Decode line by line so that a bad byte is refused with its line number."""
    for number, raw in enumerate(handle, start=1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise ImportRefused(
                _(
                    "%(file)s: line %(line)s is not UTF-8 (byte 0x%(byte)s at position "
                    "%(position)s); save the file as UTF-8 CSV"
                )
                % {
                    "file": file_name,
                    "line": number,
                    "byte": f"{raw[exc.start]:02x}",
                    "position": exc.start + 1,
                }
            ) from None
        if "\x00" in text:
            raise nul_refused(file_name, number)
        yield text


def _sniff_delimiter(header: str) -> str:
    # Spreadsheets set to Spanish save "CSV" with ";"; the header line decides (it has at
    # least three separators, and no decimal commas to confuse the count).
    return ";" if header.count(";") > header.count(",") else ","


@reader("csv")
def read_csv(path: Path, mapping: Mapping) -> Iterator[ParsedValue | RowError]:
    """Values from a CSV file (UTF-8, with or without BOM; ``,`` or ``;`` separated)."""
    name = path.name
    with path.open("rb") as handle:
        lines = _decoded_lines(handle, name)
        header_line = next(lines, None)
        if header_line is None or not header_line.strip():
            raise ImportRefused(_("%(file)s: the first line has no column names") % {"file": name})
        delimiter = _sniff_delimiter(header_line)

        def all_lines() -> Iterator[str]:
            yield header_line
            yield from lines

        rows = csv.reader(all_lines(), delimiter=delimiter)
        try:
            headers = next(rows)
            layout = Layout(headers, mapping, name)
            for cells in rows:
                if not "".join(cells).strip():
                    continue
                yield layout.build(rows.line_num, cells)
        except csv.Error as exc:
            raise ImportRefused(
                _("%(file)s: line %(line)s is not valid CSV: %(error)s")
                % {"file": name, "line": rows.line_num, "error": exc}
            ) from None


# --- XLSX ------------------------------------------------------------------------------------


def check_xlsx_archive(path: Path) -> None:
    """Refuse what is not an XLSX zip, a zip bomb, or XML declaring a DTD or entities.

    Runs before openpyxl sees the file.
    """
    name = path.name
    if not zipfile.is_zipfile(path):
        raise ImportRefused(
            _(
                "%(file)s: not an XLSX file (an .xls from Excel 97–2003, or a CSV? save it as "
                ".xlsx, or import it as csv)"
            )
            % {"file": name}
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_members(members, name)
            total = sum(member.file_size for member in members)
            expanded = settings.AYNI_XLSX_MAX_EXPANDED_BYTES
            if total > expanded:
                raise ImportRefused(
                    _("%(file)s: refused, it would expand to %(size)s bytes (at most %(max)s)")
                    % {"file": name, "size": f"{total:,}", "max": f"{expanded:,}"}
                )
            names = {member.filename for member in members}
            if "[Content_Types].xml" not in names:
                raise ImportRefused(
                    _("%(file)s: not an XLSX file (a zip archive without [Content_Types].xml)")
                    % {"file": name}
                )
            for member in members:
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > RATIO_CHECKED_ABOVE and ratio > MAX_COMPRESSION_RATIO:
                    raise ImportRefused(
                        _(
                            "%(file)s: refused, %(member)s is compressed %(ratio)s times "
                            "(a zip bomb?)"
                        )
                        % {"file": name, "member": member.filename, "ratio": int(ratio)}
                    )
            for member in members:
                if member.filename.endswith((".xml", ".rels")):
                    _check_prologue(archive, member, name)
            for member in _shared_strings_parts(archive, members):
                _check_shared_strings(archive, member, name)
    except zipfile.BadZipFile as exc:
        raise ImportRefused(
            _("%(file)s: not a valid XLSX file (%(error)s)") % {"file": name, "error": exc}
        ) from None


def _outside(member: zipfile.ZipInfo) -> bool:
    """Whether a part's name would lead out of the archive if it were extracted: an absolute
    path, a drive, a ``..`` step, a backslash, or a symbolic link. Nothing is extracted, but
    no spreadsheet program writes such a part: the file was made to try it."""
    name = member.filename
    link = stat.S_ISLNK(member.external_attr >> 16)
    return link or name.startswith("/") or "\\" in name or ":" in name or ".." in name.split("/")


def _check_members(members: list[zipfile.ZipInfo], file_name: str) -> None:
    limit = settings.AYNI_XLSX_MAX_PARTS
    if len(members) > limit:
        raise ImportRefused(
            _("%(file)s: refused, the archive holds %(count)s parts (at most %(max)s)")
            % {"file": file_name, "count": f"{len(members):,}", "max": f"{limit:,}"}
        )
    for member in members:
        if _outside(member):
            raise ImportRefused(
                _("%(file)s: refused, the part %(member)s is a link or a path out of the archive")
                % {"file": file_name, "member": member.filename}
            )


_SHARED_STRINGS_TYPE = "spreadsheetml.sharedStrings+xml"
_CONTENT_TYPES_LIMIT = 1024 * 1024


def _shared_strings_parts(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]
) -> list[zipfile.ZipInfo]:
    """The members openpyxl would read as shared strings: the usual name, and any part that
    [Content_Types].xml declares as such (a workbook may name it otherwise)."""
    wanted = {"xl/sharedstrings.xml"}
    types = archive.getinfo("[Content_Types].xml")
    if types.file_size <= _CONTENT_TYPES_LIMIT:
        try:
            # No DTD (``_check_prologue`` ran first), hence no entities to expand.
            root = ElementTree.fromstring(archive.read(types))  # noqa: S314
        except ElementTree.ParseError:
            root = None
        for element in root.iter() if root is not None else ():
            if element.get("ContentType", "").endswith(_SHARED_STRINGS_TYPE):
                wanted.add(element.get("PartName", "").lstrip("/").casefold())
    return [member for member in members if member.filename.casefold() in wanted]


def _check_shared_strings(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, file_name: str
) -> None:
    """Bound the shared strings before openpyxl loads them all: the part's size, the number
    of strings and the length of one, read as a stream (expat, elements cleared as read)."""
    limits = {
        "bytes": settings.AYNI_XLSX_MAX_SHARED_STRINGS_BYTES,
        "count": settings.AYNI_XLSX_MAX_SHARED_STRINGS,
        "length": settings.AYNI_XLSX_MAX_STRING_LENGTH,
    }
    where = {"file": file_name, "member": member.filename}
    if member.file_size > limits["bytes"]:
        raise ImportRefused(
            _("%(file)s: refused, %(member)s holds %(size)s bytes of text (at most %(max)s)")
            % {**where, "size": f"{member.file_size:,}", "max": f"{limits['bytes']:,}"}
        )
    count = length = 0
    with archive.open(member) as handle:
        try:
            root = None
            events = ElementTree.iterparse(handle, events=("start", "end"))  # noqa: S314 (no DTD)
            for event, element in events:
                if root is None:
                    root = element
                if event == "start":
                    continue
                tag = element.tag.rpartition("}")[2]
                if tag == "t":
                    length += len(element.text or "")
                    if length > limits["length"]:
                        raise ImportRefused(
                            _(
                                "%(file)s: refused, shared string %(number)s of %(member)s is "
                                "longer than %(max)s characters"
                            )
                            % {**where, "number": f"{count + 1:,}", "max": f"{limits['length']:,}"}
                        )
                elif tag == "si":
                    count += 1
                    length = 0
                    root.clear()  # the strings read so far: nothing is kept
                    if count > limits["count"]:
                        raise ImportRefused(
                            _("%(file)s: refused, %(member)s holds more than %(max)s texts")
                            % {**where, "max": f"{limits['count']:,}"}
                        )
        except ElementTree.ParseError as exc:
            raise ImportRefused(
                _("%(file)s: refused, %(member)s is not valid XML (%(error)s)")
                % {**where, "error": exc}
            ) from None


def _check_prologue(archive: zipfile.ZipFile, member: zipfile.ZipInfo, file_name: str) -> None:
    """A DTD can only come before the root element: read up to it and look for one."""
    seen = b""
    with archive.open(member) as handle:
        while len(seen) < XML_PROLOGUE_LIMIT:
            block = handle.read(4096)
            if not block:
                break
            seen += block
            if seen.startswith((b"\xff\xfe", b"\xfe\xff")) or _ELEMENT_START.search(seen):
                break
    if seen.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefused(
            _("%(file)s: refused, %(member)s is not UTF-8 XML")
            % {"file": file_name, "member": member.filename}
        )
    start = _ELEMENT_START.search(seen)
    prologue = seen[: start.start()] if start else seen
    if _DECLARATION.search(prologue):
        raise ImportRefused(
            _("%(file)s: refused, %(member)s declares a DTD or XML entities")
            % {"file": file_name, "member": member.filename}
        )
    if start is None and seen:
        raise ImportRefused(
            _("%(file)s: refused, %(member)s has no XML element in its first %(max)s bytes")
            % {"file": file_name, "member": member.filename, "max": f"{XML_PROLOGUE_LIMIT:,}"}
        )


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # 2014.0 → "2014", 1.0 → "1"
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else (value.isoformat())
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


@reader("xlsx")
def read_xlsx(path: Path, mapping: Mapping) -> Iterator[ParsedValue | RowError]:
    """Values from the first sheet (or ``mapping.sheet``) of an XLSX workbook.

    Cells holding formulas are refused: the value of a formula is whatever the program that
    last saved the file computed, and might not have been recomputed.
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    name = path.name
    check_xlsx_archive(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportRefused(
            _("%(file)s: not a valid XLSX file (%(error)s)") % {"file": name, "error": exc}
        ) from None
    try:
        if mapping.sheet:
            if mapping.sheet not in workbook.sheetnames:
                raise ImportRefused(
                    _("%(file)s: no sheet '%(sheet)s'; sheets: %(sheets)s")
                    % {
                        "file": name,
                        "sheet": mapping.sheet,
                        "sheets": ", ".join(workbook.sheetnames),
                    }
                )
            sheet = workbook[mapping.sheet]
        else:
            sheet = workbook.worksheets[0]
        layout: Layout | None = None
        for row in sheet.iter_rows():
            cells: list[str] = []
            line = 0
            for cell in row:
                if cell.value is None:
                    cells.append("")
                    continue
                line = cell.row
                if cell.data_type == "f" or not isinstance(
                    cell.value, (str, int, float, datetime, date, bool)
                ):
                    raise ImportRefused(
                        _(
                            "%(file)s: cell %(cell)s holds a formula; paste the values "
                            "instead (Paste special → Values)"
                        )
                        % {"file": name, "cell": cell.coordinate}
                    )
                cells.append(_cell_text(cell.value))
            if not any(cells):
                continue
            if layout is None:
                layout = Layout(cells, mapping, name)
                continue
            yield layout.build(line, cells)
        if layout is None:
            raise ImportRefused(_("%(file)s: the sheet is empty") % {"file": name})
    finally:
        workbook.close()
