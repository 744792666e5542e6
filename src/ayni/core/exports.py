"""The one export mechanism: every download of records is an export type.

An export type is registered under a name (``@export_type("finance.grants")``) and says who may
run it with which parameters (``allowed``), how many rows it will write (``count``), and how it
writes each of its formats (``write``). A download asks ``export_response``: a small export
streams in the request; one of more than ``AYNI_EXPORT_INLINE_MAX_ROWS`` rows runs as a job
(kind ``core.export``) whose page shows progress and then the file, which only its starter may
download. The job checks ``allowed`` again when it runs, and the download view when the file
is fetched.

``TableExport`` is the type for the tables of list pages: it declares the columns and the
queryset once, and the list page reads its rows from it too, so that a download holds exactly
the rows of the page's filter, in its order, within the user's permission scope. Other formats
(IATI XML, SDMX, DHIS2, PDF) subclass ``ExportType`` and implement ``write``.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO, ClassVar, TypeVar

import xlsxwriter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db.models import Model, QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponseBase,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ayni.core import jobs
from ayni.core.models import Job
from ayni.core.permissions import Action, has_perm

FORMATS = {
    "csv": ("text/csv; charset=utf-8", ".csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
}
JOB_KIND = "core.export"
# Parameters are the query string of a list page: bounded, so that a job's payload stays small.
MAX_PARAMS, MAX_PARAM_LENGTH = 30, 200
IGNORED_PARAMS = {"page", "format"}
PROGRESS_EVERY = 500

Params = Mapping[str, str]
# Cells that a spreadsheet program would read as a formula (or a DDE command) start with one
# of these: such text is written with a leading ' so that it stays text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Column:
    """A column of a table: its key, its heading, the field that sorts it (None: not
    sortable) and how to read its cell (default: the attribute path ``a__b`` of the row)."""

    key: str
    label: Any
    sort: str | None = None
    value: Callable[[Any], Any] | None = None

    def read(self, row: Any) -> Any:
        if self.value is not None:
            return self.value(row)
        obj = row
        for part in self.key.split("__"):
            obj = getattr(obj, part, None) if obj is not None else None
        return obj


def safe_cell(value: Any) -> Any:
    """A cell as written to CSV or XLSX: numbers as they are, anything else as text, with
    text that would start a formula prefixed with '."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value if isinstance(value, (int, float)) else str(value)


class ExportRefused(Exception):
    """The export may not run (any more) for this user: nothing is written."""


class ExportType:
    """One kind of export. Subclasses set ``title`` and ``model`` (whose view permission gates
    it, unless ``allowed`` says more) and implement ``write``."""

    name: ClassVar[str] = ""
    title: ClassVar[Any] = ""
    model: ClassVar[type[Model]]
    formats: ClassVar[tuple[str, ...]] = ("csv", "xlsx")

    def allowed(self, user: Any, params: Params) -> bool:
        return has_perm(user, Action.VIEW, self.model)

    def count(self, user: Any, params: Params) -> int | None:
        """How many rows it will write (None: unknown, streamed in the request)."""
        return None

    def filename(self, params: Params) -> str:
        return slugify(self.name.replace(".", "-")) or "export"

    def write(
        self,
        user: Any,
        params: Params,
        fmt: str,
        out: BinaryIO,
        progress: Callable[[int], None],
    ) -> int:
        """Write the export to ``out`` (a binary file open for writing); the rows written."""
        raise NotImplementedError

    def describe(self, params: Params) -> list[tuple[Any, str]]:
        """The parameters as a person reads them on the job page."""
        return [(key, value) for key, value in sorted(params.items()) if value]

    def response(self, user: Any, params: Params, fmt: str) -> HttpResponseBase:
        """The export as a download in the request. By default written to a temporary file,
        then streamed from it (the file is unlinked at once; the open handle keeps it)."""
        handle = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response)
        self.write(user, params, fmt, handle, lambda _done: None)
        handle.seek(0)
        return _file_response(handle, self.filename(params) + FORMATS[fmt][1], fmt)


E = TypeVar("E", bound=type[ExportType])
EXPORT_TYPES: dict[str, ExportType] = {}


def export_type(name: str) -> Callable[[E], E]:
    """Register an export type under ``name`` (``"<app>.<what>"``)."""

    def decorator(cls: E) -> E:
        if name in EXPORT_TYPES and type(EXPORT_TYPES[name]) is not cls:
            raise ValueError(f"export type {name!r} is registered twice")
        cls.name = name
        EXPORT_TYPES[name] = cls()
        return cls

    return decorator


def get_export_type(name: str) -> ExportType:
    try:
        return EXPORT_TYPES[name]
    except KeyError:
        raise Http404(f"no export {name!r}") from None


def export_params(query: Mapping[str, Any]) -> dict[str, str]:
    """The parameters of an export from a query string (the page and format left out)."""
    params: dict[str, str] = {}
    for key, value in query.items():
        if key in IGNORED_PARAMS or not isinstance(value, str) or len(params) >= MAX_PARAMS:
            continue
        params[str(key)[:MAX_PARAM_LENGTH]] = value[:MAX_PARAM_LENGTH]
    return params


class TableExport(ExportType):
    """The table of a list page: ``columns``, ``queryset`` (scoped and filtered) and sorting by
    ``?sort=<column key>`` (``-`` for descending), else ``default_sort``."""

    columns: ClassVar[list[Column]] = []
    default_sort: ClassVar[str | None] = None

    def get_columns(self, user: Any, params: Params) -> list[Column]:
        return self.columns

    def queryset(self, user: Any, params: Params) -> QuerySet[Any]:
        """Every row the user may see under the page's filters, not yet ordered."""
        raise NotImplementedError

    def sort_key(self, user: Any, params: Params) -> str | None:
        requested = params.get("sort", "")
        name = requested.lstrip("-")
        for column in self.get_columns(user, params):
            if column.key == name and column.sort:
                return ("-" if requested.startswith("-") else "") + column.sort
        return self.default_sort

    def rows(self, user: Any, params: Params) -> QuerySet[Any] | list[Any]:
        """The rows, in the page's order (the primary key breaks ties, so the order is one)."""
        queryset = self.queryset(user, params)
        key = self.sort_key(user, params)
        return queryset.order_by(key, "pk") if key else queryset

    def describe(self, params: Params) -> list[tuple[Any, str]]:
        """The search and the order by their names; other filters as they are."""
        described: list[tuple[Any, str]] = []
        for key, value in sorted(params.items()):
            if not value:
                continue
            if key == "q":
                described.append((_("Searched for"), value))
            elif key == "sort":
                name = value.lstrip("-")
                label = next((str(c.label) for c in self.columns if c.key == name), name)
                order = _("descending") if value.startswith("-") else _("ascending")
                described.append((_("Sorted by"), f"{label} ({order})"))
            else:
                described.append((key, value))
        return described

    def count(self, user: Any, params: Params) -> int | None:
        rows = self.rows(user, params)
        return rows.count() if isinstance(rows, QuerySet) else len(rows)

    def table(self, user: Any, params: Params) -> tuple[list[str], Iterator[list[Any]]]:
        columns = self.get_columns(user, params)
        rows = self.rows(user, params)
        objects = rows.iterator(chunk_size=2000) if isinstance(rows, QuerySet) else iter(rows)
        header = [str(column.label) for column in columns]
        return header, ([column.read(obj) for column in columns] for obj in objects)

    def write(
        self,
        user: Any,
        params: Params,
        fmt: str,
        out: BinaryIO,
        progress: Callable[[int], None],
    ) -> int:
        header, rows = self.table(user, params)
        if fmt == "csv":
            written = 0
            text = io.TextIOWrapper(out, encoding="utf-8", newline="")
            for chunk, written in _csv_chunks(header, rows):
                text.write(chunk)
                progress(written)
            text.flush()
            text.detach()
            return written
        if fmt == "xlsx":
            return write_xlsx(out, self.filename(params), header, rows, progress)
        raise ValueError(f"unknown format {fmt!r}")

    def response(self, user: Any, params: Params, fmt: str) -> HttpResponseBase:
        if fmt != "csv":
            return super().response(user, params, fmt)
        language = translation.get_language()
        # The parameters are read now (the rows are read as the body is sent): a malformed
        # one answers 400 naming it, before the answer has started as a 200.
        header, rows = self.table(user, params)

        def stream() -> Iterator[str]:
            # The body is read after the view returns: cells are read in the page's language.
            with translation.override(language):
                for chunk, _written in _csv_chunks(header, rows):
                    yield chunk

        response = StreamingHttpResponse(stream(), content_type=FORMATS["csv"][0])
        response["Content-Disposition"] = f'attachment; filename="{self.filename(params)}.csv"'
        return response


def _csv_chunks(header: list[str], rows: Iterable[list[Any]]) -> Iterator[tuple[str, int]]:
    """CSV text in chunks of ``PROGRESS_EVERY`` rows, with the rows written so far; a BOM
    first so that spreadsheet programs read UTF-8 accents correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    written = 0
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        written += 1
        if written % PROGRESS_EVERY == 0:
            yield buffer.getvalue(), written
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue(), written


def write_xlsx(
    out: BinaryIO,
    sheet_name: str,
    header: list[str],
    rows: Iterable[list[Any]],
    progress: Callable[[int], None],
) -> int:
    """Rows into one worksheet with XlsxWriter's ``constant_memory`` mode (each row goes to a
    temporary file as it is written, so memory does not grow with the rows), no formulas, no
    links; the workbook is zipped into ``out``."""
    with tempfile.TemporaryDirectory() as folder:
        workbook = xlsxwriter.Workbook(
            out,
            {
                "constant_memory": True,
                "tmpdir": folder,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        sheet = workbook.add_worksheet(sheet_name[:31] or "export")
        sheet.write_row(0, 0, header, workbook.add_format({"bold": True}))
        written = 0
        for written, row in enumerate(rows, start=1):
            sheet.write_row(written, 0, [safe_cell(value) for value in row])
            if written % PROGRESS_EVERY == 0:
                progress(written)
        workbook.close()
    progress(written)
    return written


def _file_response(handle: Any, filename: str, fmt: str) -> FileResponse:
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=FORMATS[fmt][0])


def export_start(*, user: Any, name: str, fmt: str, params: Params) -> Job:
    """Start the export ``name`` as a background job of ``user``."""
    export = get_export_type(name)
    if fmt not in export.formats:
        raise Http404(f"no format {fmt!r} for {name!r}")
    if not user.is_authenticated or not export.allowed(user, params):
        raise PermissionDenied
    payload = {
        "export": name,
        "format": fmt,
        "params": dict(params),
        # The job runs outside the request: headers and cells in the requester's language.
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }
    return jobs.enqueue(JOB_KIND, payload=payload, user=user)


def export_response(request: HttpRequest, name: str, fmt: str, params: Params) -> HttpResponseBase:
    """A download: streamed now, or, above ``AYNI_EXPORT_INLINE_MAX_ROWS`` rows and for a
    signed-in user, a job whose page the user is sent to."""
    export = get_export_type(name)
    if fmt not in export.formats:
        raise Http404(f"no format {fmt!r} for {name!r}")
    user = request.user
    if not export.allowed(user, params):
        raise PermissionDenied
    if user.is_authenticated:
        count = export.count(user, params)
        if count is not None and count > settings.AYNI_EXPORT_INLINE_MAX_ROWS:
            job = export_start(user=user, name=name, fmt=fmt, params=params)
            return HttpResponseRedirect(reverse("core:job", args=[job.pk]))
    return export.response(user, params, fmt)


def _describe(job: Job) -> list[tuple[Any, str]]:
    payload = job.payload
    export = EXPORT_TYPES.get(payload.get("export", ""))
    if export is None:
        return [(_("Export"), str(payload.get("export", "")))]
    return [
        (_("Export"), str(export.title)),
        (_("Format"), str(payload.get("format", "")).upper()),
        *export.describe(payload.get("params") or {}),
    ]


def _may_start(user: Any, payload: dict[str, Any]) -> bool:
    export = EXPORT_TYPES.get(payload.get("export", ""))
    return bool(export and export.allowed(user, payload.get("params") or {}))


@jobs.job_handler(JOB_KIND, title=_("Export"), describe=_describe, may_start=_may_start)
def export_job(job: Job, report: Callable[..., None]) -> dict[str, Any]:
    payload = job.payload
    with translation.override(payload.get("language") or settings.LANGUAGE_CODE):
        export = EXPORT_TYPES.get(payload.get("export", ""))
        fmt = payload.get("format", "")
        params = payload.get("params") or {}
        if export is None or fmt not in export.formats:
            raise ExportRefused(gettext("This export is not available any more."))
        user = job.created_by
        # Checked again now: the starter's role or scope may have changed since.
        if user is None or not user.is_active or not export.allowed(user, params):
            raise ExportRefused(gettext("You may no longer read these records."))
        total = export.count(user, params)
        report(0, total)
        filename = export.filename(params) + FORMATS[fmt][1]
        with tempfile.TemporaryFile() as handle:
            rows = export.write(user, params, fmt, handle, lambda done: report(done, total))
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(0)
            jobs.output_file(
                job,
                key="export",
                name=filename,
                content=File(handle, name=filename),
                content_type=FORMATS[fmt][0],
            )
        report(rows, rows)
        return {"rows": rows, "format": fmt, "file_name": filename, "size": size}
