"""Import data values from a file in any registered format: the one pipeline.

``run_import`` checks the file's size, picks the reader for the format, records an
``ImportBatch``, and streams the reader's values in chunks: each value is resolved and checked
(``resolve.py``), compared with what is stored and written (``write.py``). The whole run is one
transaction. Atomic mode refuses the file if any line is bad (nothing written); best-effort
mode writes the good lines and reports the bad ones. A dry run does all of it but the writes.
Re-importing a file reports every value unchanged.
"""

from __future__ import annotations

import csv
import dataclasses
import gc
import importlib
import io
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ayni.core.database import copy_supported
from ayni.core.imports import (
    ImportRefused,
    ImportResult,
    RowError,
    batch_succeeded,
    check_json_depth,
    check_size,
    import_batch,
)
from ayni.core.models import ImportBatch, Job
from ayni.core.tables import safe_cell
from ayni.geography.models import Country
from ayni.geography.selectors import CountryNotChosen, country_named
from ayni.monitoring.imports.base import READERS, Mapping, ParsedValue
from ayni.monitoring.imports.resolve import Resolver, Row, problem_errors
from ayni.monitoring.imports.write import (
    BackgroundCopy,
    StoredLookup,
    compare_and_write,
)
from ayni.monitoring.signals import values_written

__all__ = [
    "CHUNK_SIZE",
    "MAX_STORED_ERRORS",
    "ImportValuesRefused",
    "ValueImportResult",
    "error_report_csv",
    "format_error",
    "import_country",
    "known_formats",
    "load_mapping",
    "run_import",
    "write_error_report",
]

CHUNK_SIZE = 10_000
MAX_STORED_ERRORS = 10_000
MAX_MAPPING_BYTES = 1024 * 1024
READER_MODULES = (
    "ayni.monitoring.imports.tabular",
    "ayni.monitoring.imports.dhis2",
    "ayni.monitoring.imports.sdmx",
)


@dataclass
class ValueImportResult(ImportResult):
    """An import's counts: ``read = created + updated + unchanged + deleted + rejected``.

    ``rejected`` counts lines, ``error_count`` problems (a line can have several); ``errors``
    keeps the first ``MAX_STORED_ERRORS`` of them.
    """

    read: int = 0
    deleted: int = 0
    error_count: int = 0
    pairs: set[tuple[int, int]] = field(default_factory=set)  # (indicator id, year) written

    def counts(self) -> dict[str, int]:
        return {
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "rejected": self.rejected,
        }

    def reject(self, errors: list[RowError]) -> None:
        """Count one refused line with its problems."""
        self.rejected += 1
        self.error_count += len(errors)
        room = MAX_STORED_ERRORS - len(self.errors)
        if room > 0:
            self.errors.extend(errors[:room])

    def stored_errors(self) -> list[dict[str, Any]]:
        """The errors as stored on the batch, with a note of those left out."""
        stored = [error.as_dict() for error in self.errors]
        left_out = self.error_count - len(self.errors)
        if left_out > 0:
            stored.append(
                RowError(
                    None,
                    "",
                    ngettext(
                        "%(count)s more error not stored",
                        "%(count)s more errors not stored",
                        left_out,
                    )
                    % {"count": left_out},
                ).as_dict()
            )
        return stored


class ImportValuesRefused(ImportRefused):
    """The file is refused for its bad lines; ``batch`` and ``result`` say which and why."""

    batch: ImportBatch

    def __init__(self, message: str, batch: ImportBatch, result: ValueImportResult) -> None:
        super().__init__(message)
        self.batch = batch
        self.result = result


def format_error(error: RowError | dict[str, Any]) -> str:
    """``line 7, period: '2014-13' is not a month ...`` for a row error or its stored form."""
    data = error.as_dict() if isinstance(error, RowError) else error
    where = (
        _("line %(line)s") % {"line": data["line"]} if data.get("line") is not None else _("file")
    )
    return (
        f"{where}, {data['field']}: {data['message']}"
        if data.get("field")
        else (f"{where}: {data['message']}")
    )


def load_readers() -> None:
    """Import the reader modules, which register themselves in ``READERS``."""
    for module in READER_MODULES:
        importlib.import_module(module)


def known_formats() -> list[str]:
    """The format names ``run_import`` accepts."""
    load_readers()
    return sorted(READERS)


_MAPPING_TYPES: dict[str, str] = {
    "columns": "text",
    "indicators": "text",
    "locations": "text",
    "dimensions": "text",
    "constants": "text",
    "dimension_values": "object",
    "category_option_combos": "object-or-text",
}


def load_mapping(path: Path) -> Mapping:
    """Read a mapping JSON file (see docs/imports.md); refuse it naming the file and the
    position of a JSON error, or the key whose value has the wrong shape."""
    path = Path(path)
    name = path.name
    try:
        if path.stat().st_size > MAX_MAPPING_BYTES:
            raise ImportRefused(
                _("%(file)s: a mapping file is at most %(max)s bytes")
                % {"file": name, "max": f"{MAX_MAPPING_BYTES:,}"}
            )
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportRefused(_("%(file)s: no such file") % {"file": path}) from None
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            _("%(file)s: not UTF-8 text (byte %(position)s)")
            % {"file": name, "position": exc.start}
        ) from None
    check_json_depth(path)  # json.loads recurses: a deep file would exhaust the stack
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            _("%(file)s: not valid JSON at line %(line)s, column %(column)s: %(error)s")
            % {"file": name, "line": exc.lineno, "column": exc.colno, "error": exc.msg}
        ) from None
    if not isinstance(data, dict):
        raise ImportRefused(_("%(file)s: the mapping must be a JSON object") % {"file": name})
    for key, shape in _MAPPING_TYPES.items():
        if key not in data:
            continue
        value = data[key]
        ok = isinstance(value, dict) and all(isinstance(k, str) for k in value)
        if ok and shape == "text":
            ok = all(isinstance(v, str) for v in value.values())
        elif ok:
            ok = all(
                (isinstance(v, dict) and all(isinstance(x, str) for x in v.values()))
                or (shape == "object-or-text" and v == "")
                for v in value.values()
            )
        if not ok:
            expected = (
                _("an object of texts") if shape == "text" else _("an object of objects of texts")
            )
            raise ImportRefused(
                _("%(file)s: '%(key)s' must be %(expected)s")
                % {"file": name, "key": key, "expected": expected}
            )
    if "sheet" in data and not isinstance(data["sheet"], str):
        raise ImportRefused(_("%(file)s: 'sheet' must be a text") % {"file": name})
    try:
        return Mapping.from_dict(data)
    except ImportRefused as exc:
        raise ImportRefused(f"{name}: {exc}") from None


def import_country(user: Any) -> Country:
    """The country an import without an explicit one goes to: the user's office's country,
    else the only country loaded. Refused (``ImportRefused``) when neither decides."""
    office = getattr(user, "country_office", None)
    if office is not None:
        return office.country
    try:
        return country_named(None)
    except CountryNotChosen as exc:
        raise ImportRefused(
            _("%(reason)s: say which country the values are for (the office or the country)")
            % {"reason": exc}
        ) from None


def run_import(
    *,
    format: str,
    path: Path,
    user: Any = None,
    mapping: Mapping | None = None,
    mapping_file: Path | None = None,
    structure_file: Path | None = None,
    dry_run: bool = False,
    atomic: bool = True,
    progress: Callable[[int], None] | None = None,
    country: Country | None = None,
    chunk_size: int = CHUNK_SIZE,
    job: Job | None = None,
) -> tuple[ImportBatch, ValueImportResult]:
    """Import the data values of ``path``, read as ``format``; see the module docstring.

    ``country`` defaults to the user's office country, else the only country loaded (see
    ``import_country``); places are resolved among that country's only. The mapping is given
    as ``mapping``, or read from ``mapping_file`` (so that a bad mapping file is recorded on
    the run's batch); ``structure_file`` is an SDMX-ML structure for the mapping. ``progress``
    is called with the number of lines read after each chunk; ``job`` is the job running the
    import, recorded on the batch. Every run leaves a batch, refused or not. Raises
    ``ImportRefused`` (nothing written, ``batch`` set) for a file refused as a whole, and
    ``ImportValuesRefused`` (with the batch and every error) when an atomic run meets bad
    lines.
    """
    path = Path(path)
    with import_batch(
        kind=f"monitoring.{format}",
        path=path,
        user=user,
        dry_run=dry_run,
        atomic=atomic,
        options={"format": format},
        job=job,
    ) as batch:
        result = ValueImportResult()
        try:
            read, country, mapping = _prepare(
                format, path, user, country, mapping, mapping_file, structure_file
            )
            batch.options = _options(format, country, mapping)
            with _collection_paused(), transaction.atomic():
                # The COPY thread's last statement ends before the transaction commits.
                with _writer(dry_run) as writer:
                    _process(
                        read(path, mapping),
                        Resolver(country, mapping),
                        result,
                        batch_id=batch.pk,
                        dry_run=dry_run,
                        atomic=atomic,
                        chunk_size=chunk_size,
                        progress=progress,
                        writer=writer,
                    )
                if result.read == 0:
                    raise ImportRefused(_("%(file)s: no values found") % {"file": path.name})
                if atomic and result.rejected:
                    raise ImportValuesRefused(_refusal(path, result), batch, result)
                _close(batch, result, refused=False)
                if not dry_run:
                    # What the analytics store must absorb commits with the values; it is
                    # told after the commit, also when nothing changed (to catch up on a
                    # refresh that a stopped process left undone).
                    values_written(result.pairs, batch=batch)
                batch_succeeded(batch)
        except ImportRefused:
            _close(batch, result, refused=True)
            raise
        except DatabaseError as exc:
            _close(batch, result, refused=True)
            raise ImportRefused(
                _("%(file)s: the database refused the values, nothing written: %(error)s")
                % {"file": path.name, "error": exc}
            ) from exc
    return batch, result


def _prepare(
    format: str,
    path: Path,
    user: Any,
    country: Country | None,
    mapping: Mapping | None,
    mapping_file: Path | None,
    structure_file: Path | None,
) -> tuple[Callable[[Path, Mapping], Iterable[ParsedValue | RowError]], Country, Mapping]:
    """The reader, the country and the mapping of a run, or its refusal before any reading."""
    if not path.is_file():
        raise ImportRefused(_("%(file)s: no such file") % {"file": path})
    if check_size(path) == 0:
        raise ImportRefused(_("%(file)s: the file is empty") % {"file": path.name})
    load_readers()
    read = READERS.get(format)
    if read is None:
        raise ImportRefused(
            _("unknown format '%(format)s'; known formats: %(known)s")
            % {"format": format, "known": ", ".join(sorted(READERS))}
        )
    country = country or import_country(user)
    if mapping_file is not None:
        mapping = load_mapping(mapping_file)
    mapping = mapping or Mapping()
    if structure_file is not None:
        mapping.structure_file = structure_file
    return read, country, mapping


def _options(format: str, country: Country, mapping: Mapping) -> dict[str, Any]:
    recorded = dataclasses.asdict(mapping)
    # The structure file is recorded by name: the path is a job's stored file or the server's.
    structure = recorded.pop("structure_file")
    return {
        "format": format,
        "country": country.iso2,
        "mapping": recorded,
        **({"structure": Path(structure).name} if structure else {}),
    }


def _writer(dry_run: bool) -> AbstractContextManager[BackgroundCopy | None]:
    """The background ``COPY`` of a run that writes on PostgreSQL; none otherwise."""
    return BackgroundCopy() if copy_supported() and not dry_run else nullcontext()


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the run.

    A run allocates millions of short-lived objects that form no cycles (values, tuples,
    decimals); the collector would walk them again and again, a third of the run time.
    Reference counting still frees them; the collector runs again when the import ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _process(
    items: Iterable[ParsedValue | RowError],
    resolver: Resolver,
    result: ValueImportResult,
    *,
    batch_id: int,
    dry_run: bool,
    atomic: bool,
    chunk_size: int,
    progress: Callable[[int], None] | None,
    writer: BackgroundCopy | None,
) -> None:
    # Each key is packed into one integer (ids and run-local numbers for the period and
    # the disaggregation) mapped to its line: at a million values this is the largest
    # structure of the run, about a third of the size of a dict of tuples.
    seen: dict[int, int] = {}
    periods: dict[str, int] = {}
    disaggregations: dict[str, int] = {}
    lookup = StoredLookup(writer)
    iterator = iter(items)
    resolve = resolver.resolve
    while chunk := list(islice(iterator, chunk_size)):
        result.read += len(chunk)
        rows: list[Row] = []
        append = rows.append
        for item in chunk:
            if isinstance(item, RowError):
                result.reject([item])
                continue
            resolved = resolve(item)
            if isinstance(resolved, list):
                result.reject(problem_errors(item.line, resolved))
                continue
            indicator, location, period, disaggregation, source = resolved.key
            period_number = periods.get(period)
            if period_number is None:
                period_number = periods[period] = len(periods)
            disaggregation_number = disaggregations.get(disaggregation)
            if disaggregation_number is None:
                disaggregation_number = disaggregations[disaggregation] = len(disaggregations)
            packed = (
                ((((indicator << 40) | location) << 24 | period_number) << 24)
                | disaggregation_number
            ) << 40 | source
            first = seen.get(packed)
            if first is not None:
                result.reject(
                    [
                        RowError(
                            item.line,
                            "key",
                            _(
                                "same indicator, place, period, disaggregation and source as "
                                "line %(line)s"
                            )
                            % {"line": first},
                            f"{item.indicator} {item.location} {item.period}",
                        )
                    ]
                )
                continue
            seen[packed] = item.line
            append(resolved)
        # An atomic run with a bad line will be refused: keep reading to report every
        # error, but stop comparing and writing.
        doomed = atomic and result.rejected > 0
        if progress is not None:
            # The callback may write (a job's progress) on this connection: the previous
            # chunk's COPY has had this chunk's reading to finish.
            if writer is not None:
                writer.wait()
            progress(result.read)
        outcome = compare_and_write(
            rows,
            batch_id=batch_id,
            write=not dry_run and not doomed,
            compare=not doomed,
            lookup=lookup,
            writer=writer,
        )
        result.created += outcome.created
        result.updated += outcome.updated
        result.unchanged += outcome.unchanged
        result.deleted += outcome.deleted
        result.pairs |= outcome.touched


def _refusal(path: Path, result: ValueImportResult) -> str:
    shown = "; ".join(format_error(error) for error in result.errors[:10])
    more = result.error_count - min(len(result.errors), 10)
    text = ngettext(
        "%(file)s: %(count)s line refused, nothing written: %(errors)s",
        "%(file)s: %(count)s lines refused, nothing written: %(errors)s",
        result.rejected,
    ) % {"file": path.name, "count": result.rejected, "errors": shown}
    if more > 0:
        text += " " + _("(and %(count)s more)") % {"count": more}
    return text


def _close(batch: ImportBatch, result: ValueImportResult, *, refused: bool) -> None:
    """Put the counts and errors on the batch (``batch_succeeded`` or ``import_batch``
    saves them)."""
    if refused:
        # Nothing was written: only what was read and refused is true of the file.
        result.created = result.updated = result.unchanged = result.deleted = 0
        result.pairs.clear()
    batch.counts = result.counts()
    batch.errors = result.stored_errors()


# --- error report ----------------------------------------------------------------------------

REPORT_HEADER = ("line", "field", "message", "item")


class Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def write_error_report(batch: ImportBatch, handle: Writable) -> int:
    """Write the batch's errors as CSV (line, field, message, item) to ``handle``.

    Cells that a spreadsheet would run as formulas are neutralised (``core.tables``).
    Returns the number of errors written.
    """
    writer = csv.writer(handle)
    writer.writerow(REPORT_HEADER)
    count = 0
    for error in _stored(batch):
        writer.writerow([safe_cell(error.get(key)) for key in REPORT_HEADER])
        count += 1
    return count


def _stored(batch: ImportBatch) -> Iterator[dict[str, Any]]:
    for error in batch.errors or []:
        if isinstance(error, dict):
            yield error


def error_report_csv(batch: ImportBatch) -> str:
    """The batch's errors as CSV text, for download (see ``write_error_report``)."""
    buffer = io.StringIO()
    write_error_report(batch, buffer)
    return buffer.getvalue()
