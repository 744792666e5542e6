"""Writes on jobs: retry a failed job, remove the files (and rows) of old jobs."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ayni.core import jobs, liveness
from ayni.core.models import Job, JobFile

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
    *, older_than_days: int, delete_jobs: bool = False, now: datetime | None = None
) -> dict[str, int]:
    """Remove, through the storage API, the files of jobs that finished more than
    ``older_than_days`` days ago, and with ``delete_jobs`` the job rows too. Queued and
    running jobs are never touched; a stored file that a newer job still reads (a retry
    shares its input) is kept. Returns what was removed."""
    if older_than_days < 0:
        raise ValueError("older_than_days must not be negative")
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    old = Job.objects.filter(
        status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED], finished_at__lt=cutoff
    )
    rows = list(JobFile.objects.filter(job__in=old))
    names = sorted({row.file.name for row in rows if row.file.name})
    shared = set(
        JobFile.objects.filter(file__in=names).exclude(job__in=old).values_list("file", flat=True)
    )
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
