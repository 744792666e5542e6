"""Importing data values in the browser: upload, preview (dry run), confirm, progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, FormView

from ayni.core import jobs, liveness
from ayni.core.exports import export_response
from ayni.core.models import ImportBatch, Job
from ayni.core.permissions import Action, has_perm, scope
from ayni.core.selectors import job_page, jobs_started_by
from ayni.core.views import ScopedView
from ayni.monitoring.imports.pipeline import MAX_MAPPING_BYTES
from ayni.monitoring.models import DataValue
from ayni.monitoring.policies import IMPORT

FORMATS = [
    ("csv", "CSV"),
    ("xlsx", "XLSX"),
    ("dhis2-json", "DHIS2 dataValueSets JSON"),
    ("dhis2-csv", "DHIS2 dataValueSets CSV"),
    ("sdmx-csv", "SDMX-CSV"),
    ("sdmx-ml", "SDMX-ML"),
]


class ImportForm(forms.Form):
    # Empty files are accepted here: the import refuses them, and records the refusal.
    file = forms.FileField(label=_("File"), allow_empty_file=True)
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS)
    mapping = forms.FileField(
        label=_("Mapping (JSON, optional)"),
        required=False,
        allow_empty_file=True,
        help_text=_("How the file's own columns and codes translate into Ayni's."),
    )
    structure = forms.FileField(
        label=_("SDMX structure (XML, optional)"),
        required=False,
        allow_empty_file=True,
        help_text=_("The data structure definition a structure-specific SDMX-ML file needs."),
    )
    best_effort = forms.BooleanField(
        label=_("Import the good rows even if some are refused"),
        required=False,
        help_text=_("Otherwise nothing is imported when any row is refused."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for key, message in upload_too_large(cleaned).items():
            self.add_error(key, message)
        return cleaned


def upload_limits() -> dict[str, int]:
    """The largest upload of each file of an import, checked before it is stored: the data
    file and the SDMX structure within ``AYNI_MAX_IMPORT_BYTES``, a mapping within its own
    limit (a structure or mapping that large would only be refused by the job, after taking
    the disk)."""
    limit = settings.AYNI_MAX_IMPORT_BYTES
    return {"file": limit, "mapping": MAX_MAPPING_BYTES, "structure": limit}


def upload_too_large(uploads: dict[str, Any]) -> dict[str, str]:
    """The uploads above their limit, each with the message saying so."""
    return {
        key: str(_("The file is larger than the limit of %(limit)s bytes.") % {"limit": limit})
        for key, limit in upload_limits().items()
        if uploads.get(key) is not None and uploads[key].size > limit
    }


def import_payload(*, file_name: str, fmt: str, atomic: bool, dry_run: bool, user: Any) -> dict:
    """The parameters of an import job (the files themselves are its input files)."""
    return {
        "format": fmt,
        "atomic": atomic,
        "dry_run": dry_run,
        "user_id": user.pk,
        "file_name": Path(file_name).name,
        # The job runs outside the request: its messages use the requester's language.
        "language": translation.get_language(),
    }


def import_confirm(dry_run: Job, user: Any) -> Job:
    """Queue the real run of a dry run: the same file and options. The caller has asked
    whether ``user`` may import (the job asks again when it runs)."""
    payload = {**dry_run.payload, "dry_run": False}
    return jobs.enqueue("monitoring.import", payload=payload, user=user, inputs_from=dry_run)


def job_batch(job: Job) -> ImportBatch | None:
    """The batch an import job recorded (also when the job's process died before it could
    say so), as a page should show it: failed if its process is gone."""
    batch_id = job.result.get("batch") if job.result else None
    batches = ImportBatch.objects.filter(pk=batch_id) if batch_id else job.import_batches.all()
    batch = batches.order_by("-pk").first()
    return liveness.refresh_if_dead(batch) if batch is not None else None


class ImportStartView(ScopedView, FormView):
    """Upload a file; it is first checked with a dry run whose result the user confirms."""

    model = DataValue
    permission_action = IMPORT
    form_class = ImportForm
    template_name = "monitoring/import_form.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        batches = scope(
            self.request.user,
            Action.VIEW,
            ImportBatch.objects.filter(kind__startswith="monitoring."),
        ).select_related("created_by")[:20]
        # A batch whose process died is shown failed, not running.
        context["batches"] = [liveness.refresh_if_dead(batch) for batch in batches]
        return context

    def form_valid(self, form: ImportForm) -> HttpResponse:
        data = form.cleaned_data
        payload = import_payload(
            file_name=data["file"].name,
            fmt=data["format"],
            atomic=not data["best_effort"],
            dry_run=True,
            user=self.request.user,
        )
        job = jobs.enqueue(
            "monitoring.import",
            payload=payload,
            user=self.request.user,
            inputs={
                "data": data["file"],
                "mapping": data["mapping"],
                "structure": data["structure"],
            },
        )
        return HttpResponseRedirect(reverse("monitoring:import-job", args=[job.pk]))


class ImportJobView(ScopedView, DetailView):
    """The job's page: a progress bar while it runs (refreshed by htmx, or by reloading),
    then its summary, its errors and, after a dry run, the button that imports for real."""

    model = Job
    template_name = "monitoring/import_job.html"
    context_object_name = "job"

    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request"):
            return ["monitoring/_import_job_status.html"]
        return [self.template_name]

    def get_queryset(self) -> QuerySet[Job]:
        return jobs_started_by(self.request.user).filter(kind="monitoring.import")

    def get_object(self, queryset: QuerySet[Job] | None = None) -> Job:
        return jobs.live(liveness.refresh_if_dead(super().get_object(queryset)))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job: Job = self.object
        context["batch"] = job_batch(job)
        context["can_retry"] = job_page(job, self.request.user)["can_retry"]
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Confirm a dry run: run the same file and options for real."""
        job: Job = self.get_object()
        if not job.payload.get("dry_run") or job.status != Job.Status.SUCCEEDED:
            return HttpResponseRedirect(request.path)
        if job.created_by_id != request.user.pk or not has_perm(request.user, IMPORT, DataValue):
            raise PermissionDenied
        real = import_confirm(job, request.user)
        return HttpResponseRedirect(reverse("monitoring:import-job", args=[real.pk]))


class ImportErrorsView(ScopedView, View):
    """The error report of an import batch, as CSV (line, field, message, item): an export,
    streamed, or a job when the batch refused very many lines."""

    model = ImportBatch

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        visible = scope(request.user, Action.VIEW, ImportBatch.objects.all())
        batch = get_object_or_404(visible, pk=kwargs["pk"])
        params = {"batch": str(batch.pk)}
        return export_response(request, "monitoring.import-errors", "csv", params)
