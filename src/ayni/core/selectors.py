"""Reads on jobs: a user's jobs, what a job page shows, the file a user may download."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from ayni.core import jobs
from ayni.core.models import Job, JobFile


def jobs_started_by(user: Any) -> QuerySet[Job]:
    """The jobs ``user`` started, newest first. Pages and the API show a job to its starter
    alone, a superuser included (the policy's scope lets superusers see every job: the admin)."""
    if not getattr(user, "pk", None):
        return Job.objects.none()
    return Job.objects.filter(created_by=user).order_by("-created_at", "-pk")


def job_url(job: Job) -> str:
    """The page of ``job``: its kind's own page (the import page), else the job page."""
    return reverse(jobs.kind_of(job).page or "core:job", args=[job.pk])


def _may_use(job: Job, user: Any) -> bool:
    """Is ``user`` the job's starter, still allowed what the job does (read the records an
    export holds, import data values)?"""
    if not getattr(user, "pk", None) or job.created_by_id != user.pk:
        return False
    kind = jobs.kind_of(job)
    return kind.may_start is None or kind.may_start(user, job.payload)


def job_parameters(job: Job) -> list[tuple[Any, str]]:
    """The job's parameters as a person reads them (by its kind), never internal values."""
    describe = jobs.kind_of(job).describe
    if describe is not None:
        return describe(job)
    internal = {"language", "user_id"}
    return [(key, str(value)) for key, value in sorted(job.payload.items()) if key not in internal]


def job_page(job: Job, user: Any) -> dict[str, Any]:
    """What the job page shows beside the job itself."""
    output = job.output() if job.status == Job.Status.SUCCEEDED else None
    return {
        "title": jobs.kind_of(job).title or job.kind,
        "parameters": job_parameters(job),
        "output": output if output is not None and _may_use(job, user) else None,
        "file_removed": job.status == Job.Status.SUCCEEDED
        and bool(job.result.get("file_name"))
        and output is None,
        "can_retry": job.status == Job.Status.FAILED and _may_use(job, user),
        "retries": list(job.retries.order_by("created_at")),
    }


def job_download(user: Any, job_id: int) -> JobFile:
    """The output file of job ``job_id`` for ``user``: only its starter, only while they may
    still read what it holds. Anything else is 404 (its existence is not revealed)."""
    job = Job.objects.filter(pk=job_id, created_by_id=getattr(user, "pk", None)).first()
    if job is None or not _may_use(job, user):
        raise Http404
    output = job.output()
    if output is None:
        raise Http404
    return output
