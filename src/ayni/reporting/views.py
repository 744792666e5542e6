"""The pages that compose the domains: the home page and the programme's screens that show
results with their funding (the dashboard, the results tree, a result's page).

They sit above programmes, finance, partners and geography so that none of those needs to
import another to draw a page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView

from ayni.core.charts import BarChart, Series
from ayni.core.params import choice_param
from ayni.core.permissions import Action, has_perm, scope
from ayni.core.views import ScopedView
from ayni.finance import selectors as funding
from ayni.finance.models import BudgetLine, Grant
from ayni.finance.policies import VIEW_OFFICE_FIGURES, VIEW_OFFICE_GRANT_FIGURES
from ayni.geography.models import Country, Location
from ayni.geography.svg import department_map
from ayni.programmes.forms import MoveForm, RetireForm
from ayni.programmes.models import CountryProgramme, Result
from ayni.programmes.selectors import result_tree


class HomeView(ScopedView, TemplateView):
    """The front page: what Ayni holds and where to go next. Readable by everyone."""

    public = True
    template_name = "reporting/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        countries = Country.objects.order_by("iso2")
        levels = []
        for country in countries:
            per_level = country.levels.annotate(n=Count("locations")).order_by("depth")
            levels.append((country, list(per_level)))
        context["countries"] = levels
        return context


def focus_departments(programme: CountryProgramme) -> tuple[list[Location], set[int]]:
    """All departments of the programme's country, and those in a zone a result targets;
    one query, each department with its country (its address names the country)."""
    targeted = Result.objects.filter(
        programme=programme, retired_at__isnull=True, zones__locations=OuterRef("pk")
    )
    departments: list[Location] = []
    focus: set[int] = set()
    for department in (
        Location.objects.filter(country_id=programme.country_id, level__depth=1)
        .select_related("country")
        .annotate(in_focus=Exists(targeted))
        .order_by("code")
    ):
        departments.append(department)
        if department.in_focus:
            focus.add(department.pk)
    return departments, focus


class ProgrammeDashboardView(ScopedView, DetailView):
    """The answer first: planned, funded, gap; then where the money is and what is missing."""

    model = CountryProgramme
    template_name = "reporting/dashboard.html"
    context_object_name = "programme"

    def get_queryset(self) -> QuerySet[CountryProgramme]:
        return super().get_queryset().select_related("country")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        programme: CountryProgramme = self.object
        departments, focus = focus_departments(programme)
        context["map"] = department_map(departments, focus)
        context["focus_departments"] = [d for d in departments if d.pk in focus]
        context["show_funding"] = has_perm(self.request.user, VIEW_OFFICE_FIGURES, BudgetLine)
        # The outlook and the warnings read every grant (docs/security.md).
        grant_figures = has_perm(self.request.user, VIEW_OFFICE_GRANT_FIGURES, Grant)
        context["grant_figures"] = grant_figures
        if not context["show_funding"]:
            return context
        # Every figure below comes from this one read of the programme's money.
        ledger = funding.ledger(programme)
        figures = funding.programme_funding(ledger)
        by_component = funding.funding_by(ledger, "component")
        by_year = funding.funding_by(ledger, "year")
        by_type = funding.funding_by(ledger, "funding_type")
        unit = programme.currency
        source = _("Ayni records: budget lines, allocations and expenditures")
        illustrative = ledger.has_illustrative_budget
        context.update(
            figures=figures,
            by_component=by_component,
            by_type=by_type,
            component_chart=BarChart(
                title=_("Funded and gap by component"),
                unit=unit,
                source=source,
                categories=[row.label for row in by_component],
                stacked=True,
                illustrative=illustrative,
                series=[
                    Series(_("Funded"), [r.figures.funded for r in by_component], "funded"),
                    Series(_("Gap"), [r.figures.gap for r in by_component], "gap"),
                ],
            ),
            year_chart=BarChart(
                title=_("Planned, funded and spent by year"),
                unit=unit,
                source=source,
                categories=[row.label for row in by_year],
                illustrative=illustrative,
                series=[
                    Series(_("Planned"), [r.figures.planned for r in by_year], "planned"),
                    Series(_("Funded"), [r.figures.funded for r in by_year], "funded"),
                    Series(_("Spent"), [r.figures.spent for r in by_year], "spent"),
                ],
            ),
            # The warnings read every grant: only for who may read the office's grant figures.
            warnings=(
                funding.funding_warnings(ledger, today=date.today()) if grant_figures else []
            ),
            can_edit=has_perm(self.request.user, Action.CHANGE, programme),
        )
        return context


class ResultTreeView(ScopedView, DetailView):
    """The results tree with the funding of each node; editors add, move, reorder, retire."""

    model = CountryProgramme
    template_name = "reporting/result_tree.html"
    context_object_name = "programme"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        programme: CountryProgramme = self.object
        show_retired = choice_param(self.request.GET, "retired", ["0", "1"]) == "1"
        nodes = result_tree(programme, include_retired=show_retired)
        show_funding = has_perm(self.request.user, VIEW_OFFICE_FIGURES, BudgetLine)
        tree_figures = funding.funding_tree(programme) if show_funding else {}
        for node in nodes:
            node.figures = tree_figures.get(node.pk)  # type: ignore[attr-defined]
        context.update(
            nodes=nodes,
            show_retired=show_retired,
            can_edit=has_perm(self.request.user, Action.CHANGE, programme),
        )
        return context


class ResultDetailView(ScopedView, DetailView):
    model = Result
    template_name = "reporting/result_detail.html"
    context_object_name = "result"

    def get_queryset(self) -> QuerySet[Result]:
        return (
            super()
            .get_queryset()
            .select_related("programme", "parent")
            .prefetch_related("approaches", "focus_populations", "zones", "goals__framework")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        result: Result = self.object
        children = result.children.filter(retired_at__isnull=True).order_by("position")
        context.update(
            figures=(
                funding.result_funding(result)
                if has_perm(self.request.user, VIEW_OFFICE_FIGURES, BudgetLine)
                else None
            ),
            grant_figures=has_perm(self.request.user, VIEW_OFFICE_GRANT_FIGURES, Grant),
            children=children,
            ancestors=Result.objects.filter(
                pk__in=[int(p) for p in result.path.strip("/").split("/")[:-1] if p]
            ).order_by("path"),
            agreements=scope(self.request.user, Action.VIEW, result.agreements.all()),
            can_edit=has_perm(self.request.user, Action.CHANGE, result),
            retire_form=RetireForm(),
            move_form=MoveForm(result=result, user=self.request.user),
        )
        return context
