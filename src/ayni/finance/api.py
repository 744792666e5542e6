"""Finance API: CRUD over the scoped records, grant stages, and the derived figures.

Lists filter by query parameters (``?programme=3&year=2014&funding_type=orr``). Amounts are
strings with two decimals, as DRF writes decimals. Writes go through ``finance.services``;
a refusal answers 400 with the field it names (see ``core/api.py`` for the error format).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from django.db.models import Model, QuerySet
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from ayni.core.params import choice_param, int_param, year_param
from ayni.core.permissions import Action, has_perm, scope
from ayni.core.viewsets import ScopedReadOnlyViewSet, ScopedViewSet
from ayni.core.workflow_api import WorkflowViewSetMixin
from ayni.finance import selectors, services
from ayni.finance.models import (
    Allocation,
    BudgetLine,
    CashTransfer,
    Donor,
    ExchangeRate,
    Expenditure,
    FundingType,
    Grant,
)
from ayni.finance.policies import VIEW_OFFICE_FIGURES, VIEW_OFFICE_GRANT_FIGURES
from ayni.finance.serializers import (
    AllocationSerializer,
    BudgetLineSerializer,
    CashTransferSerializer,
    DonorSerializer,
    ExchangeRateSerializer,
    ExpenditureSerializer,
    FiguresSerializer,
    FundingRowSerializer,
    FundingTypeSerializer,
    GrantAdvanceSerializer,
    GrantInstalmentSerializer,
    GrantSerializer,
    InstalmentAddSerializer,
    WarningSerializer,
)
from ayni.finance.workflow import GRANT, transition_to
from ayni.programmes.models import CountryProgramme, Result

INT, STR = OpenApiTypes.INT, OpenApiTypes.STR
# Filters that take one of a set of values (``CHOICE``): anything else answers 400 naming it.
CHOICE = "choice"
FUNDING_TYPE_CODES = [code for code, _es, _en in services.FUNDING_TYPES]
CHOICES: dict[str, Any] = {
    "funding_type": lambda: FundingType.objects.values_list("code", flat=True),
    "stage": lambda: Grant.Stage.values,
}
ENUMS = {"funding_type": FUNDING_TYPE_CODES, "stage": Grant.Stage.values}
# Query parameter → (ORM lookup, type, description). Each viewset picks its own.
FILTERS: dict[str, dict[str, tuple[str, Any, str]]] = {
    "exchange-rates": {"currency": ("currency", STR, "ISO 4217 code, e.g. PEN")},
    "budget-lines": {
        "programme": ("result__programme_id", INT, "programme id"),
        "result": ("result_id", INT, "result id"),
        "year": ("year", INT, "budget year"),
        "funding_type": ("funding_type__code", CHOICE, "rr, orr or ore"),
        "currency": ("currency", STR, "ISO 4217 code"),
    },
    "donors": {},
    "grants": {
        "programme": ("programme_id", INT, "programme id"),
        "result": ("allocations__result_id", INT, "grants allocated to this result"),
        "year": ("allocations__year", INT, "grants allocated in this year"),
        "funding_type": ("funding_type__code", CHOICE, "rr, orr or ore"),
        "donor": ("donor_id", INT, "donor id"),
        "stage": ("stage", CHOICE, "pipeline, pledged, signed or received"),
        "currency": ("currency", STR, "ISO 4217 code"),
    },
    "allocations": {
        "programme": ("grant__programme_id", INT, "programme id"),
        "result": ("result_id", INT, "result id"),
        "year": ("year", INT, "year"),
        "funding_type": ("grant__funding_type__code", CHOICE, "rr, orr or ore"),
        "donor": ("grant__donor_id", INT, "donor id"),
        "stage": ("grant__stage", CHOICE, "stage of the grant"),
        "currency": ("grant__currency", STR, "ISO 4217 code"),
        "grant": ("grant_id", INT, "grant id"),
    },
    "expenditures": {
        "programme": ("result__programme_id", INT, "programme id"),
        "result": ("result_id", INT, "result id"),
        "year": ("year", INT, "year"),
        "funding_type": ("grant__funding_type__code", CHOICE, "rr, orr or ore"),
        "donor": ("grant__donor_id", INT, "donor id"),
        "currency": ("currency", STR, "ISO 4217 code"),
        "grant": ("grant_id", INT, "grant id"),
    },
    "cash-transfers": {
        "programme": ("agreement__programme_id", INT, "programme id"),
        "result": ("result_id", INT, "result id"),
        "currency": ("currency", STR, "ISO 4217 code"),
        "grant": ("grant_id", INT, "grant id"),
        "agreement": ("agreement_id", INT, "agreement id"),
    },
}


def filtered(view: str) -> Any:
    """Document a list's filters in the OpenAPI schema."""
    parameters = [
        OpenApiParameter(name, STR, description=text, enum=ENUMS[name])
        if kind == CHOICE
        else OpenApiParameter(name, kind, description=text)
        for name, (_lookup, kind, text) in FILTERS[view].items()
    ]
    return extend_schema_view(list=extend_schema(parameters=parameters))


class FilterMixin:
    filter_key = ""
    request: Any

    def apply_filters(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        params = self.request.query_params
        lookups: dict[str, Any] = {}
        for name, (lookup, kind, _text) in FILTERS[self.filter_key].items():
            if kind is INT:
                number = year_param(params, name) if name == "year" else int_param(params, name)
                if number is not None:
                    lookups[lookup] = number
                continue
            if kind == CHOICE:
                if (choice := choice_param(params, name, CHOICES[name]())) is not None:
                    lookups[lookup] = choice
                continue
            raw = params.get(name, "").strip()
            if raw:
                lookups[lookup] = raw.upper() if name == "currency" else raw
        # One filter() call: conditions on the same relation apply to the same related row.
        queryset = queryset.filter(**lookups)
        if any("__" in lookup and lookup.startswith("allocations") for lookup in lookups):
            queryset = queryset.distinct()
        return queryset


class FinanceViewSet(FilterMixin, ScopedViewSet):
    """Scoped, filtered; deletion refused while other records depend on the record."""

    def get_queryset(self) -> QuerySet[Any]:
        return self.apply_filters(super().get_queryset())

    def perform_destroy(self, instance: Model) -> None:
        services.record_delete(record=instance)


class FundingTypeViewSet(ScopedReadOnlyViewSet):
    """Regular resources, other resources (regular), other resources (emergency)."""

    queryset = FundingType.objects.all()
    serializer_class = FundingTypeSerializer


@filtered("exchange-rates")
class ExchangeRateViewSet(FinanceViewSet):
    """Units of a currency per US dollar, valid from their date."""

    queryset = ExchangeRate.objects.all()
    serializer_class = ExchangeRateSerializer
    filter_key = "exchange-rates"


@filtered("budget-lines")
class BudgetLineViewSet(FinanceViewSet):
    """The planned budget by result, year and funding type. Posting a line that exists
    (same result, year and funding type) replaces its amount."""

    queryset = BudgetLine.objects.select_related("result", "funding_type")
    serializer_class = BudgetLineSerializer
    filter_key = "budget-lines"


class DonorViewSet(FinanceViewSet):
    """Donors, each the funding side of an organisation."""

    queryset = Donor.objects.select_related("organisation")
    serializer_class = DonorSerializer
    filter_key = "donors"


@filtered("grants")
class GrantViewSet(WorkflowViewSetMixin, FinanceViewSet):
    """Contributions, with their instalments and what is allocated and still available
    (in the grant's currency). The stage moves only through ``advance``; ``history`` lists
    the steps taken."""

    workflow = GRANT
    queryset = Grant.objects.select_related("donor__organisation", "funding_type")
    serializer_class = GrantSerializer
    filter_key = "grants"

    def get_queryset(self) -> QuerySet[Grant]:
        queryset = super().get_queryset().prefetch_related("instalments")
        return selectors.with_allocated(queryset)

    @extend_schema(request=GrantAdvanceSerializer, responses=GrantSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request: Request, pk: str | None = None) -> Response:
        """Move the grant to a later stage; ``date`` is the day it took effect (default today;
        the signature date when signing). ``received`` cannot be undone: it needs
        ``"confirm": true``. 403 for those who may not take the step."""
        grant = self.get_object()  # 404 outside the user's view
        payload = GrantAdvanceSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        given = payload.validated_data
        step = transition_to(given["stage"])
        if step is not None:
            self.require_step(grant, step)
        elif not has_perm(request.user, Action.CHANGE, grant):
            # No step reaches the pipeline; only those who change grants are told why.
            self.permission_denied(request)
        on: date | None = given.get("date")
        services.grant_advance(
            grant=grant,
            stage=given["stage"],
            on=on,
            user=request.user,
            reason=given["reason"],
            confirm=given["confirm"],
        )
        return Response(GrantSerializer(self.get_queryset().get(pk=grant.pk)).data)

    @extend_schema(request=InstalmentAddSerializer, responses={201: GrantInstalmentSerializer})
    @action(detail=True, methods=["post"])
    def instalments(self, request: Request, pk: str | None = None) -> Response:
        """Schedule an instalment; together they never exceed the grant."""
        grant = self._writable_grant()
        payload = InstalmentAddSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        instalment = services.instalment_add(grant=grant, **payload.validated_data)
        return Response(GrantInstalmentSerializer(instalment).data, status=201)

    def _writable_grant(self) -> Grant:
        grant = self.get_object()  # 404 outside the user's view, 403 below
        if not has_perm(self.request.user, Action.CHANGE, grant):
            self.permission_denied(self.request)
        return grant


@filtered("allocations")
class AllocationViewSet(FinanceViewSet):
    """Parts of signed grants put on results and years. To change one, delete and re-create:
    the new amount is checked against what the grant still holds."""

    queryset = Allocation.objects.select_related("grant", "result")
    serializer_class = AllocationSerializer
    filter_key = "allocations"
    http_method_names = ["get", "post", "delete", "head", "options"]


@filtered("expenditures")
class ExpenditureViewSet(FinanceViewSet):
    """Money spent on results, optionally charged to a grant."""

    queryset = Expenditure.objects.select_related("result")
    serializer_class = ExpenditureSerializer
    filter_key = "expenditures"
    http_method_names = ["get", "post", "delete", "head", "options"]


@filtered("cash-transfers")
class CashTransferViewSet(FinanceViewSet):
    """Cash transferred to partners under their agreements."""

    queryset = CashTransfer.objects.all()
    serializer_class = CashTransferSerializer
    filter_key = "cash-transfers"
    http_method_names = ["get", "post", "delete", "head", "options"]


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the API router."""
    router.register("funding-types", FundingTypeViewSet, basename="funding-type")
    router.register("exchange-rates", ExchangeRateViewSet, basename="exchange-rate")
    router.register("budget-lines", BudgetLineViewSet, basename="budget-line")
    router.register("donors", DonorViewSet, basename="donor")
    router.register("grants", GrantViewSet, basename="grant")
    router.register("allocations", AllocationViewSet, basename="allocation")
    router.register("expenditures", ExpenditureViewSet, basename="expenditure")
    router.register("cash-transfers", CashTransferViewSet, basename="cash-transfer")


class ProgrammeFundingSerializer(FiguresSerializer):
    """The figures at the top level, then the rows of ``?by=`` and the warnings."""

    programme = serializers.IntegerField(read_only=True)
    by = serializers.CharField(read_only=True, allow_null=True)
    rows = FundingRowSerializer(many=True, read_only=True)
    warnings = WarningSerializer(many=True, read_only=True)


# Rows keyed by donor are the grants' own figures.
GRANT_DIMENSIONS = frozenset({"donor"})


class _FundingView(generics.GenericAPIView):
    """Derived figures of one record of the user's office; open to those who read the
    office's budget (a record they may not see answers 404, as everywhere)."""

    def get_queryset(self) -> QuerySet[Any]:
        return scope(self.request.user, Action.VIEW, super().get_queryset())

    def check_finance_reader(self, request: Request) -> None:
        if not has_perm(request.user, VIEW_OFFICE_FIGURES, BudgetLine):
            self.permission_denied(request)

    def grant_figures(self, request: Request) -> bool:
        """May the user read what is derived from every grant (outlook, donors, warnings)?"""
        return has_perm(request.user, VIEW_OFFICE_GRANT_FIGURES, Grant)


class ProgrammeFundingView(_FundingView):
    queryset = CountryProgramme.objects.select_related("country")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "by", OpenApiTypes.STR, enum=list(selectors.DIMENSIONS), required=False
            ),
        ],
        responses=ProgrammeFundingSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        """Planned, funded, gap, funded %, spent, utilization % and pipeline-weighted outlook
        in the programme currency; ``?by=component|result|year|funding_type|donor`` adds rows.
        The outlook, ``?by=donor`` (403 otherwise) and the grant warnings go to those who
        read every grant of the office (docs/security.md)."""
        programme = self.get_object()
        self.check_finance_reader(request)
        by = choice_param(request.query_params, "by", selectors.DIMENSIONS)
        grant_figures = self.grant_figures(request)
        if by in GRANT_DIMENSIONS and not grant_figures:
            self.permission_denied(request)
        # A missing exchange rate refuses with a ValidationError: a 400 naming the currency.
        ledger = selectors.ledger(programme)
        figures = selectors.programme_funding(ledger)
        rows = selectors.funding_by(ledger, by) if by else []
        warnings = selectors.funding_warnings(ledger, today=date.today()) if grant_figures else []
        data = {
            **asdict(figures),
            "programme": programme.pk,
            "by": by,
            "rows": rows,
            "warnings": warnings,
        }
        context = {"grant_figures": grant_figures}
        body = ProgrammeFundingSerializer(data, context=context).data
        if not grant_figures:
            body.pop("warnings", None)
        return Response(body)


class ResultFundingView(_FundingView):
    queryset = Result.objects.select_related("programme")

    @extend_schema(responses=FiguresSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """The funding of the result and everything under it."""
        result = self.get_object()
        self.check_finance_reader(request)
        context = {"grant_figures": self.grant_figures(request)}
        return Response(FiguresSerializer(selectors.result_funding(result), context=context).data)


# Routes beside the router's: the funding of a programme and of a result, at the addresses
# of the records they derive from.
urlpatterns = [
    path("programmes/<int:pk>/funding/", ProgrammeFundingView.as_view(), name="programme-funding"),
    path("results/<int:pk>/funding/", ResultFundingView.as_view(), name="result-funding"),
]
