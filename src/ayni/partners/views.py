from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.views.generic import DetailView, ListView

from ayni.accounts.mixins import ScopedView
from ayni.partners.models import Organisation


class OrganisationListView(ScopedView, ListView):
    model = Organisation
    paginate_by = 50
    template_name = "partners/organisation_list.html"

    def get_queryset(self) -> QuerySet[Organisation]:
        queryset = super().get_queryset()
        if self.request.GET.get("type"):
            queryset = queryset.filter(type=self.request.GET["type"])
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["types"] = Organisation.Type.choices
        context["type"] = self.request.GET.get("type", "")
        return context


class OrganisationDetailView(ScopedView, DetailView):
    model = Organisation
    template_name = "partners/organisation_detail.html"
    context_object_name = "organisation"
