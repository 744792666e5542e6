"""API of the partners app: organisations, agreements (with their workflow), partner reports
and the agreements' status history. Writes go through ``partners.services``; their refusals
answer 400 in the one error format of ``core.api``, naming the field. Related fields offer only
what the user may pick (``core.serializers``)."""

from __future__ import annotations

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

from ayni.core.permissions import Action, has_perm
from ayni.core.serializers import ProvenanceSerializer, ScopedSerializerMixin
from ayni.core.viewsets import ScopedReadOnlyViewSet, ScopedViewSet
from ayni.geography.policies import PICK
from ayni.partners.models import Agreement, AgreementEvent, Organisation, PartnerReport
from ayni.partners.policies import REPORT
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
from ayni.partners.workflow import TRANSITIONS, available_transitions


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
        validated_data["country_office"] = self.context["request"].user.country_office
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
        return [t.name for t in available_transitions(obj, request.user)] if request else []

    def create(self, validated_data: dict[str, Any]) -> Agreement:
        office = (
            _office_of(self.context["request"]) or validated_data["organisation"].country_office
        )
        return agreement_create(country_office=office, **validated_data)

    def update(self, instance: Agreement, validated_data: dict[str, Any]) -> Agreement:
        return agreement_update(agreement=instance, **validated_data)


class TransitionSerializer(serializers.Serializer):
    transition = serializers.ChoiceField(choices=sorted(TRANSITIONS))
    date = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, description="draft, in_review, signed…"),
            OpenApiParameter("type", OpenApiTypes.STR, description="pca, ssfa, mou…"),
            OpenApiParameter("organisation", OpenApiTypes.INT, description="partner id"),
            OpenApiParameter("programme", OpenApiTypes.INT, description="programme id"),
        ]
    )
)
class AgreementViewSet(ScopedViewSet):
    """Agreements the user may see (partners: their own; regional focal points: those in their
    places). Status changes only through ``POST …/transition/``."""

    queryset = Agreement.objects.select_related("organisation").prefetch_related(
        "results", "locations"
    )
    serializer_class = AgreementSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Agreement]:
        queryset = super().get_queryset()
        params = self.request.query_params
        for name in ("status", "type"):
            if params.get(name):
                queryset = queryset.filter(**{name: params[name]})
        for name in ("organisation", "programme"):
            if params.get(name, "").isdigit():
                queryset = queryset.filter(**{f"{name}_id": int(params[name])})
        return queryset

    @extend_schema(request=TransitionSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Take a workflow transition: ``{"transition": "sign", "date": "2012-05-01"}``.
        400 names the field a guard refused; 403 when the user's role may not."""
        agreement = self.get_object()
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = agreement_transition(
            agreement=agreement,
            transition=data.validated_data["transition"],
            user=request.user,
            on=data.validated_data.get("date"),
            reason=data.validated_data.get("reason", ""),
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


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("agreement", OpenApiTypes.INT, description="agreement id"),
            OpenApiParameter("status", OpenApiTypes.STR, description="draft, submitted…"),
        ]
    )
)
class PartnerReportViewSet(ScopedViewSet):
    """Partners' progress reports: a partner focal point adds and submits their own; the
    office accepts or returns them."""

    queryset = PartnerReport.objects.select_related("agreement")
    serializer_class = PartnerReportSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[PartnerReport]:
        queryset = super().get_queryset()
        params = self.request.query_params
        if params.get("agreement", "").isdigit():
            queryset = queryset.filter(agreement_id=int(params["agreement"]))
        if params.get("status"):
            queryset = queryset.filter(status=params["status"])
        return queryset

    def _answer(self, report: PartnerReport) -> Response:
        return Response(self.get_serializer(report).data)

    @extend_schema(request=None, responses=PartnerReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        if not has_perm(request.user, Action.CHANGE, report):
            self.permission_denied(request)
        return self._answer(partner_report_submit(report=report))

    @extend_schema(request=None, responses=PartnerReportSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        report = partner_report_accept(report=self.get_object(), user=request.user)
        return self._answer(report)

    @extend_schema(request=ReturnSerializer, responses=PartnerReportSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_report(self, request: Request, pk: str | None = None) -> Response:
        data = ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = partner_report_return(
            report=self.get_object(),
            user=request.user,
            reason=data.validated_data["reason"],
        )
        return self._answer(report)


class AgreementEventSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    user: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = AgreementEvent
        fields = ["id", "agreement", "transition", "from_status", "to_status", "user", "at"]
        fields += ["reason"]


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("agreement", OpenApiTypes.INT, description="agreement id")]
    )
)
class AgreementEventViewSet(ScopedReadOnlyViewSet):
    """The status history of agreements (read-only; written by the workflow)."""

    queryset = AgreementEvent.objects.select_related("user")
    serializer_class = AgreementEventSerializer

    def get_queryset(self) -> QuerySet[AgreementEvent]:
        queryset = super().get_queryset()
        agreement = self.request.query_params.get("agreement", "")
        if agreement.isdigit():
            queryset = queryset.filter(agreement_id=int(agreement))
        return queryset


def register(router: BaseRouter) -> None:
    router.register("organisations", OrganisationViewSet, basename="organisation")
    router.register("agreements", AgreementViewSet, basename="agreement")
    router.register("partner-reports", PartnerReportViewSet, basename="partner-report")
    router.register("agreement-events", AgreementEventViewSet, basename="agreement-event")
