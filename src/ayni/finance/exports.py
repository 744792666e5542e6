"""The finance tables (donors, grants, a programme's budget): one definition each for the list
page and for its CSV/XLSX export (``core.exports``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ayni.core.exports import Column, Params, TableExport, export_type
from ayni.core.params import choice_param, int_param
from ayni.core.permissions import Action, has_perm, scope
from ayni.finance import selectors
from ayni.finance.models import BudgetLine, Donor, FundingType, Grant
from ayni.finance.policies import VIEW_OFFICE_FIGURES
from ayni.programmes.models import CountryProgramme


@export_type("finance.donors")
class DonorTable(TableExport):
    title = _("Donors")
    model = Donor
    default_sort = "organisation__name"
    columns = [
        Column("organisation__name", _("Donor"), sort="organisation__name"),
        Column("code", _("Code"), sort="code"),
        Column("grant_count", _("Grants"), sort="grant_count"),
    ]

    def filename(self, params: Params) -> str:
        return "donors"

    def queryset(self, user: Any, params: Params) -> QuerySet[Donor]:
        queryset = (
            scope(user, Action.VIEW, Donor.objects.all())
            .select_related("organisation")
            .annotate(grant_count=Count("grants"))
        )
        if params.get("q"):
            queryset = queryset.filter(organisation__name__icontains=params["q"])
        return queryset


@export_type("finance.grants")
class GrantTable(TableExport):
    """Grants of the office (a donor viewer: of their donor), with what is allocated."""

    title = _("Grants")
    model = Grant
    default_sort = "reference"
    columns = [
        Column("reference", _("Reference"), sort="reference"),
        Column("donor", _("Donor"), sort="donor__organisation__name"),
        Column("funding_type", _("Funding type"), sort="funding_type__position"),
        Column("stage", _("Stage"), sort="stage", value=lambda g: g.get_stage_display()),
        Column("amount", _("Amount"), sort="amount"),
        Column("currency", _("Currency"), sort="currency"),
        Column("allocated", _("Allocated"), sort="allocated"),
        Column("available", _("Available"), sort="available"),
        Column("expiry_date", _("Expires"), sort="expiry_date"),
    ]

    def filename(self, params: Params) -> str:
        return "grants"

    def filtered(self, user: Any, params: Params) -> QuerySet[Grant]:
        """The grants the user may see under the page's filters (for the rows and totals)."""
        queryset = scope(user, Action.VIEW, Grant.objects.all())
        if (stage := choice_param(params, "stage", Grant.Stage.values)) is not None:
            queryset = queryset.filter(stage=stage)
        if (donor := int_param(params, "donor")) is not None:
            queryset = queryset.filter(donor_id=donor)
        codes = FundingType.objects.values_list("code", flat=True)
        if (funding_type := choice_param(params, "funding_type", codes)) is not None:
            queryset = queryset.filter(funding_type__code=funding_type)
        if (programme := int_param(params, "programme")) is not None:
            queryset = queryset.filter(programme_id=programme)
        if params.get("q", "").strip():
            queryset = queryset.filter(reference__icontains=params["q"].strip())
        return queryset

    def queryset(self, user: Any, params: Params) -> QuerySet[Grant]:
        queryset = self.filtered(user, params).select_related("donor__organisation", "funding_type")
        return selectors.with_allocated(queryset)


@export_type("finance.budget")
class BudgetTable(TableExport):
    """A programme's budget by result and year with funded, gap and spent, in the programme's
    currency (``?programme=<id>``). For those who read the whole office's budget."""

    title = _("Budget")
    model = BudgetLine

    def programme(self, user: Any, params: Params) -> CountryProgramme | None:
        pk = int_param(params, "programme")
        if pk is None:
            return None
        programmes = scope(user, Action.VIEW, CountryProgramme.objects.all())
        return programmes.filter(pk=pk).first()

    def allowed(self, user: Any, params: Params) -> bool:
        return (
            has_perm(user, VIEW_OFFICE_FIGURES, BudgetLine)
            and self.programme(user, params) is not None
        )

    def filename(self, params: Params) -> str:
        programme = CountryProgramme.objects.filter(pk=int_param(params, "programme") or 0).first()
        return f"budget-{slugify(programme.code) if programme else 'programme'}"

    def describe(self, params: Params) -> list[tuple[Any, str]]:
        programme = CountryProgramme.objects.filter(pk=int_param(params, "programme") or 0).first()
        return [(_("Programme"), programme.code if programme else "")]

    def get_columns(self, user: Any, params: Params) -> list[Column]:
        programme = self.programme(user, params)
        years = list(programme.years) if programme else []

        def year_cell(year: int) -> Column:
            return Column(str(year), str(year), value=lambda row: row[1].get(year, Decimal("0.00")))

        return [
            Column("code", _("Code"), value=lambda row: row[0].code),
            Column("result", _("Result"), value=lambda row: row[0].title),
            Column("level", _("Level"), value=lambda row: row[0].get_level_display()),
            *[year_cell(year) for year in years],
            Column("planned", _("Planned"), value=lambda row: row[2].planned),
            Column("funded", _("Funded"), value=lambda row: row[2].funded),
            Column("gap", _("Gap"), value=lambda row: row[2].gap),
            Column("spent", _("Spent"), value=lambda row: row[2].spent),
            Column("currency", _("Currency"), value=lambda row: row[2].currency),
        ]

    def rows(self, user: Any, params: Params) -> list[Any]:
        programme = self.programme(user, params)
        return selectors.budget_table(programme)[0] if programme else []

    def count(self, user: Any, params: Params) -> int | None:
        # One row per result: counted without working out the figures.
        programme = self.programme(user, params)
        return programme.results.count() if programme else 0
