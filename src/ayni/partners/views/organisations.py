"""Organisation pages: list, detail (with the agreements the user may see), create and edit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _l
from django.views.generic import DetailView, FormView, ListView, UpdateView

from ayni.core.forms import ServiceFormMixin
from ayni.core.permissions import Action, has_perm, scope
from ayni.core.tables import TableMixin
from ayni.core.views import ScopedView
from ayni.partners.forms import OrganisationForm
from ayni.partners.models import Agreement, Organisation
from ayni.partners.services import organisation_create, organisation_update


class OrganisationListView(ScopedView, TableMixin, ListView):
    model = Organisation
    paginate_by = 50
    template_name = "partners/organisation_list.html"
    export_name = "partners.organisations"

    def get_queryset(self) -> QuerySet[Organisation]:
        return self.table_rows()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["types"] = Organisation.Type.choices
        context["type"] = self.request.GET.get("type", "")
        context["query"] = self.request.GET.get("q", "")
        context["can_add"] = has_perm(self.request.user, Action.ADD, Organisation)
        context["can_see_agreements"] = has_perm(self.request.user, Action.VIEW, Agreement)
        return context


class OrganisationDetailView(ScopedView, DetailView):
    model = Organisation
    template_name = "partners/organisation_detail.html"
    context_object_name = "organisation"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        # Only the agreements this user may see: a partner never learns of another's.
        context["agreements"] = scope(user, Action.VIEW, self.object.agreements.all())
        context["can_edit"] = has_perm(user, Action.CHANGE, self.object)
        return context


class OrganisationCreateView(ScopedView, ServiceFormMixin, FormView):
    model = Organisation
    permission_action = Action.ADD
    form_class = OrganisationForm
    template_name = "partners/organisation_form.html"
    success_message = _l("Organisation added.")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_save(self, form: OrganisationForm) -> Organisation:
        office = getattr(self.request.user, "country_office", None)
        if office is None:
            # Superusers without an office use the administration, which is not scoped.
            raise PermissionDenied
        return organisation_create(country_office=office, **form.cleaned_data)


class OrganisationUpdateView(ScopedView, ServiceFormMixin, UpdateView):
    model = Organisation
    permission_action = Action.CHANGE
    form_class = OrganisationForm
    template_name = "partners/organisation_form.html"
    context_object_name = "organisation"
    success_message = _l("Saved.")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_save(self, form: OrganisationForm) -> Organisation:
        return organisation_update(organisation=self.object, **form.cleaned_data)
