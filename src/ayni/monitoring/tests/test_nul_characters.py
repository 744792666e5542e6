"""A text file holding NUL (UTF-16 read as UTF-8, a binary file, an escaped NUL in JSON) is
refused naming the file and the line: no NUL reaches a value, a message or the database
(PostgreSQL cannot store one in text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ayni.core.imports import ImportRefused
from ayni.geography.boundaries import import_boundaries
from ayni.geography.models import Country
from ayni.monitoring.imports.base import Mapping
from ayni.monitoring.imports.pipeline import load_mapping, run_import

CSV = {
    "csv": "indicator,location,period,value,source\nt-births,15,2015,120,t-sien\n",
    "dhis2-csv": "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n",
    "sdmx-csv": "DATAFLOW,REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE\nU:CME(1.0),PER,X,2014,1\n",
}


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", sorted(CSV))
@pytest.mark.parametrize("encode", ["utf-16-le", "nul-in-line-2"])
def test_a_csv_holding_nul_is_refused_naming_the_line(tmp_path: Path, fmt: str, encode: str):
    path = tmp_path / "values.csv"
    if encode == "utf-16-le":
        path.write_bytes(CSV[fmt].encode("utf-16-le"))
        line = 1
    else:
        path.write_bytes(CSV[fmt].encode() + b"a,\x00b\n")
        line = 2 if fmt == "dhis2-csv" else 3
    with pytest.raises(ImportRefused) as refused:
        run_import(format=fmt, path=path, country=Country.objects.get(iso2="PE"))
    assert str(refused.value) == (
        f"values.csv: line {line} holds a NUL character, so the file is not UTF-8 text "
        "(UTF-16?); save it as UTF-8"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("nul", ["\\u0000", "\x00"])
def test_json_holding_nul_is_refused_naming_the_line(tmp_path: Path, nul: str) -> None:
    path = tmp_path / "values.json"
    path.write_text('{"dataValues": [\n{"dataElement": "d' + nul + '"}]}')
    with pytest.raises(ImportRefused, match=r"^values.json: line 2 holds a NUL character"):
        run_import(format="dhis2-json", path=path, country=Country.objects.get(iso2="PE"))
    mapping = tmp_path / "mapping.json"
    mapping.write_text('{"constants":\n\n {"source": "t' + nul + '"}}')
    with pytest.raises(ImportRefused, match=r"^mapping.json: line 3 holds a NUL character"):
        load_mapping(mapping)
    boundaries = tmp_path / "b.geojson"
    boundaries.write_text('{"type": "FeatureCollection", "features": [{"properties": {"c' + nul)
    with pytest.raises(ImportRefused, match=r"^b.geojson: line 1 holds a NUL character"):
        import_boundaries(
            path=boundaries, country=Country.objects.get(iso2="PE"), level="department",
            code_property="c",
        )  # fmt: skip


def test_an_escaped_nul_across_two_blocks_is_found(tmp_path: Path, monkeypatch) -> None:
    from ayni.core import imports

    monkeypatch.setattr(imports, "_DEPTH_BLOCK", 8)
    path = tmp_path / "m.json"
    path.write_text('{"sheet": "\\u0000"}')  # the escape starts in the first block of 8
    with pytest.raises(ImportRefused, match="NUL"):
        load_mapping(path)
    path.write_text('{"sheet": "\\\\"}')  # a backslash, no NUL
    assert load_mapping(path) == Mapping(sheet="\\")
