"""The import of data values as a background job, with progress."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

from ayni.core.imports import ImportRefused
from ayni.core.jobs import job_handler
from ayni.core.models import Job
from ayni.monitoring.imports.pipeline import load_mapping, run_import


def _lines(path: Path) -> int | None:
    """Lines of a text file (for the progress bar's total); None for binary formats."""
    if path.suffix.lower() not in {".csv", ".txt"}:
        return None
    with path.open("rb") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


@job_handler("monitoring.import")
def import_job(job: Job, report: Callable[..., None]) -> dict[str, Any]:
    # The job runs outside the request: its messages use the language of who started it.
    with translation.override(job.payload.get("language") or settings.LANGUAGE_CODE):
        return _run(job.payload, report)


def _run(payload: dict[str, Any], report: Callable[..., None]) -> dict[str, Any]:
    path = Path(payload["path"])
    user_id = payload.get("user_id")
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    total = _lines(path)
    report(0, total)
    try:
        mapping = load_mapping(Path(payload["mapping"])) if payload.get("mapping") else None
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
