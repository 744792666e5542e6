"""Building blocks shared by every domain: bilingual text and the record of each import."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


def localized(obj: Any, field: str) -> str:
    """The value of ``field_<lang>`` for the active language, falling back to Spanish, then
    English, so that a record translated in one language only still shows something."""
    lang = (translation.get_language() or "es")[:2]
    for code in (lang, "es", "en"):
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return str(value)
    return ""


class ImportBatch(models.Model):
    """One run of an importer: who ran it, on which file, and what it did.

    Every importer of every domain records its runs here (dry runs included), so that the
    history of what entered the database, and what was refused, is in one place.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    class Mode(models.TextChoices):
        ATOMIC = "atomic", _("all or nothing")
        BEST_EFFORT = "best_effort", _("best effort")

    kind = models.CharField(_("kind"), max_length=64)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True)
    file_size = models.BigIntegerField(_("file size (bytes)"), default=0)
    options = models.JSONField(_("options"), default=dict, blank=True)
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.ATOMIC)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.get_status_display()})"


def job_storage() -> Storage:
    """Where job files live: the ``jobs`` storage of ``STORAGES`` (a folder under the data
    directory by default, never served as static or media files)."""
    return storages["jobs"]


def job_file_name(instance: JobFile, filename: str) -> str:
    """A random stored name: the user's file name is kept in ``JobFile.name``, never as a path."""
    suffix = Path(filename).suffix.lower()[:10]
    return f"jobs/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Job(models.Model):
    """Long work (imports, exports, refreshes) run outside the request, with its progress and
    the files it reads and writes (``JobFile``).

    Where it runs is a setting (``AYNI_JOBS``): ``thread`` runs it in a thread of the web
    process (the embedded default: no extra service), ``worker`` leaves it queued for
    ``ayni worker``, which takes jobs from the database with row locks (PostgreSQL). The
    process running a job is recorded (host, process id, a token of that process's start) so
    that a job left running by a process that died can be told apart and marked failed.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=64)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    payload = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    worker_host = models.CharField(_("host running it"), max_length=255, blank=True)
    worker_pid = models.PositiveIntegerField(_("process running it"), null=True, blank=True)
    worker_token = models.CharField(_("process start token"), max_length=64, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    retry_of = models.ForeignKey(
        "self",
        verbose_name=_("retry of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="retries",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [
            models.Index(fields=["status", "created_at"], name="core_job_status_created"),
            models.Index(fields=["created_by", "created_at"], name="core_job_starter_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}

    def output(self) -> JobFile | None:
        """The file the job produced, if it produced one and it was not cleaned up since."""
        return self.files.filter(role=JobFile.Role.OUTPUT).order_by("-pk").first()

    def input(self, key: str) -> JobFile | None:
        return self.files.filter(role=JobFile.Role.INPUT, key=key).order_by("-pk").first()


class JobFile(models.Model):
    """A file a job reads (an uploaded import) or produces (an export), kept through Django's
    storage API (``STORAGES["jobs"]``) and downloaded only through a view that checks the job.

    A retry, or the real run after a dry run, reads the same input: its rows point at the same
    stored file, which is deleted only when no row points at it any more.
    """

    class Role(models.TextChoices):
        INPUT = "input", _("input")
        OUTPUT = "output", _("output")

    job = models.ForeignKey(
        Job, verbose_name=_("job"), on_delete=models.CASCADE, related_name="files"
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    key = models.CharField(_("key"), max_length=32)
    name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to=job_file_name, storage=job_storage, max_length=255)
    size = models.BigIntegerField(_("size (bytes)"), default=0)
    content_type = models.CharField(_("content type"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["job", "role", "key"]
        verbose_name = _("job file")
        verbose_name_plural = _("job files")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()}, job #{self.job_id})"
