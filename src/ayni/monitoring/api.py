"""API for indicators, data values (paginated, or streamed as CSV), targets and analytics."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from ayni.core import jobs
from ayni.core.drf import AyniPermission, MultiPartParser
from ayni.core.exports import export_params, get_export_type
from ayni.core.job_api import JobSerializer
from ayni.core.models import Job
from ayni.core.params import choice_param, year_list_param, year_param
from ayni.core.permissions import Action, scope
from ayni.core.serializers import ProvenanceSerializer, ScopedSerializerMixin
from ayni.core.viewsets import ScopedReadOnlyViewSet
from ayni.geography.models import AdminLevel, Country
from ayni.geography.selectors import CountryNotChosen, country_for, national_location
from ayni.monitoring import analytics, equity
from ayni.monitoring.exports import FILTERS, filter_data_values
from ayni.monitoring.import_views import FORMATS as IMPORT_FORMATS
from ayni.monitoring.import_views import import_confirm, import_payload, upload_too_large
from ayni.monitoring.models import DataValue, Indicator, Target
from ayni.monitoring.policies import IMPORT
from ayni.monitoring.selectors import FIRST_LEVEL


class IndicatorSerializer(ScopedSerializerMixin, ProvenanceSerializer):
    codes = serializers.SerializerMethodField()
    dimensions: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "name_es",
            "name_en",
            "definition_es",
            "definition_en",
            "unit",
            "direction",
            "numerator_es",
            "numerator_en",
            "denominator_es",
            "denominator_en",
            "frequency",
            "decimals",
            "dimensions",
            "codes",
            "results",
            "goals",
            "source",
            "is_illustrative",
        ]

    def get_codes(self, obj: Indicator) -> dict[str, str]:
        return {c.system: c.code for c in obj.codes.all()}


class IndicatorViewSet(ScopedReadOnlyViewSet):
    queryset = Indicator.objects.prefetch_related("codes", "dimensions", "results", "goals")
    serializer_class = IndicatorSerializer
    lookup_field = "code"


class DataValueSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    indicator: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    location: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    source: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True
    )

    class Meta:
        model = DataValue
        fields = [
            "id",
            "indicator",
            "location",
            "period_type",
            "period",
            "year",
            "disaggregation",
            "value",
            "lower",
            "upper",
            "numerator",
            "denominator",
            "source",
            "flags",
            "import_batch",
            "is_illustrative",
        ]


@extend_schema(
    parameters=[
        *[
            OpenApiParameter(name, OpenApiTypes.STR, enum=DataValue.PeriodType.values)
            if name == "period_type"
            else OpenApiParameter(name, OpenApiTypes.INT if name == "year" else OpenApiTypes.STR)
            for name in FILTERS
        ],
        OpenApiParameter(
            "output",
            OpenApiTypes.STR,
            enum=["csv"],
            description="csv streams every matching value, unpaginated",
        ),
    ]
)
class DataValueViewSet(ScopedReadOnlyViewSet):
    """Data values, filterable; ``?output=csv`` streams all matching rows without paging."""

    queryset = DataValue.objects.select_related("indicator", "location", "source")
    serializer_class = DataValueSerializer

    def get_queryset(self) -> QuerySet[DataValue]:
        queryset = super().get_queryset()
        queryset = filter_data_values(queryset, self.request.query_params)
        return queryset.order_by("indicator__code", "location__code", "period", "pk")

    @extend_schema(
        responses={
            (200, "application/json"): DataValueSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
        }
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        if choice_param(request.query_params, "output", ["csv"]) == "csv":
            # Always streamed: API clients read the body as it comes, however long.
            params = export_params(request.query_params)
            return get_export_type("monitoring.data-values").response(request.user, params, "csv")
        return super().list(request, *args, **kwargs)


class TargetSerializer(ProvenanceSerializer):
    indicator: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    location: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Target
        fields = [
            "id",
            "indicator",
            "location",
            "kind",
            "year",
            "value",
            "source",
            "is_illustrative",
        ]


class TargetViewSet(ScopedReadOnlyViewSet):
    queryset = Target.objects.select_related("indicator", "location")
    serializer_class = TargetSerializer


COUNTRY_PARAMETER = OpenApiParameter(
    "country",
    OpenApiTypes.STR,
    description=(
        "ISO 3166-1 code. A country office's users get their office's country (another one "
        "answers 404); everyone else names one, unless only one country is loaded."
    ),
)


class AnalyticsViewSet(viewsets.ViewSet):
    """Queries on the analytics store (read-only, public like the data itself), one country
    at a time: ``by-location-year`` and ``equity``."""

    permission_classes = [AyniPermission]
    queryset = Indicator.objects.none()  # the model AyniPermission checks

    def _indicator(self, request: Request) -> Indicator:
        code = request.query_params.get("indicator", "")
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None:
            raise ValidationError({"indicator": f"unknown indicator {code!r}"})
        return indicator

    def _country(self, request: Request) -> Country:
        code = request.query_params.get("country")
        try:
            return country_for(request.user, code)
        except Country.DoesNotExist:
            raise NotFound(f"no country {code!r} here") from None
        except CountryNotChosen as exc:
            raise ValidationError({"country": f"{exc}: choose one with ?country="}) from None

    @extend_schema(
        operation_id="analytics_by_location_year",
        parameters=[
            OpenApiParameter("indicator", OpenApiTypes.STR, required=True),
            COUNTRY_PARAMETER,
            OpenApiParameter("level", OpenApiTypes.STR, description="department, province, …"),
            OpenApiParameter("year", OpenApiTypes.INT, many=True),
            OpenApiParameter("disaggregation", OpenApiTypes.STR),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def list(self, request: Request) -> Response:
        indicator = self._indicator(request)
        country = self._country(request)
        years = year_list_param(request.query_params) or None
        levels = AdminLevel.objects.filter(country=country).values_list("slug", flat=True)
        level = choice_param(request.query_params, "level", levels) or "department"
        rows = analytics.indicator_by_location_year(
            indicator,
            level=level,
            years=years,
            disaggregation=request.query_params.get("disaggregation", ""),
            country=country.iso2,
        )
        return Response({"indicator": indicator.code, "country": country.iso2, "rows": rows})

    @extend_schema(
        operation_id="analytics_equity",
        parameters=[
            OpenApiParameter("indicator", OpenApiTypes.STR, required=True),
            COUNTRY_PARAMETER,
            OpenApiParameter("year", OpenApiTypes.INT),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=False, methods=["get"])
    def equity(self, request: Request) -> Response:
        """``/api/analytics/equity/?indicator=…``: region gap, group gaps, focus regions, for
        the departments of one country against its own national value."""
        indicator = self._indicator(request)
        country = self._country(request)
        national = national_location(country)
        iso2 = country.iso2
        year = year_param(request.query_params)
        # The departments' values of every year, read once for the four figures.
        rows = analytics.indicator_by_location_year(indicator, level=FIRST_LEVEL, country=iso2)
        gap = equity.region_gap(indicator, year=year, level=FIRST_LEVEL, rows=rows, country=iso2)
        focus = equity.focus_zone_distances(
            indicator,
            year=year,
            national_location_code=national.code if national else None,
            level=FIRST_LEVEL,
            rows=rows,
            country=iso2,
        )
        groups = equity.group_gaps(indicator, year=year, level=FIRST_LEVEL, country=iso2)
        return Response(
            {
                "indicator": indicator.code,
                "country": iso2,
                "region_gap": asdict(gap) if gap else None,
                "group_gaps": [asdict(g) for g in groups],
                "gap_trend": equity.region_gap_trend(
                    indicator, level=FIRST_LEVEL, rows=rows, country=iso2
                ),
                "focus": asdict(focus) if focus else None,
            }
        )


class ImportRequestSerializer(serializers.Serializer):
    # Empty files are accepted here: the import refuses them, and records the refusal.
    file = serializers.FileField(allow_empty_file=True)
    format = serializers.ChoiceField(choices=[code for code, _ in IMPORT_FORMATS])
    mapping = serializers.FileField(required=False, allow_empty_file=True)
    # SDMX-ML data structure definition
    structure = serializers.FileField(required=False, allow_empty_file=True)
    best_effort = serializers.BooleanField(default=False)
    dry_run = serializers.BooleanField(default=True)


class ImportJobSerializer(JobSerializer):
    error_report = serializers.SerializerMethodField()

    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "error_report"]

    def get_error_report(self, obj: Job) -> str | None:
        batch = (obj.result or {}).get("batch")
        return reverse("monitoring:import-errors", args=[batch]) if batch else None


class ImportViewSet(viewsets.GenericViewSet):
    """Imports of data values: ``POST`` a file (multipart; a dry run unless
    ``dry_run=false``) to start a background job, then ``GET`` the job for its progress,
    counts and the link to its error report (CSV); ``POST …/confirm/`` runs a succeeded dry
    run for real."""

    queryset = Job.objects.filter(kind="monitoring.import")
    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser]

    def get_queryset(self) -> QuerySet[Job]:
        return scope(self.request.user, Action.VIEW, super().get_queryset())

    # Starting an import is the data values' action; reading a job is reading one's own job.
    # Confirming asks again: the starter's role may have been lowered since the dry run.
    permission_actions = {"create": (DataValue, IMPORT), "confirm": (DataValue, IMPORT)}

    @extend_schema(request=ImportRequestSerializer, responses=ImportJobSerializer)
    def create(self, request: Request) -> Response:
        form = ImportRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        if too_large := upload_too_large(form.validated_data):
            raise ValidationError({key: [message] for key, message in too_large.items()})
        mapping = form.validated_data.get("mapping")
        payload = import_payload(
            file_name=upload.name,
            fmt=form.validated_data["format"],
            atomic=not form.validated_data["best_effort"],
            dry_run=form.validated_data["dry_run"],
            user=request.user,
        )
        job = jobs.enqueue(
            "monitoring.import",
            user=request.user,
            payload=payload,
            inputs={
                "data": upload,
                "mapping": mapping,
                "structure": form.validated_data.get("structure"),
            },
        )
        return Response(ImportJobSerializer(job).data, status=201)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(ImportJobSerializer(self.get_object()).data)

    @extend_schema(request=None, responses=ImportJobSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Run a succeeded dry run for real, with the same file and options."""
        job: Job = self.get_object()
        if not job.payload.get("dry_run") or job.status != Job.Status.SUCCEEDED:
            raise ValidationError({"detail": "only a succeeded dry run can be confirmed"})
        real = import_confirm(job, request.user)
        return Response(ImportJobSerializer(real).data, status=201)


def register(router: BaseRouter) -> None:
    router.register("indicators", IndicatorViewSet, basename="indicator")
    router.register("data-values", DataValueViewSet, basename="data-value")
    router.register("targets", TargetViewSet, basename="target")
    router.register("analytics", AnalyticsViewSet, basename="analytics")
    router.register("imports", ImportViewSet, basename="import")
