"""Agreement pages: the list (filters, search, sorting, downloads, totals), the detail page with
one button per available workflow transition, and the create and edit forms."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView, UpdateView
from django.views.generic.detail import SingleObjectMixin

from ayni.accounts.mixins import ScopedView
from ayni.accounts.permissions import Action, has_perm, scope
from ayni.core.tables import TableMixin
from ayni.partners.forms import AgreementForm, add_service_errors
from ayni.partners.models import Agreement, Organisation, PartnerReport
from ayni.partners.policies import may_report_on
from ayni.partners.services import agreement_create, agreement_transition, agreement_update
from ayni.partners.workflow import EDITABLE_STATUSES, REPORTABLE_STATUSES, available_transitions

OTHER_LABELS = {
    "date": gettext_lazy("Signature date"),
    "reason": gettext_lazy("Reason"),
    "transition": gettext_lazy("Transition"),
}


def field_label(name: str) -> str:
    """The name a person reads for a field a service refused ("UNICEF contribution")."""
    if name in OTHER_LABELS:
        return str(OTHER_LABELS[name])
    try:
        return str(capfirst(Agreement._meta.get_field(name).verbose_name))  # type: ignore[union-attr]
    except FieldDoesNotExist:
        return name


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
        context["events"] = scope(user, Action.VIEW, agreement.events.select_related("user"))
        context["transitions"] = available_transitions(agreement, user)
        context["can_edit"] = agreement.status in EDITABLE_STATUSES and has_perm(
            user, Action.CHANGE, agreement
        )
        context["can_report"] = agreement.status in REPORTABLE_STATUSES and may_report_on(
            user, agreement
        )
        return context


class AgreementTransitionView(ScopedView, SingleObjectMixin, View):
    """One workflow button. A refusal comes back to the agreement page with what is missing,
    naming the field; nothing is saved."""

    model = Agreement
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        agreement = self.get_object()
        raw_date = request.POST.get("date", "").strip()
        on: date | None = None
        if raw_date:
            try:
                on = date.fromisoformat(raw_date)
            except ValueError:
                messages.error(
                    request, f"{field_label('date')}: {_('Enter a date as YYYY-MM-DD.')}"
                )
                return redirect(agreement)
        try:
            agreement = agreement_transition(
                agreement=agreement,
                transition=request.POST.get("transition", ""),
                user=request.user,
                on=on,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                for problem in problems:
                    messages.error(request, f"{field_label(name)}: {problem}")
        else:
            messages.success(
                request,
                _("The agreement is now %(status)s.") % {"status": agreement.get_status_display()},
            )
        return redirect(agreement)


class AgreementCreateView(ScopedView, FormView):
    model = Agreement
    permission_action = Action.ADD
    form_class = AgreementForm
    template_name = "partners/agreement_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        office = _office(self.request)
        kwargs["country_office"] = office
        kwargs["instance"] = Agreement(country_office=office)
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        partner = self.request.GET.get("partner", "")
        if partner.isdigit():
            initial["organisation"] = int(partner)
        return initial

    def form_valid(self, form: AgreementForm) -> HttpResponse:
        try:
            agreement = agreement_create(country_office=_office(self.request), **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Agreement saved as a draft."))
        return redirect(agreement)


class AgreementUpdateView(ScopedView, UpdateView):
    """Edit the terms while the agreement is a draft or in review; signed terms are fixed."""

    model = Agreement
    permission_action = Action.CHANGE
    form_class = AgreementForm
    template_name = "partners/agreement_form.html"
    context_object_name = "agreement"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["country_office"] = self.object.country_office
        return kwargs

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        if self.object.status not in EDITABLE_STATUSES:
            messages.error(request, _("Only drafts and agreements in review can be edited."))
            return redirect(self.object)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form: AgreementForm) -> HttpResponse:
        try:
            agreement = agreement_update(agreement=self.object, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(agreement)
