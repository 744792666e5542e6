"""Building blocks shared by every domain: bilingual text, the record of each import, jobs,
and the event log of every workflow."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ayni.core.workflow_registry import workflow_named


def localized(obj: Any, field: str) -> str:
    """The value of ``field_<lang>`` for the active language, falling back to Spanish, then
    English, so that a record translated in one language only still shows something."""
    lang = (translation.get_language() or "es")[:2]
    for code in (lang, "es", "en"):
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return str(value)
    return ""


class Provenance(models.Model):
    """Where a record comes from: a cited fact (``source``) or an illustration.

    Every record of the default data is one or the other: a fact carries the publication or
    address it is taken from; anything invented for the demo has ``is_illustrative`` set and
    is marked so on every page (``{% illustrative_mark %}`` / ``{% provenance %}`` of the
    ``provenance`` tag library) and in the API (``core.serializers.ProvenanceSerializer``).
    The flag decides: an illustrative record may still name where its invention comes from.
    """

    # Not "Status": models that inherit this one have their own.
    class ProvenanceStatus(models.TextChoices):
        ILLUSTRATIVE = "illustrative", _("illustrative")
        CITED = "cited", _("cited")
        UNSOURCED = "unsourced", _("no source recorded")

    source = models.CharField(
        _("source"),
        max_length=1000,
        blank=True,
        help_text=_("The publication, document or web address this record is taken from."),
    )
    is_illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_(
            "Invented for the demo, not a cited fact: marked so on every page and in the API."
        ),
    )

    class Meta:
        abstract = True

    @property
    def is_cited(self) -> bool:
        return not self.is_illustrative and bool(self.source.strip())

    @property
    def provenance_status(self) -> str:
        """``illustrative``, ``cited`` or ``unsourced``: the flag first, then the source."""
        status = Provenance.ProvenanceStatus
        if self.is_illustrative:
            return status.ILLUSTRATIVE.value
        return status.CITED.value if self.source.strip() else status.UNSOURCED.value

    @property
    def provenance_label(self) -> str:
        """The status as pages and the API show it, in the active language."""
        return str(Provenance.ProvenanceStatus(self.provenance_status).label)


class RunBy(models.Model):
    """The process that runs a job or an import: its host, its process id and a token of that
    process's start (so that a process id used again is not taken for it), and its last sign
    of life. ``core.liveness`` tells from these whether the process is still there, the same
    way for jobs and import batches."""

    worker_host = models.CharField(_("host running it"), max_length=255, blank=True)
    worker_pid = models.PositiveIntegerField(_("process running it"), null=True, blank=True)
    worker_token = models.CharField(_("process start token"), max_length=64, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        abstract = True

    def this_run(self) -> dict[str, Any]:
        """Filter arguments matching this record only while it is still running in this
        process: a sweep that took the process for dead has changed its status since."""
        return {
            "pk": self.pk,
            "status": "running",
            "worker_host": self.worker_host,
            "worker_pid": self.worker_pid,
            "worker_token": self.worker_token,
        }


class ImportBatch(RunBy):
    """One run of an importer: who ran it, on which file, and what it did.

    Every importer of every domain records its runs here (dry runs included), so that the
    history of what entered the database, and what was refused, is in one place. A batch
    records the process running it (``RunBy``): one left "running" by a process that died is
    found and marked failed like a job. An importer that writes in one transaction records
    its success in that transaction, so the batch says succeeded exactly when what it wrote
    is committed.
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
    # The job that ran it, when it ran as one (the web form, the API); none from the command.
    job = models.ForeignKey(
        "core.Job",
        verbose_name=_("job"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_batches",
    )

    class Meta:
        ordering = ["-started_at"]
        # The sweep of batches left running by a dead process reads only these.
        indexes = [
            models.Index(
                fields=["status"],
                condition=models.Q(status="running"),
                name="core_importbatch_running",
            )
        ]
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


class Job(RunBy):
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


class ChoreRun(models.Model):
    """When a periodic chore (the daily cleanup of job files) last ran. Each worker asks
    whether it is due with one conditional update, so that of several workers one runs it."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    ran_at = models.DateTimeField(_("last run"))

    class Meta:
        verbose_name = _("chore run")
        verbose_name_plural = _("chore runs")

    def __str__(self) -> str:
        return f"{self.name} ({self.ran_at:%Y-%m-%d %H:%M})"


class WorkflowEvent(models.Model):
    """One step of a record along its workflow (``core.workflow``): the event log of every
    status workflow (agreements, partner reports, grants, …), written only by
    ``Workflow.take``.

    ``effective_date`` is the day the step took effect, as the person taking it entered it (a
    2014 signature recorded today says 2014); ``recorded_at`` is when it was recorded.
    """

    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("record type"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    subject = GenericForeignKey("content_type", "object_id")
    workflow = models.CharField(_("workflow"), max_length=64)
    transition = models.CharField(_("step"), max_length=64)
    from_state = models.CharField(_("from"), max_length=32)
    to_state = models.CharField(_("to"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    effective_date = models.DateField(_("effective date"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="workflowevent_subject"),
        ]
        verbose_name = _("workflow event")
        verbose_name_plural = _("workflow events")

    def __str__(self) -> str:
        return f"{self.workflow} #{self.object_id}: {self.from_state} → {self.to_state}"

    @property
    def from_label(self) -> str:
        return self._label(self.from_state)

    @property
    def to_label(self) -> str:
        return self._label(self.to_state)

    @property
    def transition_label(self) -> str:
        workflow = workflow_named(self.workflow)
        step = workflow.transitions.get(self.transition) if workflow else None
        return str(step.label) if step else self.transition

    def _label(self, state: str) -> str:
        workflow = workflow_named(self.workflow)
        return workflow.state_label(state) if workflow else state
