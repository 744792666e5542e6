"""An XLSX's shared strings are bounded before openpyxl, which holds them all in memory,
opens the workbook: the part's size, the number of strings and the length of one."""

from __future__ import annotations

import time
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ayni.core.imports import ImportRefused
from ayni.core.models import ImportBatch
from ayni.monitoring.models import DataValue
from ayni.monitoring.tests.importing import make_catalogue, run_import
from ayni.monitoring.tests.test_tabular import write_xlsx

pytestmark = pytest.mark.django_db

ROW = ["t-stunting", "03", "2014", 38.5, "t-endes-2014", None, None]
SHARED = "xl/sharedStrings.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


@pytest.fixture
def catalogue(db: None) -> dict[str, Any]:
    return make_catalogue()


def with_shared_strings(tmp_path: Path, extra: bytes, part: str = SHARED) -> Path:
    """A workbook written by openpyxl (which writes its texts inline) given a shared strings
    part holding ``extra``, named ``part`` and declared in [Content_Types].xml, where
    openpyxl looks for it."""
    clean = write_xlsx(tmp_path / "clean.xlsx", [ROW])
    path = tmp_path / "strings.xlsx"
    override = f'<Override PartName="/{part}" ContentType="{STRINGS_TYPE}"/></Types>'
    with zipfile.ZipFile(clean) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", override.encode())
            out.writestr(member, data)
        out.writestr(part, f'<sst xmlns="{MAIN}">'.encode() + extra + b"</sst>")
    return path


def strings_xml(count: int, text: str = "texto repetido") -> bytes:
    return b"".join(b"<si><t>%08d %s</t></si>" % (i, text.encode()) for i in range(count))


def refused(path: Path, match: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ImportRefused, match=match):
        run_import(format="xlsx", path=path)
    assert time.perf_counter() - started < 2.0
    assert ImportBatch.objects.latest("pk").status == ImportBatch.Status.FAILED
    assert not DataValue.objects.exists()


def test_a_huge_shared_strings_part_that_compresses_well_is_refused(catalogue, tmp_path) -> None:
    # 70 MB of texts, compressed 16 times: under the ratio guard (200) and the archive's size.
    path = with_shared_strings(tmp_path, strings_xml(1_800_000))
    assert path.stat().st_size < 5_000_000
    refused(
        path,
        r"strings\.xlsx: refused, xl/sharedStrings\.xml holds 70,\d{3},\d{3} bytes of text "
        r"\(at most 67,108,864\)",
    )


def test_too_many_shared_strings_are_refused(catalogue, tmp_path, settings) -> None:
    settings.AYNI_XLSX_MAX_SHARED_STRINGS = 1_000
    refused(
        with_shared_strings(tmp_path, strings_xml(1_001)),
        r"strings\.xlsx: refused, xl/sharedStrings\.xml holds more than 1,000 texts",
    )


def test_a_shared_string_longer_than_a_cell_is_refused(catalogue, tmp_path) -> None:
    refused(
        with_shared_strings(tmp_path, strings_xml(3, "x" * 40_000)),
        r"refused, shared string \d of xl/sharedStrings\.xml is longer than 32,767 characters",
    )


def test_a_shared_strings_part_under_another_name_is_checked(catalogue, tmp_path, settings) -> None:
    settings.AYNI_XLSX_MAX_SHARED_STRINGS = 1_000
    refused(
        with_shared_strings(tmp_path, strings_xml(1_001), part="xl/textos.xml"),
        r"refused, xl/textos\.xml holds more than 1,000 texts",
    )


def test_the_archive_expanded_is_bounded_by_its_setting(catalogue, tmp_path, settings) -> None:
    settings.AYNI_XLSX_MAX_EXPANDED_BYTES = 1_000
    refused(
        write_xlsx(tmp_path / "strings.xlsx", [ROW]),
        r"strings\.xlsx: refused, it would expand to [\d,]+ bytes \(at most 1,000\)",
    )


def test_a_workbook_within_the_limits_still_imports(catalogue, tmp_path, settings) -> None:
    settings.AYNI_XLSX_MAX_SHARED_STRINGS = 1_000
    path = with_shared_strings(tmp_path, strings_xml(900))
    assert zipfile.ZipFile(path).getinfo(SHARED).file_size > 10_000
    _batch, result = run_import(format="xlsx", path=path)
    assert result.counts()["created"] == 1
    assert DataValue.objects.get().value == Decimal("38.5")
