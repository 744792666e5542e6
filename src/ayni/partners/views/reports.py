"""Partner progress report pages: create (from the agreement page), detail, edit, and the
submit / accept / return buttons."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, UpdateView
from django.views.generic.detail import SingleObjectMixin

from ayni.core.forms import ServiceFormMixin, message_service_errors
from ayni.core.permissions import Action, has_perm, scope
from ayni.core.views import ScopedView
from ayni.partners.forms import PartnerReportForm
from ayni.partners.models import Agreement, PartnerReport
from ayni.partners.policies import REPORT, may_review_report
from ayni.partners.services import (
    partner_report_accept,
    partner_report_create,
    partner_report_return,
    partner_report_submit,
    partner_report_update,
)
from ayni.partners.workflow import REPORTABLE_STATUSES

OPEN_STATUSES = {PartnerReport.Status.DRAFT, PartnerReport.Status.RETURNED}
LABELS = {
    "period_start": gettext_lazy("Period start"),
    "period_end": gettext_lazy("Period end"),
    "narrative": gettext_lazy("Progress"),
    "reason": gettext_lazy("Reason"),
    "status": gettext_lazy("Status"),
    "agreement": gettext_lazy("Agreement"),
}


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
        is_open = report.status in OPEN_STATUSES
        context["can_edit"] = is_open and has_perm(user, Action.CHANGE, report)
        context["can_review"] = (
            report.status == PartnerReport.Status.SUBMITTED and may_review_report(user, report)
        )
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


class PartnerReportActionView(ScopedView, SingleObjectMixin, View):
    """Submit (the partner: whoever may change the report), accept or return (the office)."""

    model = PartnerReport
    http_method_names = ["post"]
    kwargs: dict[str, Any]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        report = self.get_object()
        action = self.kwargs["action"]
        try:
            if action == "submit":
                if not has_perm(request.user, Action.CHANGE, report):
                    raise PermissionDenied
                partner_report_submit(report=report)
                done = _("Report submitted to the office.")
            elif action == "accept":
                partner_report_accept(report=report, user=request.user)
                done = _("Report accepted.")
            else:
                partner_report_return(
                    report=report, user=request.user, reason=request.POST.get("reason", "")
                )
                done = _("Report returned to the partner for changes.")
        except ValidationError as error:
            message_service_errors(request, error, LABELS)
        else:
            messages.success(request, done)
        return redirect(report)
