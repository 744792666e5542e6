"""API for jobs (read by their starter; download what one produced; retry one that failed)
and for starting an export as a job."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from ayni.core import jobs, liveness, selectors, services
from ayni.core.exports import EXPORT_TYPES, export_params, export_start
from ayni.core.models import Job
from ayni.core.params import path_id
from ayni.core.permissions import has_perm
from ayni.core.policies import RETRY
from ayni.core.viewsets import ScopedReadOnlyViewSet


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True, allow_null=True)
    started_by = serializers.SerializerMethodField()
    parameters = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "progress_done",
            "progress_total",
            "percent",
            "parameters",
            "result",
            "message",
            "started_by",
            "created_at",
            "started_at",
            "finished_at",
            "heartbeat_at",
            "retry_of",
            "download",
            "page",
        ]
        read_only_fields = fields  # a job is written by the runner, never through the API

    def to_representation(self, instance: Job) -> dict[str, Any]:
        return super().to_representation(jobs.live(liveness.refresh_if_dead(instance)))

    def get_started_by(self, obj: Job) -> str | None:
        return obj.created_by.username if obj.created_by else None

    def get_parameters(self, obj: Job) -> dict[str, str]:
        return {str(label): value for label, value in selectors.job_parameters(obj)}

    def get_download(self, obj: Job) -> str | None:
        """The API address of the job's file, when it has one (for its starter only)."""
        if obj.status != Job.Status.SUCCEEDED or obj.output() is None:
            return None
        return reverse("job-download", args=[obj.pk])

    def get_page(self, obj: Job) -> str:
        return selectors.job_url(obj)


class JobViewSet(ScopedReadOnlyViewSet):
    """The jobs the user started (imports, exports): state, progress, parameters, result;
    ``download`` streams the file a job produced, ``retry`` runs a failed job again."""

    queryset = Job.objects.select_related("created_by")
    serializer_class = JobSerializer

    def get_queryset(self) -> QuerySet[Job]:
        if self.action == "list":
            liveness.sweep_if_due()
        # A job is its starter's alone, a superuser's included (the admin shows every job).
        return selectors.jobs_started_by(self.request.user).select_related("created_by")

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="the file the job produced"
            )
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """The file the job produced: for its starter, while they may still read it."""
        stored = selectors.job_download(request.user, path_id(pk))
        return FileResponse(
            stored.file.open("rb"),
            as_attachment=True,
            filename=stored.name,
            content_type=stored.content_type or "application/octet-stream",
        )

    @extend_schema(request=None, responses={201: JobSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        """Run a failed job again (same kind, parameters and input files); its starter only."""
        job = self.get_object()
        if not has_perm(request.user, RETRY, job):
            self.permission_denied(request)
        # Refusals (the job is not failed) answer 400 through the one exception handler.
        retried = services.job_retry(job=job, user=request.user)
        return Response(JobSerializer(retried).data, status=201)


class ExportRequestSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[])
    format = serializers.ChoiceField(choices=["csv", "xlsx"])
    params = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = sorted(EXPORT_TYPES)  # type: ignore[attr-defined]


class ExportViewSet(viewsets.GenericViewSet):
    """Start an export as a job: ``type`` (e.g. ``finance.grants``), ``format`` and the
    ``params`` its list page takes (filters, ``sort``). Poll the job, then download its file."""

    queryset = Job.objects.none()  # the model the permission check asks about: starting a job
    serializer_class = ExportRequestSerializer

    @extend_schema(request=ExportRequestSerializer, responses={201: JobSerializer})
    def create(self, request: Request) -> Response:
        form = ExportRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        export = EXPORT_TYPES[form.validated_data["type"]]
        fmt = form.validated_data["format"]
        if fmt not in export.formats:
            raise ValidationError({"format": [f"{export.name} has no {fmt} format"]})
        params = export_params(form.validated_data.get("params") or {})
        try:
            job = export_start(user=request.user, name=export.name, fmt=fmt, params=params)
        except PermissionDenied:
            self.permission_denied(request)
        return Response(JobSerializer(job).data, status=201)


def register(router: BaseRouter) -> None:
    router.register("jobs", JobViewSet, basename="job")
    router.register("exports", ExportViewSet, basename="export")
