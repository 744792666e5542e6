"""Partner progress report pages: create (from the agreement page), detail (with its history),
edit, and the workflow steps: submit (the partner), accept or return (the office)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, UpdateView

from ayni.core.forms import ServiceFormMixin
from ayni.core.permissions import Action, has_perm, scope
from ayni.core.views import ScopedView
from ayni.core.workflow import Transition, history
from ayni.core.workflow_web import WorkflowStepView, step_forms
from ayni.partners.forms import PartnerReportForm
from ayni.partners.models import Agreement, PartnerReport
from ayni.partners.policies import REPORT
from ayni.partners.services import (
    partner_report_accept,
    partner_report_create,
    partner_report_return,
    partner_report_submit,
    partner_report_update,
)
from ayni.partners.workflow import OPEN_REPORT_STATUSES, PARTNER_REPORT, REPORTABLE_STATUSES


class PartnerReportCreateView(ScopedView, ServiceFormMixin, FormView):
    model = PartnerReport
    permission_action = Action.ADD
    form_class = PartnerReportForm
    template_name = "partners/report_form.html"
    success_message = gettext_lazy("Report saved as a draft. Submit it when it is ready.")
    kwargs: dict[str, Any]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.agreement: Agreement | None = None
        return super().dispatch(request, *args, **kwargs)

    def get_agreement(self) -> Agreement:
        if self.agreement is None:
            # An agreement the user may not see answers 404, as everywhere.
            visible = scope(self.request.user, Action.VIEW, Agreement.objects.all())
            agreement = get_object_or_404(visible, pk=self.kwargs["pk"])
            if not has_perm(self.request.user, REPORT, agreement):
                raise PermissionDenied
            self.agreement = agreement
        return self.agreement

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        agreement = self.get_agreement()
        if agreement.status not in REPORTABLE_STATUSES:
            messages.error(
                request, _("Progress is reported on signed, active or suspended agreements.")
            )
            return redirect(agreement)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["agreement"] = self.get_agreement()
        return context

    def form_save(self, form: PartnerReportForm) -> PartnerReport:
        return partner_report_create(agreement=self.get_agreement(), **form.cleaned_data)


class PartnerReportDetailView(ScopedView, DetailView):
    model = PartnerReport
    template_name = "partners/report_detail.html"
    context_object_name = "report"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("agreement__organisation")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, report = self.request.user, self.object
        is_open = report.status in OPEN_REPORT_STATUSES
        context["can_edit"] = is_open and has_perm(user, Action.CHANGE, report)
        context["steps"] = step_forms(
            PARTNER_REPORT,
            report,
            user,
            lambda t: reverse("partners:report-action", args=[report.pk, t.name]),
        )
        names = {form.transition.name for form in context["steps"]}
        context["can_review"] = bool(names & {"accept", "return"})
        context["events"] = history(report)
        return context


class PartnerReportUpdateView(ScopedView, ServiceFormMixin, UpdateView):
    model = PartnerReport
    permission_action = Action.CHANGE
    form_class = PartnerReportForm
    template_name = "partners/report_form.html"
    context_object_name = "report"
    success_message = gettext_lazy("Saved.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["agreement"] = self.object.agreement
        return context

    def form_save(self, form: PartnerReportForm) -> PartnerReport:
        return partner_report_update(report=self.object, **form.cleaned_data)


class PartnerReportActionView(WorkflowStepView):
    """One step of a report, named in the address: submit (the partner, or the office for a
    report received on paper), accept or return (the office). 403 when the user may not."""

    model = PartnerReport
    workflow = PARTNER_REPORT
    kwargs: dict[str, Any]

    def transition_name(self) -> str:
        return str(self.kwargs["action"])

    def take(self, record: Any, transition: Transition, data: dict[str, Any]) -> Any:
        user, on = self.request.user, data.get("date")
        if transition.name == "submit":
            return partner_report_submit(report=record, user=user, on=on)
        if transition.name == "accept":
            return partner_report_accept(
                report=record, user=user, on=on, confirm=bool(data.get("confirm"))
            )
        return partner_report_return(report=record, user=user, on=on, reason=data.get("reason", ""))

    def done_message(self, record: Any, transition: Transition) -> str:
        return {
            "submit": _("Report submitted to the office."),
            "accept": _("Report accepted."),
            "return": _("Report returned to the partner for changes."),
        }[transition.name]
