"""Agreement pages: the list (filters, search, sorting, downloads, totals), the detail page with
one form per workflow step the user may take and the history, and the create and edit forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView, UpdateView

from ayni.core.forms import ServiceFormMixin
from ayni.core.params import int_param
from ayni.core.permissions import Action, has_perm, scope
from ayni.core.tables import TableMixin
from ayni.core.views import ScopedView
from ayni.core.workflow import Transition, history
from ayni.core.workflow_web import WorkflowStepView, step_forms
from ayni.partners.forms import AgreementForm
from ayni.partners.models import Agreement, Organisation, PartnerReport
from ayni.partners.policies import REPORT, VIEW_HISTORY
from ayni.partners.services import agreement_create, agreement_transition, agreement_update
from ayni.partners.workflow import AGREEMENT, EDITABLE_STATUSES, REPORTABLE_STATUSES


def _office(request: HttpRequest) -> Any:
    office = getattr(request.user, "country_office", None)
    if office is None:
        # Superusers without an office use the administration, which is not scoped.
        raise PermissionDenied
    return office


class AgreementListView(ScopedView, TableMixin, ListView):
    """Agreements the user may see: filter by status, type and partner; search reference and
    title; sort by column; download as CSV or XLSX; totals of the UNICEF contribution."""

    model = Agreement
    paginate_by = 50
    template_name = "partners/agreement_list.html"
    export_name = "partners.agreements"

    def get_queryset(self) -> QuerySet[Agreement]:
        return self.table_rows()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, params = self.request.user, self.request.GET
        # Totals over every filtered row (not only this page), one per currency: amounts in
        # different currencies are never added together.
        rows: QuerySet[Agreement] = self.object_list  # type: ignore[assignment]
        context["totals"] = (
            rows.order_by()
            .values("currency")
            .annotate(total=Sum("unicef_contribution"))
            .order_by("currency")
        )
        context["statuses"] = Agreement.Status.choices
        context["types"] = Agreement.Type.choices
        context["partners"] = scope(user, Action.VIEW, Organisation.objects.all())
        context["filters"] = {k: params.get(k, "") for k in ("status", "type", "partner", "q")}
        context["can_add"] = has_perm(user, Action.ADD, Agreement)
        return context


class AgreementDetailView(ScopedView, DetailView):
    model = Agreement
    template_name = "partners/agreement_detail.html"
    context_object_name = "agreement"

    def get_queryset(self) -> QuerySet[Agreement]:
        return super().get_queryset().select_related("organisation", "programme")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, agreement = self.request.user, self.object
        context["results"] = agreement.results.order_by("path", "position")
        context["locations"] = agreement.locations.select_related("level", "country").order_by(
            "code"
        )
        context["show_reports"] = has_perm(user, Action.VIEW, PartnerReport)
        context["reports"] = scope(user, Action.VIEW, agreement.reports.all())
        context["show_history"] = has_perm(user, VIEW_HISTORY, agreement)
        context["events"] = history(agreement) if context["show_history"] else []
        url = reverse("partners:agreement-transition", args=[agreement.pk])
        context["steps"] = step_forms(AGREEMENT, agreement, user, lambda t: url)
        context["transitions"] = [form.transition for form in context["steps"]]
        context["can_edit"] = agreement.status in EDITABLE_STATUSES and has_perm(
            user, Action.CHANGE, agreement
        )
        context["can_report"] = agreement.status in REPORTABLE_STATUSES and has_perm(
            user, REPORT, agreement
        )
        return context


class AgreementTransitionView(WorkflowStepView):
    """One workflow step (the ``transition`` field names it). 403 when the user may not take
    it; a refusal comes back to the agreement page naming the field; nothing is saved."""

    model = Agreement
    workflow = AGREEMENT

    def take(self, record: Any, transition: Transition, data: dict[str, Any]) -> Any:
        return agreement_transition(
            agreement=record,
            transition=transition.name,
            user=self.request.user,
            on=data.get("date"),
            reason=data.get("reason", ""),
            confirm=bool(data.get("confirm")),
        )

    def done_message(self, record: Any, transition: Transition) -> str:
        return _("The agreement is now %(status)s.") % {"status": record.get_status_display()}


class AgreementCreateView(ScopedView, ServiceFormMixin, FormView):
    model = Agreement
    permission_action = Action.ADD
    form_class = AgreementForm
    template_name = "partners/agreement_form.html"
    success_message = gettext_lazy("Agreement saved as a draft.")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["instance"] = Agreement(country_office=_office(self.request))
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        if (partner := int_param(self.request.GET, "partner")) is not None:
            initial["organisation"] = partner
        return initial

    def form_save(self, form: AgreementForm) -> Agreement:
        return agreement_create(country_office=_office(self.request), **form.cleaned_data)


class AgreementUpdateView(ScopedView, ServiceFormMixin, UpdateView):
    """Edit the terms while the agreement is a draft or in review; signed terms are fixed."""

    model = Agreement
    permission_action = Action.CHANGE
    form_class = AgreementForm
    template_name = "partners/agreement_form.html"
    context_object_name = "agreement"
    success_message = gettext_lazy("Saved.")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        if self.object.status not in EDITABLE_STATUSES:
            messages.error(request, _("Only drafts and agreements in review can be edited."))
            return redirect(self.object)
        return super().get(request, *args, **kwargs)

    def form_save(self, form: AgreementForm) -> Agreement:
        return agreement_update(agreement=self.object, **form.cleaned_data)
