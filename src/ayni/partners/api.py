"""API of the partners app: organisations, agreements (with their workflow), partner reports
and the agreements' status history. Writes go through ``partners.services``; their refusals
answer 400 in the one error format of ``core.api``, naming the field. Related fields offer only
what the user may pick (``core.serializers``). Who may take a workflow step is asked
here (``has_perm(user, step, record)``) before the service runs: 403 otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from ayni.core.models import WorkflowEvent
from ayni.core.params import choice_param, int_param
from ayni.core.permissions import has_perm
from ayni.core.serializers import ProvenanceSerializer, ScopedSerializerMixin
from ayni.core.viewsets import ScopedReadOnlyViewSet, ScopedViewSet
from ayni.core.workflow_api import StepSerializer, WorkflowViewSetMixin
from ayni.geography.policies import PICK
from ayni.partners.models import Agreement, Organisation, PartnerReport
from ayni.partners.policies import REPORT, VIEW_HISTORY
from ayni.partners.services import (
    agreement_create,
    agreement_transition,
    agreement_update,
    partner_report_accept,
    partner_report_create,
    partner_report_return,
    partner_report_submit,
    partner_report_update,
)
from ayni.partners.workflow import AGREEMENT, PARTNER_REPORT


def _office_of(request: Request) -> Any:
    return getattr(request.user, "country_office", None)


class OrganisationSerializer(ScopedSerializerMixin, ProvenanceSerializer):
    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "acronym",
            "type",
            "country",
            "iati_identifier",
            "website",
            "source",
            "is_illustrative",
        ]

    def create(self, validated_data: dict) -> Organisation:
        office = _office_of(self.context["request"])
        if office is None:
            # Superusers without an office use the administration, as on the page.
            raise PermissionDenied
        validated_data["country_office"] = office
        return super().create(validated_data)


class OrganisationViewSet(ScopedViewSet):
    """Organisations of the user's country office; partners and donors see only their own."""

    queryset = Organisation.objects.all()
    serializer_class = OrganisationSerializer


class AgreementSerializer(ScopedSerializerMixin, ProvenanceSerializer):
    scope_actions = {"locations": PICK}
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    available_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = [
            "id",
            "reference",
            "type",
            "title",
            "organisation",
            "organisation_name",
            "programme",
            "status",
            "start_date",
            "end_date",
            "signed_date",
            "currency",
            "unicef_contribution",
            "partner_contribution",
            "results",
            "locations",
            "source",
            "is_illustrative",
            "available_transitions",
        ]
        read_only_fields = ["status", "signed_date"]
        extra_kwargs = {"currency": {"required": False}}

    def get_available_transitions(self, obj: Agreement) -> list[str]:
        request = self.context.get("request")
        return [t.name for t in AGREEMENT.available(obj, request.user)] if request else []

    def create(self, validated_data: dict[str, Any]) -> Agreement:
        office = (
            _office_of(self.context["request"]) or validated_data["organisation"].country_office
        )
        return agreement_create(country_office=office, **validated_data)

    def update(self, instance: Agreement, validated_data: dict[str, Any]) -> Agreement:
        return agreement_update(agreement=instance, **validated_data)


class TransitionSerializer(StepSerializer):
    transition = serializers.ChoiceField(choices=sorted(AGREEMENT.transitions))


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=Agreement.Status.values),
            OpenApiParameter("type", OpenApiTypes.STR, enum=Agreement.Type.values),
            OpenApiParameter("organisation", OpenApiTypes.INT, description="partner id"),
            OpenApiParameter("programme", OpenApiTypes.INT, description="programme id"),
        ]
    )
)
class AgreementViewSet(WorkflowViewSetMixin, ScopedViewSet):
    """Agreements the user may see (partners: their own; regional focal points: those in their
    places). Status changes only through ``POST …/transition/``; ``GET …/history/`` lists
    the steps taken."""

    workflow = AGREEMENT

    queryset = Agreement.objects.select_related("organisation").prefetch_related(
        "results", "locations"
    )
    serializer_class = AgreementSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Agreement]:
        queryset = super().get_queryset()
        params = self.request.query_params
        if (status := choice_param(params, "status", Agreement.Status.values)) is not None:
            queryset = queryset.filter(status=status)
        if (kind := choice_param(params, "type", Agreement.Type.values)) is not None:
            queryset = queryset.filter(type=kind)
        for name in ("organisation", "programme"):
            if (pk := int_param(params, name)) is not None:
                queryset = queryset.filter(**{f"{name}_id": pk})
        return queryset

    @extend_schema(request=TransitionSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Take a workflow step: ``{"transition": "sign", "date": "2012-05-01"}``; ``date`` is
        the day it took effect (default today). End and terminate cannot be undone and need
        ``"confirm": true``. 400 names the field a guard refused; 403 when the user may not."""
        agreement = self.get_object()
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        self.require_step(agreement, data.validated_data["transition"])
        agreement = agreement_transition(
            agreement=agreement,
            transition=data.validated_data["transition"],
            user=request.user,
            on=data.validated_data.get("date"),
            reason=data.validated_data.get("reason", ""),
            confirm=data.validated_data["confirm"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=agreement.pk)).data)


class PartnerReportSerializer(ScopedSerializerMixin, ProvenanceSerializer):
    class Meta:
        model = PartnerReport
        fields = [
            "id",
            "agreement",
            "period_start",
            "period_end",
            "status",
            "narrative",
            "challenges",
            "submitted_at",
            "return_reason",
            "is_illustrative",
        ]
        read_only_fields = ["status", "submitted_at", "return_reason", "is_illustrative"]

    def get_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = dict(super().get_fields())
        if self.instance is not None:
            fields["agreement"].read_only = True
        return fields

    def create(self, validated_data: dict[str, Any]) -> PartnerReport:
        agreement = validated_data.pop("agreement")
        if not has_perm(self.context["request"].user, REPORT, agreement):
            raise PermissionDenied
        return partner_report_create(agreement=agreement, **validated_data)

    def update(self, instance: PartnerReport, validated_data: dict[str, Any]) -> PartnerReport:
        validated_data.pop("agreement", None)
        return partner_report_update(report=instance, **validated_data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("agreement", OpenApiTypes.INT, description="agreement id"),
            OpenApiParameter("status", OpenApiTypes.STR, enum=PartnerReport.Status.values),
        ]
    )
)
class PartnerReportViewSet(WorkflowViewSetMixin, ScopedViewSet):
    """Partners' progress reports: a partner focal point adds and submits their own; the
    office accepts (``"confirm": true``: it cannot be undone) or returns them, saying why.
    Each step takes ``date``, the day it took effect (default today)."""

    workflow = PARTNER_REPORT

    queryset = PartnerReport.objects.select_related("agreement")
    serializer_class = PartnerReportSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[PartnerReport]:
        queryset = super().get_queryset()
        params = self.request.query_params
        if (agreement := int_param(params, "agreement")) is not None:
            queryset = queryset.filter(agreement_id=agreement)
        if (status := choice_param(params, "status", PartnerReport.Status.values)) is not None:
            queryset = queryset.filter(status=status)
        return queryset

    def _step(self, request: Request, name: str, service: Callable[..., Any]) -> Response:
        report = self.get_object()
        data = StepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        self.require_step(report, name)
        given = data.validated_data
        kwargs: dict[str, Any] = {"report": report, "user": request.user, "on": given.get("date")}
        if name == "accept":
            kwargs["confirm"] = given["confirm"]
        if name == "return":
            kwargs["reason"] = given["reason"]
        return Response(self.get_serializer(service(**kwargs)).data)

    @extend_schema(request=StepSerializer, responses=PartnerReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, "submit", partner_report_submit)

    @extend_schema(request=StepSerializer, responses=PartnerReportSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, "accept", partner_report_accept)

    @extend_schema(request=StepSerializer, responses=PartnerReportSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_report(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, "return", partner_report_return)


class AgreementEventSerializer(serializers.ModelSerializer):
    """An agreement's step, in the fields this endpoint has always answered, plus the day the
    step took effect."""

    agreement = serializers.IntegerField(source="object_id", read_only=True)
    from_status = serializers.CharField(source="from_state", read_only=True)
    to_status = serializers.CharField(source="to_state", read_only=True)
    user: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        source="actor", slug_field="username", read_only=True
    )
    at = serializers.DateTimeField(source="recorded_at", read_only=True)

    class Meta:
        model = WorkflowEvent
        fields = ["id", "agreement", "transition", "from_status", "to_status", "user", "at"]
        fields += ["reason", "effective_date"]


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("agreement", OpenApiTypes.INT, description="agreement id")]
    )
)
class AgreementEventViewSet(ScopedReadOnlyViewSet):
    """The status history of agreements, from the event log (read-only; written by the
    workflow). For those who read agreements' history (office staff, the partner)."""

    queryset = WorkflowEvent.objects.filter(workflow=AGREEMENT.name).select_related("actor")
    serializer_class = AgreementEventSerializer

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if not has_perm(request.user, VIEW_HISTORY, Agreement):
            self.permission_denied(request)

    def get_queryset(self) -> QuerySet[WorkflowEvent]:
        queryset = super().get_queryset()
        if (agreement := int_param(self.request.query_params, "agreement")) is not None:
            queryset = queryset.filter(object_id=agreement)
        return queryset


def register(router: BaseRouter) -> None:
    router.register("organisations", OrganisationViewSet, basename="organisation")
    router.register("agreements", AgreementViewSet, basename="agreement")
    router.register("partner-reports", PartnerReportViewSet, basename="partner-report")
    router.register("agreement-events", AgreementEventViewSet, basename="agreement-event")
