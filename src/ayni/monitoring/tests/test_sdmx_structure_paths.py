"""A mapping cannot make the server open a file: an SDMX structure is uploaded with the
import, or chosen by name among the structures the server keeps; a path in
``constants.structure`` is refused with one message whether or not the file exists."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from ayni.core.imports import ImportRefused
from ayni.core.models import ImportBatch, Job
from ayni.core.tests.shared_data import need
from ayni.monitoring.imports.base import Mapping
from ayni.monitoring.imports.pipeline import load_mapping
from ayni.monitoring.imports.sdmx import read_sdmx_ml
from ayni.monitoring.tests.test_sdmx import DSD, STRUCTURE_SPECIFIC

SETTINGS_FILE = Path(django_settings.BASE_DIR) / "settings.py"
PATHS = [
    "/etc/passwd",  # exists
    "/etc/no-such-file",  # does not
    "../../settings.py",
    str(SETTINGS_FILE),  # absolute, exists
    "var/demo-admin.txt",  # relative
    "dataflow_CME_dsd.xml/../../../etc/passwd",
]


@pytest.fixture
def structures(settings, tmp_path: Path) -> Path:
    """The server's structures folder, holding the UNICEF CME structure."""
    folder = tmp_path / "structures"
    folder.mkdir()
    (folder / "dataflow_CME_dsd.xml").write_bytes(need(DSD).read_bytes())
    settings.AYNI_SDMX_STRUCTURES_DIR = folder
    return folder


def refusal(tmp_path: Path, mapping: Mapping) -> str:
    data = tmp_path / "ss.xml"
    data.write_text(STRUCTURE_SPECIFIC)
    with pytest.raises(ImportRefused) as refused, translation.override("en"):
        list(read_sdmx_ml(data, mapping))
    return str(refused.value)


def test_a_path_in_a_mapping_is_refused_alike_whether_or_not_it_exists(
    structures: Path, tmp_path: Path
) -> None:
    assert Path("/etc/passwd").exists() and SETTINGS_FILE.exists()
    messages = {refusal(tmp_path, Mapping(constants={"structure": path})): path for path in PATHS}
    assert len(messages) == 1, messages
    message = next(iter(messages))
    assert message == (
        "ss.xml: constants.structure names no structure kept by the server (known: "
        "dataflow_CME_dsd.xml); upload the structure file with the import instead"
    )


def test_a_stored_structure_is_chosen_by_name(structures: Path, tmp_path: Path) -> None:
    data = tmp_path / "ss.xml"
    data.write_text(STRUCTURE_SPECIFIC)
    mapping = Mapping(constants={"structure": "dataflow_CME_dsd.xml"}, locations={"PER": "PE"})
    assert (
        len([v for v in read_sdmx_ml(data, mapping) if v.__class__.__name__ == "ParsedValue"]) == 3
    )


def test_a_mapping_file_cannot_name_a_structure_file(tmp_path: Path) -> None:
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps({"structure_file": "/etc/passwd"}))
    with pytest.raises(ImportRefused, match="unknown key"):
        load_mapping(path)


# --- through the web and the API ---------------------------------------------------------------


@pytest.fixture
def queued_jobs(settings, tmp_path: Path) -> None:
    settings.AYNI_JOBS = "worker"
    settings.MEDIA_ROOT = tmp_path / "media"


def _files(structure: str | None, upload: bool = False) -> dict[str, Any]:
    files: dict[str, Any] = {
        "file": SimpleUploadedFile("ss.xml", STRUCTURE_SPECIFIC.encode()),
        "format": "sdmx-ml",
    }
    mapping: dict[str, Any] = {"locations": {"PER": "15"}}
    if structure is not None:
        mapping["constants"] = {"structure": structure}
    files["mapping"] = SimpleUploadedFile("mapping.json", json.dumps(mapping).encode())
    if upload:
        files["structure"] = SimpleUploadedFile("dsd.xml", need(DSD).read_bytes())
    return files


def _result(job_id: int) -> dict[str, Any]:
    call_command("worker", "--once")
    job = Job.objects.get(pk=job_id)
    # A refused file fails its job, with the refusal in its result.
    refused = bool(job.result.get("refused"))
    assert job.status == (Job.Status.FAILED if refused else Job.Status.SUCCEEDED), job.message
    return job.result


def _web(client_for: Any, files: dict[str, Any]) -> dict[str, Any]:
    response = client_for("ana").post(
        reverse("monitoring:import"), files, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    return _result(int(response["Location"].rstrip("/").split("/")[-1]))


def _api(api_for: Any, files: dict[str, Any]) -> dict[str, Any]:
    response = api_for("ana").post(
        "/api/imports/", files, format="multipart", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 201, response.content
    return _result(response.json()["id"])


@pytest.mark.django_db
@pytest.mark.usefixtures("queued_jobs", "structures")
@pytest.mark.parametrize("through", ["web", "api"])
def test_paths_in_a_mapping_are_refused_through_the_web_and_the_api(
    client_for: Any, api_for: Any, through: str
) -> None:
    run = (lambda f: _web(client_for, f)) if through == "web" else (lambda f: _api(api_for, f))
    # The message names the data file, then says why.
    refusals = {run(_files(path))["refused"].partition(": ")[2] for path in PATHS}
    assert refusals == {
        "constants.structure names no structure kept by the server (known: "
        "dataflow_CME_dsd.xml); upload the structure file with the import instead"
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("queued_jobs")
@pytest.mark.parametrize("through", ["web", "api"])
def test_an_uploaded_structure_is_used(client_for: Any, api_for: Any, through: str) -> None:
    run = (lambda f: _web(client_for, f)) if through == "web" else (lambda f: _api(api_for, f))
    result = run(_files(None, upload=True))
    assert "refused" not in result or "structure" not in result["refused"], result
    assert result["counts"]["read"] == 3
    job = Job.objects.latest("pk")
    assert {f.key for f in job.files.all()} >= {"data", "mapping", "structure"}


@pytest.mark.django_db
def test_the_command_takes_a_local_structure_file(tmp_path: Path) -> None:
    data = tmp_path / "ss.xml"
    data.write_text(STRUCTURE_SPECIFIC)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"locations": {"PER": "15"}}))
    arguments = [str(data), "--mapping", str(mapping), "--country", "pe", "--dry-run"]
    with pytest.raises(CommandError, match="needs its data structure definition"):
        call_command("import", "sdmx-ml", *arguments)
    with pytest.raises(CommandError) as refused:  # its values name no known indicator
        call_command("import", "sdmx-ml", *arguments, "--structure", str(need(DSD)))
    assert "structure" not in str(refused.value)
    assert ImportBatch.objects.latest("pk").options["structure"] == "dataflow_CME_dsd.xml"
