"""API for programmes, results, frameworks and workplans.

Writes go through ``programmes.services``; their refusals answer 400 naming the field (the
exception handler of ``core.api``). Related fields offer only what the user may pick."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from ayni.core.params import choice_param, int_param
from ayni.core.permissions import Action, has_perm
from ayni.core.serializers import ProvenanceSerializer, ScopedSerializerMixin
from ayni.core.viewsets import ScopedReadOnlyViewSet, ScopedViewSet
from ayni.geography.policies import PICK
from ayni.programmes import services
from ayni.programmes.models import (
    CountryProgramme,
    Framework,
    FrameworkGoal,
    Result,
    Workplan,
    WorkplanActivity,
)
from ayni.programmes.policies import VIEW_FIGURES


class ProgrammeSerializer(ProvenanceSerializer):
    class Meta:
        model = CountryProgramme
        fields = [
            "id",
            "code",
            "title_es",
            "title_en",
            "country",
            "start_year",
            "end_year",
            "status",
            "planned_total",
            "currency",
            "source",
        ]
        read_only_fields = ["id", "country"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The database's own check (programme_years_ordered), asked first so that it answers
        # 400 naming the field, not 500; a change may give one of the two years only.
        start = attrs.get("start_year", getattr(self.instance, "start_year", None))
        end = attrs.get("end_year", getattr(self.instance, "end_year", None))
        if start is not None and end is not None and end < start:
            raise serializers.ValidationError(
                {"end_year": _("The last year comes before the first year.")}
            )
        return attrs

    def to_representation(self, instance: CountryProgramme) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        # The planned total is an office figure: left out for who may not read those.
        if request is None or not has_perm(request.user, VIEW_FIGURES, CountryProgramme):
            data.pop("planned_total", None)
        return data


class ProgrammeViewSet(ScopedViewSet):
    """Country programmes of the user's office (their funding: ``finance.api``)."""

    queryset = CountryProgramme.objects.select_related("country")
    serializer_class = ProgrammeSerializer
    http_method_names = ["get", "patch", "head", "options"]


class ResultSerializer(ScopedSerializerMixin, ProvenanceSerializer):
    # Results are added to and moved under what the user may change.
    scope_actions = {"programme": Action.CHANGE, "parent": Action.CHANGE, "zones": PICK}

    class Meta:
        model = Result
        fields = [
            "id",
            "programme",
            "parent",
            "level",
            "code",
            "position",
            "title_es",
            "title_en",
            "description_es",
            "description_en",
            "sector_code",
            "gender_marker",
            "humanitarian_marker",
            "interculturality_marker",
            "approaches",
            "focus_populations",
            "zones",
            "goals",
            "retired_at",
            "retired_reason",
            "source",
            "is_illustrative",
        ]
        read_only_fields = ["id", "position", "retired_at", "retired_reason", "level"]
        # The service checks unique codes and names the field; DRF's check would not.
        validators: list[Any] = []

    def create(self, validated_data: dict[str, Any]) -> Result:
        parent = validated_data.pop("parent", None)
        level = (
            Result.Level.COMPONENT
            if parent is None
            else Result.Level.OUTPUT
            if parent.level == Result.Level.COMPONENT
            else Result.Level.ACTIVITY
        )
        return services.result_create(parent=parent, level=level, **validated_data)

    def update(self, instance: Result, validated_data: dict[str, Any]) -> Result:
        for fixed in ("programme", "code", "source", "is_illustrative"):
            validated_data.pop(fixed, None)
        parent = validated_data.pop("parent", instance.parent)
        if parent != instance.parent:
            services.result_move(result=instance, parent=parent)
        return services.result_update(result=instance, **validated_data)


class RetireSerializer(serializers.Serializer):
    # An empty reason is the service's to refuse, naming its field (retired_reason).
    reason = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("programme", OpenApiTypes.INT, description="programme id"),
            OpenApiParameter("parent", OpenApiTypes.INT, description="id of the parent result"),
            OpenApiParameter("level", OpenApiTypes.STR, enum=Result.Level.values),
            OpenApiParameter(
                "retired", OpenApiTypes.STR, enum=["0", "1"], description="1 to include retired"
            ),
        ]
    )
)
class ResultViewSet(ScopedViewSet):
    """Results of the office's programmes; ``?programme=``, ``?level=``, ``?parent=``.
    Deleting is refused: retire a result instead (``POST /retire/`` with a reason)."""

    queryset = Result.objects.select_related("programme").prefetch_related(
        "approaches", "focus_populations", "zones", "goals"
    )
    serializer_class = ResultSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Result]:
        queryset = super().get_queryset()
        params = self.request.query_params
        for name in ("programme", "parent"):
            if (pk := int_param(params, name)) is not None:
                queryset = queryset.filter(**{f"{name}_id": pk})
        if (level := choice_param(params, "level", Result.Level.values)) is not None:
            queryset = queryset.filter(level=level)
        if choice_param(params, "retired", ["0", "1"]) != "1":
            queryset = queryset.filter(retired_at__isnull=True)
        return queryset.order_by("programme", "path")

    @extend_schema(request=RetireSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, pk: str | None = None) -> Response:
        result = self.get_object()
        form = RetireSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.result_retire(result=result, reason=form.validated_data["reason"])
        return Response(self.get_serializer(result).data)


class FrameworkGoalSerializer(ProvenanceSerializer):
    class Meta:
        model = FrameworkGoal
        fields = ["id", "code", "title_es", "title_en", "source", "is_illustrative"]


class FrameworkSerializer(ProvenanceSerializer):
    goals = FrameworkGoalSerializer(many=True, read_only=True)

    class Meta:
        model = Framework
        fields = ["id", "code", "kind", "name_es", "name_en", "source", "goals"]


class FrameworkViewSet(ScopedReadOnlyViewSet):
    queryset = Framework.objects.prefetch_related("goals")
    serializer_class = FrameworkSerializer


class WorkplanActivitySerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    scope_actions = {"locations": PICK}

    class Meta:
        model = WorkplanActivity
        fields = [
            "id",
            "result",
            "title_es",
            "title_en",
            "locations",
            "budget",
            "currency",
            "start_date",
            "end_date",
        ]


class WorkplanSerializer(ScopedSerializerMixin, ProvenanceSerializer):
    scope_actions = {"region": PICK}
    activities = WorkplanActivitySerializer(many=True, read_only=True)

    class Meta:
        model = Workplan
        fields = [
            "id",
            "programme",
            "year",
            "title_es",
            "title_en",
            "partner",
            "region",
            "status",
            "is_illustrative",
            "activities",
        ]


class WorkplanViewSet(ScopedReadOnlyViewSet):
    queryset = Workplan.objects.prefetch_related("activities__locations")
    serializer_class = WorkplanSerializer


def register(router: BaseRouter) -> None:
    router.register("programmes", ProgrammeViewSet, basename="programme")
    router.register("results", ResultViewSet, basename="result")
    router.register("frameworks", FrameworkViewSet, basename="framework")
    router.register("workplans", WorkplanViewSet, basename="workplan")
