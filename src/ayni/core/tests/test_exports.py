"""The export registry and its writers: formulas neutralised, XLSX in constant memory."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from ayni.core.exports import (
    EXPORT_TYPES,
    TableExport,
    export_params,
    export_type,
    safe_cell,
    write_xlsx,
)
from ayni.partners.models import Organisation


def test_cells_that_would_be_formulas_stay_text() -> None:
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert safe_cell(-5) == -5 and safe_cell(None) == "" and safe_cell("a-b") == "a-b"


def test_xlsx_rows_stream_into_a_workbook() -> None:
    out = io.BytesIO()
    seen: list[int] = []
    rows = ([n, f"=row{n}"] for n in range(1200))
    assert write_xlsx(out, "data", ["n", "text"], rows, seen.append) == 1200
    sheet = load_workbook(io.BytesIO(out.getvalue()), read_only=True).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["n", "text"] and values[1200] == [1199, "'=row1199"]
    assert seen == [500, 1000, 1200]


def test_a_name_is_registered_once() -> None:
    with pytest.raises(ValueError, match="registered twice"):

        @export_type("partners.organisations")
        class Again(TableExport):
            model = Organisation

    assert type(EXPORT_TYPES["partners.organisations"]).__name__ == "OrganisationTable"


def test_parameters_leave_out_the_page_and_are_bounded() -> None:
    query: dict[str, Any] = {"page": "2", "format": "csv", "q": "x" * 500, "sort": "name"}
    assert export_params(query) == {"q": "x" * 200, "sort": "name"}
    assert len(export_params({f"k{n}": "v" for n in range(100)})) == 30
