"""Writes on jobs: retry a failed job, remove the files (and rows) of old jobs, daily."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ayni.core import jobs, liveness
from ayni.core.models import ChoreRun, Job, JobFile

logger = logging.getLogger(__name__)


def job_retry(*, job: Job, user: Any) -> Job:
    """Run a failed job again: a new job of the same kind with the same parameters and input
    files, started by ``user``. The caller checks ``has_perm(user, "retry", job)`` first (the
    starter alone, while the kind still lets them start it)."""
    liveness.refresh_if_dead(job)
    if job.status != Job.Status.FAILED:
        raise ValidationError(_("Only a failed job can be run again."))
    if job.kind not in jobs.HANDLERS:
        raise ValidationError(_("This kind of job can no longer be run."))
    return jobs.enqueue(job.kind, payload=job.payload, user=user, inputs_from=job, retry_of=job)


def jobs_cleanup(
    *, older_than_days: int | None = None, delete_jobs: bool = False, now: datetime | None = None
) -> dict[str, int]:
    """Remove, through the storage API, the files of jobs that finished long ago: input files
    (uploads) after ``AYNI_UPLOAD_RETENTION_DAYS``, output files (exports) after
    ``AYNI_EXPORT_RETENTION_DAYS``, both after ``older_than_days`` when given. With
    ``delete_jobs`` the rows of jobs past both go too. Queued and running jobs are never
    touched; a stored file that another job still reads (a retry shares its input) is kept.
    Returns what was removed."""
    if older_than_days is not None and older_than_days < 0:
        raise ValueError("older_than_days must not be negative")
    now = now or timezone.now()
    days = {
        JobFile.Role.INPUT: settings.AYNI_UPLOAD_RETENTION_DAYS,
        JobFile.Role.OUTPUT: settings.AYNI_EXPORT_RETENTION_DAYS,
    }
    if older_than_days is not None:
        days = dict.fromkeys(days, older_than_days)
    finished = Job.objects.filter(status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED])
    expired = Q()
    for role, kept_days in days.items():
        cutoff = now - timedelta(days=kept_days)
        expired |= Q(role=role, job__in=finished.filter(finished_at__lt=cutoff))
    rows = list(JobFile.objects.filter(expired))
    names = sorted({row.file.name for row in rows if row.file.name})
    shared = set(
        JobFile.objects.filter(file__in=names)
        .exclude(pk__in=[row.pk for row in rows])
        .values_list("file", flat=True)
    )
    old = finished.filter(finished_at__lt=now - timedelta(days=max(days.values())))
    with transaction.atomic():
        JobFile.objects.filter(pk__in=[row.pk for row in rows]).delete()
        removed_jobs = old.delete()[1].get(Job._meta.label, 0) if delete_jobs else 0
    # The rows go first: a file whose deletion fails is left over, never a row without its file.
    storage = JobFile._meta.get_field("file").storage
    deleted = 0
    for name in names:
        if name in shared:
            continue
        try:
            if storage.exists(name):
                storage.delete(name)
                deleted += 1
        except OSError:
            logger.warning("job file %s could not be deleted", name, exc_info=True)
    return {"files": deleted, "file_rows": len(rows), "jobs": removed_jobs}


CLEANUP = "jobs_cleanup"
CLEANUP_EVERY = timedelta(days=1)


def jobs_cleanup_if_due(*, now: datetime | None = None) -> dict[str, int] | None:
    """Run ``jobs_cleanup`` with the retention settings if it has not run for a day; None
    when it is not due. Workers call it in their loop: claiming the run is one conditional
    update, so when several workers ask at once one alone runs it."""
    now = now or timezone.now()
    ChoreRun.objects.get_or_create(name=CLEANUP, defaults={"ran_at": now - 2 * CLEANUP_EVERY})
    claimed = ChoreRun.objects.filter(name=CLEANUP, ran_at__lte=now - CLEANUP_EVERY).update(
        ran_at=now
    )
    if not claimed:
        return None
    return jobs_cleanup(now=now)
