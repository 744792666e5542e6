"""Tables shown on list pages: sortable columns, and the same rows as CSV or XLSX.

A list view names its table, a registered ``TableExport`` (``export_name = "finance.grants"``),
which declares the columns and the scoped, filtered queryset once, and mixes in
``TableMixin``: the page lists ``table_rows()``; ``?sort=code`` / ``?sort=-code`` orders them;
``?format=csv`` or ``?format=xlsx`` downloads every row of the current filter (not only the
page) through ``core.exports``: streamed, or as a job when there are many.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from ayni.core.exports import (
    FORMATS,
    Column,
    TableExport,
    export_params,
    export_response,
    get_export_type,
    safe_cell,
)
from ayni.core.params import choice_param

__all__ = ["Column", "TableMixin", "safe_cell"]


class TableMixin:
    """For ListViews: the rows, sorting and downloads of the table named ``export_name``."""

    export_name: str = ""
    request: Any

    @property
    def table(self) -> TableExport:
        export = get_export_type(self.export_name)
        if not isinstance(export, TableExport):
            raise TypeError(f"{self.export_name} is not a table export")
        return export

    def table_params(self) -> dict[str, str]:
        return export_params(self.request.GET)

    def get_columns(self) -> list[Column]:
        return self.table.get_columns(self.request.user, self.table_params())

    def table_rows(self) -> QuerySet[Any]:
        """What the page lists: exactly what a download of it holds."""
        rows = self.table.rows(self.request.user, self.table_params())
        if not isinstance(rows, QuerySet):
            raise TypeError(f"{self.export_name} lists no queryset")
        return rows

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = choice_param(request.GET, "format", FORMATS)
        if fmt is not None:
            # A streamed file (an HttpResponseBase), or the job's page when there are many rows.
            return export_response(  # type: ignore[return-value]
                request, self.export_name, fmt, self.table_params()
            )
        return super().get(request, *args, **kwargs)  # type: ignore[misc]

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
        downloads.pop("format", None)
        context["table_headers"] = headers
        context["download_query"] = downloads.urlencode()
        return context
