"""Importing data values in the browser: upload, preview (dry run), confirm, progress."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView

from ayni.core import jobs
from ayni.core.models import ImportBatch, Job
from ayni.core.permissions import Action, scope
from ayni.core.views import ScopedView
from ayni.monitoring.imports.pipeline import write_error_report
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
    file = forms.FileField(label=_("File"))
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS)
    mapping = forms.FileField(
        label=_("Mapping (JSON, optional)"),
        required=False,
        help_text=_("How the file's own columns and codes translate into Ayni's."),
    )
    best_effort = forms.BooleanField(
        label=_("Import the good rows even if some are refused"),
        required=False,
        help_text=_("Otherwise nothing is imported when any row is refused."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.AYNI_MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than the limit of %(limit)s bytes."),
                params={"limit": settings.AYNI_MAX_IMPORT_BYTES},
            )
        return upload


def save_upload(upload: Any) -> str:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    # A random name: the uploader's file name is kept only as a suffix, never as a path.
    target = folder / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()[:10]}"
    with target.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return str(target)


class ImportStartView(ScopedView, FormView):
    """Upload a file; it is first checked with a dry run whose result the user confirms."""

    model = DataValue
    permission_action = IMPORT
    form_class = ImportForm
    template_name = "monitoring/import_form.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["batches"] = scope(
            self.request.user,
            Action.VIEW,
            ImportBatch.objects.filter(kind__startswith="monitoring."),
        ).select_related("created_by")[:20]
        return context

    def form_valid(self, form: ImportForm) -> HttpResponse:
        payload = {
            "path": save_upload(form.cleaned_data["file"]),
            "mapping": save_upload(form.cleaned_data["mapping"])
            if form.cleaned_data["mapping"]
            else "",
            "format": form.cleaned_data["format"],
            "atomic": not form.cleaned_data["best_effort"],
            "dry_run": True,
            "user_id": self.request.user.pk,
            "file_name": form.cleaned_data["file"].name,
            # The job runs outside the request: its messages use the requester's language.
            "language": translation.get_language(),
        }
        job = jobs.enqueue("monitoring.import", payload=payload, user=self.request.user)
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

    def get_object(self, queryset: QuerySet[Job] | None = None) -> Job:
        return jobs.live(super().get_object(queryset))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job: Job = self.object
        batch_id = job.result.get("batch") if job.result else None
        context["batch"] = ImportBatch.objects.filter(pk=batch_id).first() if batch_id else None
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Confirm a dry run: run the same file and options for real."""
        job: Job = self.get_object()
        if not job.payload.get("dry_run") or job.status != Job.Status.SUCCEEDED:
            return HttpResponseRedirect(request.path)
        payload = {**job.payload, "dry_run": False}
        real = jobs.enqueue("monitoring.import", payload=payload, user=request.user)
        return HttpResponseRedirect(reverse("monitoring:import-job", args=[real.pk]))


class ImportErrorsView(ScopedView, DetailView):
    """The error report of an import batch, as CSV (line, field, message, item)."""

    model = ImportBatch

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        batch = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        buffer = io.StringIO()
        buffer.write("\ufeff")  # so spreadsheet programs read accents correctly
        write_error_report(batch, buffer)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.csv"'
        return response
