"""Tables shown on list pages: sortable columns, and the same rows as CSV or XLSX.

A list view declares its columns once (``columns = [Column("code", _("Code")), ...]``) and
mixes in ``TableMixin``: ``?sort=code`` / ``?sort=-code`` orders the rows, ``?format=csv`` or
``?format=xlsx`` downloads every row of the current filter (not only the page).
Spreadsheet cells that start with = + - @ are prefixed with ' so they are never formulas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.text import slugify

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Column:
    key: str
    label: Any
    sort: str | None = None  # the ORM field to order by; None = not sortable
    value: Callable[[Any], Any] | None = None  # how to read the cell; default: attribute path

    def read(self, row: Any) -> Any:
        if self.value is not None:
            return self.value(row)
        obj = row
        for part in self.key.split("__"):
            obj = getattr(obj, part, None) if obj is not None else None
        return obj


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value if isinstance(value, (int, float)) else str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, header: list[str], rows: Iterable[list[Any]]
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream() -> Iterable[str]:
        yield "\ufeff"  # so spreadsheet programs read UTF-8 accents correctly
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename: str, header: list[str], rows: Iterable[list[Any]]) -> HttpResponse:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet(filename[:31])
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, header, bold)
    for index, row in enumerate(rows, start=1):
        sheet.write_row(index, 0, [safe_cell(v) for v in row])
    workbook.close()
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


class TableMixin:
    """For ListViews: sorting by declared columns and CSV/XLSX downloads of the filtered rows."""

    columns: list[Column] = []
    default_sort: str | None = None
    export_name: str = "table"
    request: Any

    def get_columns(self) -> list[Column]:
        return self.columns

    def sort_key(self) -> str | None:
        requested = self.request.GET.get("sort", "")
        name = requested.lstrip("-")
        for column in self.get_columns():
            if column.key == name and column.sort:
                return ("-" if requested.startswith("-") else "") + column.sort
        return self.default_sort

    def sort_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        key = self.sort_key()
        return queryset.order_by(key, "pk") if key else queryset

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        fmt = self.request.GET.get("format")
        if fmt in {"csv", "xlsx"}:
            columns = self.get_columns()
            header = [str(c.label) for c in columns]
            rows = ([c.read(obj) for c in columns] for obj in self.object_list_for_export())
            name = slugify(self.export_name) or "table"
            if fmt == "csv":
                return csv_response(name, header, rows)  # type: ignore[return-value]
            return xlsx_response(name, header, rows)
        return super().render_to_response(context, **kwargs)  # type: ignore[misc]

    def object_list_for_export(self) -> Iterable[Any]:
        return self.object_list  # type: ignore[attr-defined]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        current = self.request.GET.get("sort", "")
        params = self.request.GET.copy()
        params.pop("page", None)
        headers = []
        for column in self.get_columns():
            entry: dict[str, Any] = {"label": column.label, "key": column.key, "url": None}
            if column.sort:
                params["sort"] = column.key if current != column.key else f"-{column.key}"
                entry["url"] = "?" + params.urlencode()
                entry["direction"] = (
                    "ascending"
                    if current == column.key
                    else "descending"
                    if current == f"-{column.key}"
                    else None
                )
            headers.append(entry)
        downloads = self.request.GET.copy()
        downloads.pop("page", None)
        context["table_headers"] = headers
        context["download_query"] = downloads.urlencode()
        return context
