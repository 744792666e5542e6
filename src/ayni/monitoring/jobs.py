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

from ayni.core.imports import ImportRefused, record_refused
from ayni.core.jobs import JobRefused, input_path, job_handler
from ayni.core.models import Job
from ayni.core.permissions import has_perm
from ayni.monitoring.imports.pipeline import run_import
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
        return _run(job, data, mapping, report, structure)


def _run(
    job: Job,
    path: Path,
    mapping_path: Path | None,
    report: Callable[..., None],
    structure_path: Path | None = None,
) -> dict[str, Any]:
    """Run the import; a refused file fails the job (``JobRefused``) with the reason, its
    result leading to the batch that records it."""
    payload = job.payload
    user_id = payload.get("user_id")
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    run = {
        "path": path,
        "user": user,
        "dry_run": payload.get("dry_run", False),
        "atomic": payload.get("atomic", True),
    }
    # Asked again now: the starter's role may have been lowered since the upload or confirm.
    if not may_import(user):
        message = gettext("You may no longer import data values.")
        batch = record_refused(
            message=message,
            kind=f"monitoring.{payload['format']}",
            options={"format": payload["format"]},
            job=job,
            **run,
        )
        raise JobRefused(message, {"refused": message, "batch": batch.pk, "counts": {}})
    total = _lines(path)
    report(0, total)
    try:
        batch, _result = run_import(
            format=payload["format"],
            mapping_file=mapping_path,
            structure_file=structure_path,
            progress=lambda done: report(done, total),
            job=job,
            **run,
        )
    except ImportRefused as exc:
        refused = exc.batch
        raise JobRefused(
            str(exc),
            {
                "refused": str(exc),
                "batch": refused.pk if refused else None,
                "counts": refused.counts if refused else {},
            },
        ) from exc
    return {"batch": batch.pk, "counts": batch.counts}
