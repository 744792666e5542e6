"""An XLSX archive is refused before openpyxl opens it when it holds too many parts, or a part
whose name or kind would lead out of the archive (``..``, an absolute path, a link)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ayni.core.imports import ImportRefused
from ayni.monitoring.imports.tabular import check_xlsx_archive
from ayni.monitoring.tests.hostile import xlsx


def _refusal(tmp_path: Path, content: bytes) -> str:
    path = tmp_path / "book.xlsx"
    path.write_bytes(content)
    with pytest.raises(ImportRefused) as refused:
        check_xlsx_archive(path)
    return str(refused.value)


def test_too_many_parts_are_refused(tmp_path: Path, settings) -> None:
    settings.AYNI_XLSX_MAX_PARTS = 100
    content = xlsx({f"m/{number}": b"" for number in range(100)})
    assert _refusal(tmp_path, content) == (
        "book.xlsx: refused, the archive holds 101 parts (at most 100)"
    )


@pytest.mark.parametrize(
    ("name", "link"),
    [("../../outside.xml", False), ("/etc/outside.xml", False), ("xl\\..\\x.xml", False),
     ("c:/x.xml", False), ("xl/link.xml", True)],
)  # fmt: skip
def test_a_part_leading_out_of_the_archive_is_refused(tmp_path: Path, name, link) -> None:
    content = xlsx({name: b"<x/>"}, symlinks=(name,) if link else ())
    assert _refusal(tmp_path, content) == (
        f"book.xlsx: refused, the part {name} is a link or a path out of the archive"
    )
