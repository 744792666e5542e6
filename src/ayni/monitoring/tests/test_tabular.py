"""CSV and XLSX readers: the template, mappings, encodings, and hostile files."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from ayni.core.imports import ImportRefused, RowError
from ayni.core.models import ImportBatch
from ayni.monitoring.imports.base import Mapping, ParsedValue
from ayni.monitoring.imports.tabular import read_csv, read_xlsx
from ayni.monitoring.models import DataValue
from ayni.monitoring.tests.importing import GOOD_ROWS, HEADER, make_catalogue, run_import, write_csv


@pytest.fixture
def catalogue(db: None) -> dict[str, Any]:
    return make_catalogue()


def values() -> dict[tuple[str, str, str], Decimal]:
    return {
        (v.location.code, v.period, v.disaggregation): v.value
        for v in DataValue.objects.select_related("location")
    }


# --- CSV -------------------------------------------------------------------------------------


def test_csv_lines_become_parsed_values_with_their_line_numbers(tmp_path) -> None:
    path = tmp_path / "v.csv"
    path.write_text(
        "Indicator,LOCATION,period,value,flags,dim:sex\n"
        "t-stunting,03,2014,38.5,,F\n"
        "\n"
        '"t-stunting"," 03 ",2014,"1,5",p,\n',
        encoding="utf-8",
    )
    assert list(read_csv(path, Mapping())) == [
        ParsedValue(2, "t-stunting", "03", "2014", "38.5", {"sex": "F"}),
        ParsedValue(4, "t-stunting", "03", "2014", "1,5", {}, flags="p"),
    ]


def test_a_line_with_more_cells_than_the_header_is_refused(tmp_path) -> None:
    path = tmp_path / "v.csv"
    path.write_text("indicator,location,period,value\na,b,2014,1,extra\n", encoding="utf-8")
    [error] = list(read_csv(path, Mapping()))
    assert isinstance(error, RowError) and error.line == 2
    assert error.message == "the line has 5 cells, the header 4"


def test_semicolons_and_a_byte_order_mark_are_understood(catalogue, tmp_path) -> None:
    path = tmp_path / "excel.csv"
    text = (
        "indicator;location;period;value;source;dim:area\n"
        "t-stunting;03;2014;44.0;t-endes-2014;rural\n"
    )
    path.write_bytes("\ufeff".encode() + text.encode("utf-8"))
    _, result = run_import(format="csv", path=path)
    assert result.created == 1
    assert values() == {("03", "2014", "area=rural"): Decimal("44.0")}


def test_bytes_that_are_not_utf8_are_refused_with_their_line(catalogue, tmp_path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "indicator,location,period,value,source\n"
        "t-births,03,2014,1,t-sien\n"
        "t-births,03,2015,2,Año\n".encode("latin-1")
    )
    with pytest.raises(ImportRefused) as refused:
        run_import(format="csv", path=path)
    assert str(refused.value) == (
        "latin1.csv: line 3 is not UTF-8 (byte 0xf1 at position 21); save the file as UTF-8 CSV"
    )
    assert not DataValue.objects.exists()
    batch = ImportBatch.objects.get(file_name="latin1.csv")
    assert batch.status == ImportBatch.Status.FAILED and batch.message == str(refused.value)


def test_a_missing_required_column_is_refused_listing_the_columns_found(
    catalogue, tmp_path
) -> None:
    path = write_csv(tmp_path / "v.csv", [["t-births", "03", "1"]], ["indicator", "Lugar", "value"])
    with pytest.raises(ImportRefused) as refused:
        run_import(format="csv", path=path)
    assert str(refused.value) == (
        "v.csv: no 'location' column (and no constant for it in the mapping); "
        "columns found: indicator, Lugar, value"
    )


def test_a_mapping_naming_a_column_the_file_lacks_is_refused(catalogue, tmp_path) -> None:
    path = write_csv(tmp_path / "v.csv", GOOD_ROWS)
    with pytest.raises(ImportRefused, match="reads value from the column 'valor', which is not"):
        run_import(format="csv", path=path, mapping=Mapping(columns={"value": "valor"}))


SURVEY = """region_code,year,area,valor,notes
03,2014,Urbano,28.1,ENDES
03,2014,Rural,44.0,
08,2014,Urbano,12.5,
08,2014,Selva,9.9,
"""


def test_a_survey_table_is_read_through_a_mapping(catalogue, tmp_path) -> None:
    path = tmp_path / "endes.csv"
    path.write_text(SURVEY, encoding="utf-8")
    mapping = Mapping(
        columns={"location": "region_code", "period": "year", "value": "valor", "dim:area": "area"},
        dimension_values={"area": {"Urbano": "urban", "Rural": "rural"}},
        constants={"indicator": "t-stunting", "source": "t-endes-2014"},
    )
    _, result = run_import(format="csv", path=path, mapping=mapping, atomic=False)
    assert values() == {
        ("03", "2014", "area=urban"): Decimal("28.1"),
        ("03", "2014", "area=rural"): Decimal("44.0"),
        ("08", "2014", "area=urban"): Decimal("12.5"),
    }
    [error] = result.errors
    assert (error.line, error.field, error.item) == (5, "dim:area", "Selva")


def test_a_constant_dimension_applies_to_every_line(catalogue, tmp_path) -> None:
    path = write_csv(tmp_path / "girls.csv", [["03", "2014", "39.1"]], ["ubigeo", "anio", "v"])
    mapping = Mapping(
        columns={"location": "ubigeo", "period": "anio", "value": "v"},
        constants={"indicator": "t-stunting", "source": "t-endes-2014", "dim:sex": "F"},
    )
    run_import(format="csv", path=path, mapping=mapping)
    assert values() == {("03", "2014", "sex=F"): Decimal("39.1")}


def test_external_dimension_codes_translate_through_the_mapping(catalogue, tmp_path) -> None:
    path = write_csv(
        tmp_path / "v.csv",
        [["t-stunting", "03", "2014", "39.1", "t-endes-2014", "mujer"]],
        ["indicator", "location", "period", "value", "source", "dim:genero"],
    )
    mapping = Mapping(dimensions={"genero": "sex"}, dimension_values={"sex": {"Mujer": "F"}})
    run_import(format="csv", path=path, mapping=mapping)
    assert values() == {("03", "2014", "sex=F"): Decimal("39.1")}


# --- XLSX ------------------------------------------------------------------------------------


def write_xlsx(path: Path, rows: list[list[Any]], header: list[str] | None = None) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Datos"
    sheet.append(header or HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_an_xlsx_template_is_imported(catalogue, tmp_path) -> None:
    rows = [
        ["t-stunting", "03", 2014, 38.5, "t-endes-2014", None, None],
        ["t-stunting", "03", "2014", 39.1, "t-endes-2014", "F", None],
        [None, None, None, None, None, None, None],
        ["t-births", 15, 2015, 120, "t-sien", None, None],
    ]
    path = write_xlsx(tmp_path / "values.xlsx", rows)
    batch, result = run_import(format="xlsx", path=path)
    assert (result.read, result.created) == (3, 3)
    assert batch.kind == "monitoring.xlsx"
    assert values() == {
        ("03", "2014", ""): Decimal("38.5"),
        ("03", "2014", "sex=F"): Decimal("39.1"),
        ("15", "2015", ""): Decimal("120"),
    }
    _, again = run_import(format="xlsx", path=path)
    assert again.unchanged == 3


def test_xlsx_rows_keep_their_row_numbers_and_the_mapping_picks_the_sheet(tmp_path) -> None:
    path = tmp_path / "two.xlsx"
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.append(["notes"])
    second = workbook.create_sheet("valores")
    second.append(["indicator", "location", "period", "value"])
    second.append(["t-births", "03", 2014, 7])
    second.append([])
    second.append(["t-births", "03", 2015, 8.25])
    workbook.save(path)
    items = list(read_xlsx(path, Mapping(sheet="valores")))
    assert [(i.line, i.period, i.value) for i in items if isinstance(i, ParsedValue)] == [
        (2, "2014", "7"),
        (4, "2015", "8.25"),
    ]
    with pytest.raises(ImportRefused, match="no sheet 'Hoja1'; sheets: Sheet, valores"):
        list(read_xlsx(path, Mapping(sheet="Hoja1")))


def test_an_xlsx_with_a_formula_is_refused_naming_the_cell(catalogue, tmp_path) -> None:
    rows = [["t-births", "03", "2014", 1, "t-sien", None, None] for _ in range(5)]
    rows.append(["t-births", "03", "2015", "=D2*2", "t-sien", None, None])
    path = write_xlsx(tmp_path / "formula.xlsx", rows)
    with pytest.raises(ImportRefused) as refused:
        run_import(format="xlsx", path=path, atomic=False)
    assert str(refused.value).startswith("formula.xlsx: cell D7 holds a formula")
    assert not DataValue.objects.exists()


def test_a_zip_bomb_is_refused_before_it_is_opened(catalogue, tmp_path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (30 * 1024 * 1024) + b"</a>")
    assert path.stat().st_size < 200_000
    with pytest.raises(
        ImportRefused,
        match=r"bomb.xlsx: refused, xl/worksheets/sheet1.xml is "
        r"compressed \d+ times \(a zip bomb\?\)",
    ):
        run_import(format="xlsx", path=path)


def test_xml_declaring_entities_is_refused(catalogue, tmp_path) -> None:
    clean = write_xlsx(tmp_path / "clean.xlsx", [["t-births", "03", 2014, 1, "t-sien"]])
    path = tmp_path / "entities.xlsx"
    with zipfile.ZipFile(clean) as source, zipfile.ZipFile(path, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b"<worksheet")
                data = (
                    data[:start]
                    + b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                    + data[start:]
                )
            target.writestr(member, data)
    with pytest.raises(
        ImportRefused,
        match=r"entities.xlsx: refused, xl/worksheets/sheet1.xml declares a DTD or XML entities",
    ):
        run_import(format="xlsx", path=path)


def test_a_file_that_is_not_xlsx_is_refused(catalogue, tmp_path) -> None:
    csv_named_xlsx = write_csv(tmp_path / "values.xlsx", GOOD_ROWS)
    with pytest.raises(ImportRefused, match=r"values.xlsx: not an XLSX file \(an .xls"):
        run_import(format="xlsx", path=csv_named_xlsx)
    other_zip = tmp_path / "other.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    other_zip.write_bytes(buffer.getvalue())
    with pytest.raises(ImportRefused, match=r"other.xlsx: not an XLSX file \(a zip archive"):
        run_import(format="xlsx", path=other_zip)
