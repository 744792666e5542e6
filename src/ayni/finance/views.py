"""Finance pages: donors, grants (list, detail with allocation, new grant) and budgets.

Views are thin: reads come from ``finance.selectors``, writes go through ``finance.services``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, TemplateView

from ayni.core.exports import export_response
from ayni.core.forms import ServiceFormMixin, add_service_errors
from ayni.core.params import choice_param
from ayni.core.permissions import Action, has_perm, scope
from ayni.core.tables import TableMixin
from ayni.core.views import ScopedView
from ayni.core.workflow import Transition, history
from ayni.core.workflow_web import WorkflowStepView, step_forms
from ayni.finance import selectors, services
from ayni.finance.exports import GrantTable
from ayni.finance.forms import AllocationForm, GrantForm
from ayni.finance.models import Allocation, BudgetLine, Donor, FundingType, Grant
from ayni.finance.policies import VIEW_OFFICE_FIGURES, VIEW_OFFICE_GRANT_FIGURES
from ayni.finance.workflow import GRANT
from ayni.programmes.models import CountryProgramme


class FinanceHomeView(ScopedView, TemplateView):
    """Where funding pages start: the office's programmes, grants and donors."""

    model = BudgetLine
    template_name = "finance/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["programmes"] = (
            scope(user, Action.VIEW, CountryProgramme.objects.all())
            if has_perm(user, VIEW_OFFICE_FIGURES, BudgetLine)
            else []
        )
        context["can_view_grants"] = has_perm(user, Action.VIEW, Grant)
        context["can_view_donors"] = has_perm(user, Action.VIEW, Donor)
        return context


class DonorListView(ScopedView, TableMixin, ListView):
    model = Donor
    paginate_by = 50
    template_name = "finance/donor_list.html"
    export_name = "finance.donors"

    def get_queryset(self) -> QuerySet[Donor]:
        return self.table_rows()


class DonorDetailView(ScopedView, DetailView):
    """A donor's grants with what they hold and what is allocated, and the results they fund."""

    model = Donor
    template_name = "finance/donor_detail.html"
    context_object_name = "donor"

    def get_queryset(self) -> QuerySet[Donor]:
        return super().get_queryset().select_related("organisation")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        grants = scope(user, Action.VIEW, Grant.objects.filter(donor=self.object))
        context["grants"] = selectors.with_allocated(
            grants.select_related("programme", "funding_type")
        ).order_by("programme", "reference")
        allocations = scope(
            user, Action.VIEW, Allocation.objects.filter(grant__donor=self.object)
        ).select_related("result", "grant")
        funded: dict[tuple[int, str], dict[str, Any]] = {}
        for allocation in allocations:
            key = (allocation.result_id, allocation.grant.currency)
            entry = funded.setdefault(
                key,
                {"result": allocation.result, "currency": key[1], "total": Decimal("0.00")},
            )
            entry["total"] += allocation.amount
        context["funded_results"] = sorted(
            funded.values(), key=lambda e: (e["result"].code, e["currency"])
        )
        return context


class GrantListView(ScopedView, TableMixin, ListView):
    """Grants of the office (a donor viewer: of their donor), filtered, sorted, downloadable,
    with totals per currency over every row of the filter."""

    model = Grant
    paginate_by = 50
    template_name = "finance/grant_list.html"
    export_name = "finance.grants"

    def get_queryset(self) -> QuerySet[Grant]:
        return self.table_rows()

    def totals(self) -> list[dict[str, Any]]:
        sums: dict[str, dict[str, Decimal]] = defaultdict(
            lambda: {"amount": Decimal(0), "allocated": Decimal(0), "available": Decimal(0)}
        )
        filtered = GrantTable().filtered(self.request.user, self.table_params())
        rows = selectors.with_allocated(filtered).values_list(  # type: ignore[misc]
            "currency", "amount", "allocated", "available"
        )
        for currency, amount, allocated, available in rows:
            sums[currency]["amount"] += amount
            sums[currency]["allocated"] += allocated
            sums[currency]["available"] += available
        return [{"currency": c, **values} for c, values in sorted(sums.items())]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        context["totals"] = self.totals()
        context["stages"] = Grant.Stage.choices
        context["funding_types"] = FundingType.objects.all()
        context["donors"] = scope(
            self.request.user, Action.VIEW, Donor.objects.select_related("organisation")
        )
        context["filters"] = {
            name: params.get(name, "") for name in ("stage", "donor", "funding_type", "q")
        }
        context["can_add"] = has_perm(self.request.user, Action.ADD, Grant)
        return context


class GrantDetailView(ScopedView, DetailView):
    """A grant: what it holds, its instalments and allocations, a form to allocate, the stage
    steps the user may take and the grant's history."""

    model: type[Model] = Grant
    template_name = "finance/grant_detail.html"
    context_object_name = "grant"

    def get_queryset(self) -> QuerySet[Grant]:
        queryset = scope(self.request.user, Action.VIEW, Grant.objects.all())
        return selectors.with_allocated(
            queryset.select_related(
                "programme", "donor__organisation", "funding_type", "earmarked_result"
            )
        )

    def can_allocate(self, grant: Grant) -> bool:
        return grant.stage in services.ALLOCATABLE_STAGES and has_perm(
            self.request.user, Action.ADD, Allocation
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        grant: Grant = self.object
        user = self.request.user
        context["instalments"] = scope(user, Action.VIEW, grant.instalments.all())
        context["allocations"] = scope(
            user, Action.VIEW, grant.allocations.select_related("result")
        ).order_by("year", "result__code")
        try:
            spent = selectors.grant_spent([grant.pk], {grant.pk: grant.currency})
            context["spent"] = spent.get(grant.pk, Decimal("0.00"))
        except ValidationError as exc:
            context["figures_error"] = " ".join(exc.messages)
        url = reverse("finance:grant-stage", args=[grant.pk])
        context["steps"] = step_forms(GRANT, grant, user, lambda t: url)
        context["events"] = history(grant)
        context["can_allocate"] = self.can_allocate(grant)
        if context["can_allocate"] and "form" not in context:
            context["form"] = AllocationForm(
                grant=grant, user=user, initial={"date": date.today(), "year": date.today().year}
            )
        return context


class GrantAllocateView(GrantDetailView):
    """POST only: allocate part of the grant. A refusal re-shows the grant page with the
    form as typed, the error next to its field and a summary at the top."""

    model = Allocation
    permission_action = Action.ADD
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # ScopedView.get_object: 404 outside the user's view, 403 if they cannot allocate it.
        self.object = grant = self.get_object()
        if not self.can_allocate(grant):
            raise PermissionDenied
        form = AllocationForm(request.POST, grant=grant, user=request.user)
        if form.is_valid():
            try:
                allocation = services.allocation_create(grant=grant, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Allocated %(amount)s to %(result)s for %(year)s.")
                    % {
                        "amount": services.money_text(allocation.amount, grant.currency),
                        "result": allocation.result.code,
                        "year": allocation.year,
                    },
                )
                return HttpResponseRedirect(grant.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form))


class GrantStageView(WorkflowStepView):
    """One stage step of a grant (pledged, signed, received), with the day it took effect.
    403 for those who may not take it; a refusal comes back to the grant page."""

    model = Grant
    workflow = GRANT

    def take(self, record: Any, transition: Transition, data: dict[str, Any]) -> Any:
        return services.grant_transition(
            grant=record,
            transition=transition.name,
            user=self.request.user,
            on=data.get("date"),
            reason=data.get("reason", ""),
            confirm=bool(data.get("confirm")),
        )

    def done_message(self, record: Any, transition: Transition) -> str:
        return _("The grant is now %(stage)s.") % {"stage": record.get_stage_display()}


class GrantCreateView(ScopedView, ServiceFormMixin, FormView):
    model = Grant
    permission_action = Action.ADD
    template_name = "finance/grant_form.html"
    form_class = GrantForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_save(self, form: GrantForm) -> Grant:
        return services.grant_create(**form.cleaned_data)

    def form_saved(self, grant: Grant) -> HttpResponse:
        messages.success(self.request, _("Grant %s saved.") % grant.reference)
        return HttpResponseRedirect(grant.get_absolute_url())


class BudgetView(ScopedView, TemplateView):
    """A programme's budget: planned by result and year, with funded, gap and spent, in the
    programme's currency; downloadable. For those who read the whole office's budget."""

    model = BudgetLine
    template_name = "finance/budget.html"
    figures: selectors.FundingFigures | None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not has_perm(
            request.user, VIEW_OFFICE_FIGURES, BudgetLine
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.programme = get_object_or_404(
            scope(request.user, Action.VIEW, CountryProgramme.objects.all()),
            pk=kwargs["programme_pk"],
        )
        try:
            ledger = selectors.ledger(self.programme)
            self.table, self.year_totals = selectors.budget_table(ledger)
            self.figures = selectors.programme_funding(ledger)
            grant_figures = has_perm(request.user, VIEW_OFFICE_GRANT_FIGURES, Grant)
            self.warnings = (
                selectors.funding_warnings(ledger, today=date.today()) if grant_figures else []
            )
            self.by_type = selectors.funding_by(ledger, "funding_type")
        except ValidationError as exc:  # a missing exchange rate
            self.figures_error = " ".join(exc.messages)
            self.table, self.year_totals, self.warnings, self.by_type = [], {}, [], []
            self.figures = None
        else:
            self.figures_error = ""
        fmt = choice_param(request.GET, "format", ["csv", "xlsx"])
        if fmt is not None and not self.figures_error:
            params = {"programme": str(self.programme.pk)}
            return export_response(request, "finance.budget", fmt, params)  # type: ignore[return-value]
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        years = list(self.programme.years)
        context.update(
            programme=self.programme,
            years=years,
            rows=[
                {
                    "result": result,
                    "depth": result.depth,
                    "cells": [by_year.get(y, Decimal("0.00")) for y in years],
                    "figures": figures,
                }
                for result, by_year, figures in self.table
            ],
            year_totals=[self.year_totals.get(y, Decimal("0.00")) for y in years],
            figures=self.figures,
            figures_error=self.figures_error,
            warnings=self.warnings,
            by_type=self.by_type,
            # The outlook and the warnings add up every grant (docs/security.md).
            grant_figures=has_perm(self.request.user, VIEW_OFFICE_GRANT_FIGURES, Grant),
            today=date.today(),
        )
        return context
