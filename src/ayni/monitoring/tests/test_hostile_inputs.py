"""Hostile files through every reader and every way a file comes in.

The matrix: each attack of the corpus (``hostile.py``) × each kind of file it applies to (the
six import formats, a mapping, an SDMX structure, GeoJSON boundaries) × each entry path of
that kind: the reader itself (``run_import``, ``load_mapping``, ``import_boundaries``), the
command (``ayni import``, ``ayni geo_import_boundaries``), the web form and
``POST /api/imports/`` (their job run by a worker). For each:

- refused, with a message that says why (and names the file, where the path keeps its name);
- within a second (a generous guard against a slow attack, not a benchmark);
- nothing written: no data value, no boundary; a batch recorded as failed is fine;
- no server error: the command stops with its message, the web form or the job's page shows
  it, the API answers 400 or its job's answer holds it.

Formula cells are data in CSV (``test_formula_text_from_an_import_is_escaped_in_exports``);
in XLSX they are refused naming the cell (an attack of the matrix).
"""

from __future__ import annotations

import html
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from ayni.accounts.models import User
from ayni.core.imports import ImportRefused
from ayni.core.models import ImportBatch, Job
from ayni.geography.boundaries import import_boundaries
from ayni.geography.models import Country, Location
from ayni.monitoring.imports.base import Mapping
from ayni.monitoring.imports.pipeline import MAX_MAPPING_BYTES, load_mapping, run_import
from ayni.monitoring.models import DataValue
from ayni.monitoring.tests import hostile

FORMATS = ("csv", "xlsx", "dhis2-json", "dhis2-csv", "sdmx-csv", "sdmx-ml")
PATHS = {kind: ("reader", "command", "web", "api") for kind in (*FORMATS, "mapping", "structure")}
PATHS["geojson"] = ("reader", "command")
SUFFIX = {"dhis2-json": ".json", "mapping": ".json", "geojson": ".geojson", "sdmx-ml": ".xml",
          "structure": ".xml", "xlsx": ".xlsx"}  # fmt: skip
SECONDS = 1.0

MATRIX = [
    pytest.param(attack, kind, path, id=f"{attack.name}-{kind}-{path}")
    for attack in hostile.ATTACKS
    for kind in attack.kinds
    for path in PATHS[kind]
]


@pytest.fixture(scope="module", autouse=True)
def readers_loaded() -> None:
    """The readers' libraries imported once (sdmx1 takes seconds), outside the timed runs."""
    import openpyxl  # noqa: F401
    import sdmx  # noqa: F401

    from ayni.monitoring.imports.pipeline import load_readers

    load_readers()


@pytest.fixture(autouse=True)
def limits(settings: Any, tmp_path: Path) -> None:
    settings.AYNI_MAX_IMPORT_BYTES = hostile.LIMIT
    settings.AYNI_XLSX_MAX_SHARED_STRINGS = 1_000
    settings.AYNI_XLSX_MAX_PARTS = hostile.PARTS
    settings.AYNI_JOBS = "worker"
    settings.MEDIA_ROOT = tmp_path / "media"


def _content(attack: hostile.Attack, kind: str) -> bytes:
    if attack.name == "oversize" and kind == "mapping":
        return b" " * (MAX_MAPPING_BYTES + 1)  # a mapping has a limit of its own
    return attack.build(kind)


def _files(kind: str, content: bytes, name: str) -> tuple[str, dict[str, tuple[str, bytes]]]:
    """The import format and its files (data, mapping, structure) for a hostile ``kind``."""
    if kind == "mapping":
        return "csv", {"file": ("data.csv", hostile.TEMPLATE.encode()), "mapping": (name, content)}
    if kind == "structure":
        data = hostile.SDMX_ML.format(body="").encode()
        return "sdmx-ml", {"file": ("data.xml", data), "structure": (name, content)}
    return kind, {"file": (name, content)}


def _write(tmp_path: Path, files: dict[str, tuple[str, bytes]]) -> dict[str, Path]:
    paths = {}
    for key, (name, content) in files.items():
        path = tmp_path / key / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        paths[key] = path
    return paths


def _reader(kind: str, fmt: str, paths: dict[str, Path]) -> str:
    peru = Country.objects.get(iso2="PE")
    with pytest.raises(ImportRefused) as refused:
        if kind == "geojson":
            import_boundaries(
                path=paths["file"], country=peru, level="department", code_property="c"
            )
        else:
            mapping = load_mapping(paths["mapping"]) if "mapping" in paths else Mapping()
            mapping.structure_file = paths.get("structure")
            run_import(format=fmt, path=paths["file"], mapping=mapping, country=peru)
    return str(refused.value)


def _command(kind: str, fmt: str, paths: dict[str, Path]) -> str:
    with pytest.raises(CommandError) as refused:
        if kind == "geojson":
            arguments = ["--level", "department", "--code-property", "c", "--country", "pe"]
            call_command("geo_import_boundaries", str(paths["file"]), *arguments)
        else:
            options = [f"--{key}={path}" for key, path in paths.items() if key != "file"]
            call_command("import", fmt, str(paths["file"]), "--country", "pe", *options)
    return str(refused.value)


def _uploads(fmt: str, files: dict[str, tuple[str, bytes]]) -> dict[str, Any]:
    data: dict[str, Any] = {"format": fmt}
    for key, (name, content) in files.items():
        data[key] = SimpleUploadedFile(name, content)
    return data


def _job_refusal(job_id: int) -> str:
    call_command("worker", "--once")
    job = Job.objects.get(pk=job_id)
    # The job ran and the import refused the file: the job failed with the refusal, and keeps
    # it in its result for the pages.
    assert job.status == Job.Status.FAILED, job.message
    assert job.message == job.result["refused"]
    assert job.started_at and job.finished_at
    seconds = (job.finished_at - job.started_at).total_seconds()
    assert seconds < SECONDS, f"the job took {seconds:.2f} s"
    return job.result["refused"]


def _web(client_for: Any, fmt: str, files: dict[str, tuple[str, bytes]]) -> str:
    client = client_for("ana")
    response = client.post(
        reverse("monitoring:import"), _uploads(fmt, files), HTTP_ACCEPT_LANGUAGE="en"
    )
    if response.status_code == 200:  # the form refused the upload: the error is on it
        errors = response.context["form"].errors
        assert errors, "the form was shown again without an error"
        return " ".join(str(message) for messages in errors.values() for message in messages)
    assert response.status_code == 302, response.status_code
    page = response["Location"]
    message = _job_refusal(int(page.rstrip("/").split("/")[-1]))
    shown = client.get(page)
    assert shown.status_code == 200
    assert html.escape(message[:80]) in shown.content.decode()
    return message


def _api(api_for: Any, fmt: str, files: dict[str, tuple[str, bytes]]) -> str:
    api = api_for("ana")
    response = api.post(
        "/api/imports/", _uploads(fmt, files), format="multipart", HTTP_ACCEPT_LANGUAGE="en"
    )
    if response.status_code == 400:
        return response.json()["error"]["message"]
    assert response.status_code == 201, response.content
    message = _job_refusal(response.json()["id"])
    answer = api.get(f"/api/imports/{response.json()['id']}/")
    assert answer.status_code == 200
    assert answer.json()["result"]["refused"] == message
    return message


def _written() -> tuple[int, int]:
    return DataValue.objects.count(), Location.objects.filter(boundary__isnull=False).count()


@pytest.mark.django_db
@pytest.mark.parametrize(("attack", "kind", "path"), MATRIX)
def test_a_hostile_file_is_refused_quickly_writing_nothing(
    attack: hostile.Attack, kind: str, path: str, tmp_path: Path, client_for: Any, api_for: Any
) -> None:
    name = f"hostile-{attack.name}{SUFFIX.get(kind, '.csv')}"
    fmt, files = _files(kind, _content(attack, kind), name)
    before = _written()
    batches = ImportBatch.objects.count()
    if path in ("reader", "command"):
        paths = _write(tmp_path, files)
        started = time.perf_counter()
        message = (_reader if path == "reader" else _command)(kind, fmt, paths)
        elapsed = time.perf_counter() - started
    else:  # the job's own run is timed (``_job_refusal``)
        message = _web(client_for, fmt, files) if path == "web" else _api(api_for, fmt, files)
        elapsed = 0.0
    assert re.search(attack.says, message, re.IGNORECASE), message
    if attack.name == "oversize" and path in ("web", "api"):
        assert not Job.objects.exists()  # refused at the upload, never stored
    else:
        assert name in message, message
    assert elapsed < SECONDS, f"{elapsed:.2f} s"
    assert _written() == before
    for batch in ImportBatch.objects.order_by("pk")[batches:]:
        assert batch.status == ImportBatch.Status.FAILED


def test_the_matrix_covers_every_kind_and_path() -> None:
    kinds = {(kind, path) for _attack, kind, path in (p.values for p in MATRIX)}
    assert {kind for kind, _path in kinds} == set(hostile.ALL_KINDS)
    assert {path for _kind, path in kinds} == {"reader", "command", "web", "api"}
    assert len(MATRIX) > 200


# --- formula text from a CSV import ---------------------------------------------------------

FORMULAS = ["=cmd|' /C calc'!A0", "+1+cmd|x", "-2+cmd|x", "@SUM(A1)"]


@pytest.fixture
def imported_formulas(tmp_path: Path) -> list[str]:
    """A CSV import whose flags start with formula characters: data, stored as written."""
    from ayni.monitoring.tests.importing import make_catalogue, write_csv

    make_catalogue()
    rows = [["t-births", code, "2015", "7", "t-sien", flag] for code, flag in
            zip(["15", "03", "01", "02"], FORMULAS, strict=True)]  # fmt: skip
    header = ["indicator", "location", "period", "value", "source", "flags"]
    path = write_csv(tmp_path / "formulas.csv", rows, header)
    run_import(format="csv", path=path, country=Country.objects.get(iso2="PE"))
    assert sorted(DataValue.objects.values_list("flags", flat=True)) == sorted(FORMULAS)
    return FORMULAS


@pytest.mark.django_db
def test_formula_text_from_an_import_is_escaped_in_exports(imported_formulas, api_for) -> None:
    """A CSV cell starting with = + - @ is data and is stored as written, but every export
    writes it with a leading ' so that no spreadsheet runs it."""
    import io

    import openpyxl

    from ayni.core.exports import get_export_type

    body = b"".join(api_for("ana").get("/api/data-values/", {"output": "csv"}).streaming_content)
    text = body.decode("utf-8-sig")
    for formula in imported_formulas:
        assert f"'{formula}" in text
        assert f",{formula}" not in text and f'"{formula}' not in text
    export = get_export_type("monitoring.data-values")
    out = io.BytesIO()
    export.write(User.objects.get(username="ana"), {}, "xlsx", out, lambda _done: None)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()), read_only=True).worksheets[0]
    cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    for formula in imported_formulas:
        assert "'" + formula in cells
        assert formula not in cells


@pytest.mark.django_db
def test_json_names_a_line_of_the_mapping(tmp_path: Path) -> None:
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps({"constants": {}}, indent=1)[:-1])
    with pytest.raises(ImportRefused, match=r"mapping.json: not valid JSON at line \d+"):
        load_mapping(path)
