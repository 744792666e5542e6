"""The import of data values as a background job, with progress; the uploaded file (and
mapping, and SDMX structure) are the job's input files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ayni.core.imports import ImportRefused
from ayni.core.jobs import input_path, job_handler
from ayni.core.models import Job, JobFile
from ayni.core.permissions import has_perm
from ayni.monitoring.imports.base import Mapping
from ayni.monitoring.imports.pipeline import load_mapping, run_import
from ayni.monitoring.models import DataValue
from ayni.monitoring.policies import IMPORT


def _lines(path: Path) -> int | None:
    """Lines of a text file (for the progress bar's total); None for binary formats."""
    if path.suffix.lower() not in {".csv", ".txt"}:
        return None
    with path.open("rb") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


def _describe(job: Job) -> list[tuple[Any, str]]:
    payload = job.payload
    return [
        (_("File"), str(payload.get("file_name", ""))),
        (_("Format"), str(payload.get("format", ""))),
        (_("Dry run"), str(_("yes") if payload.get("dry_run") else _("no"))),
        (
            _("Mode"),
            str(_("all or nothing") if payload.get("atomic", True) else _("best effort")),
        ),
    ]


def may_import(user: Any, payload: dict[str, Any] | None = None) -> bool:
    """May ``user`` start (or confirm, or still run) an import: the data values' action."""
    return bool(user is not None and user.is_active and has_perm(user, IMPORT, DataValue))


@job_handler(
    "monitoring.import",
    title=_("Import of data values"),
    page="monitoring:import-job",
    describe=_describe,
    may_start=may_import,
)
def import_job(job: Job, report: Callable[..., None]) -> dict[str, Any]:
    # The job runs outside the request: its messages use the language of who started it.
    with (
        translation.override(job.payload.get("language") or settings.LANGUAGE_CODE),
        input_path(job, "data") as data,
        input_path(job, "mapping") as mapping,
        input_path(job, "structure") as structure,
    ):
        if data is None:
            raise ImportRefused(gettext("The uploaded file is no longer kept."))
        result = _run(job.payload, data, mapping, report, structure)
    if "refused" in result:
        result["refused"] = _as_uploaded(job, result["refused"])
    return result


def _as_uploaded(job: Job, message: str) -> str:
    """A refusal naming the files as they were uploaded: the readers name the stored files,
    whose names are the storage's own (random, so nothing else in a message matches one)."""
    for stored in job.files.filter(role=JobFile.Role.INPUT):
        message = message.replace(Path(stored.file.name).name, stored.name)
    return message


def _run(
    payload: dict[str, Any],
    path: Path,
    mapping_path: Path | None,
    report: Callable[..., None],
    structure_path: Path | None = None,
) -> dict[str, Any]:
    user_id = payload.get("user_id")
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    # Asked again now: the starter's role may have been lowered since the upload or confirm.
    if not may_import(user):
        raise ImportRefused(gettext("You may no longer import data values."))
    total = _lines(path)
    report(0, total)
    try:
        mapping = load_mapping(mapping_path) if mapping_path else None
        if structure_path is not None:
            mapping = mapping or Mapping()
            mapping.structure_file = structure_path  # the job's own input file
        batch, _result = run_import(
            format=payload["format"],
            path=path,
            user=user,
            mapping=mapping,
            dry_run=payload.get("dry_run", False),
            atomic=payload.get("atomic", True),
            progress=lambda done: report(done, total),
        )
    except ImportRefused as exc:
        refused = getattr(exc, "batch", None)
        return {
            "refused": str(exc),
            "batch": refused.pk if refused else None,
            "counts": refused.counts if refused else {},
        }
    return {"batch": batch.pk, "counts": batch.counts}
