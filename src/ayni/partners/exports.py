"""The partner tables (organisations, agreements): one definition each for the list page and
for its CSV/XLSX export (``core.exports``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ayni.core.exports import Column, Params, TableExport, export_type
from ayni.core.params import choice_param, int_param
from ayni.core.permissions import Action, scope
from ayni.partners.models import Agreement, Organisation


@export_type("partners.organisations")
class OrganisationTable(TableExport):
    title = _("Organisations")
    model = Organisation
    default_sort = "name"
    columns = [
        Column("name", _("Name"), sort="name"),
        Column("acronym", _("Acronym"), sort="acronym"),
        Column("type", _("Type"), sort="type", value=lambda o: o.get_type_display()),
        Column("iati_identifier", _("IATI organisation identifier")),
        Column(
            "is_illustrative",
            _("Illustrative"),
            value=lambda o: str(_("yes")) if o.is_illustrative else "",
        ),
    ]

    def filename(self, params: Params) -> str:
        return "organisations"

    def queryset(self, user: Any, params: Params) -> QuerySet[Organisation]:
        queryset = scope(user, Action.VIEW, Organisation.objects.all())
        if (kind := choice_param(params, "type", Organisation.Type.values)) is not None:
            queryset = queryset.filter(type=kind)
        if params.get("q"):
            queryset = queryset.filter(
                Q(name__icontains=params["q"]) | Q(acronym__icontains=params["q"])
            )
        return queryset


@export_type("partners.agreements")
class AgreementTable(TableExport):
    """Agreements the user may see: by status, type and partner; search in reference and title."""

    title = _("Agreements")
    model = Agreement
    columns = [
        Column("reference", _("Reference"), sort="reference"),
        Column("title", _("Title"), sort="title"),
        Column(
            "partner",
            _("Partner"),
            sort="organisation__name",
            value=lambda a: a.organisation.acronym or a.organisation.name,
        ),
        Column("type", _("Type"), sort="type", value=lambda a: a.get_type_display()),
        Column("status", _("Status"), sort="status", value=lambda a: a.get_status_display()),
        Column("start_date", _("Start"), sort="start_date"),
        Column("end_date", _("End"), sort="end_date"),
        Column("currency", _("Currency"), sort="currency"),
        Column("unicef_contribution", _("UNICEF contribution"), sort="unicef_contribution"),
    ]

    def filename(self, params: Params) -> str:
        return "agreements"

    def queryset(self, user: Any, params: Params) -> QuerySet[Agreement]:
        queryset = scope(user, Action.VIEW, Agreement.objects.all()).select_related("organisation")
        if (status := choice_param(params, "status", Agreement.Status.values)) is not None:
            queryset = queryset.filter(status=status)
        if (kind := choice_param(params, "type", Agreement.Type.values)) is not None:
            queryset = queryset.filter(type=kind)
        if (partner := int_param(params, "partner")) is not None:
            queryset = queryset.filter(organisation_id=partner)
        query = params.get("q", "").strip()
        if query:
            queryset = queryset.filter(Q(reference__icontains=query) | Q(title__icontains=query))
        return queryset
