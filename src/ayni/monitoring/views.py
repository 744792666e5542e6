from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from ayni.accounts.mixins import ScopedView
from ayni.accounts.permissions import Action, has_perm, scope
from ayni.core.charts import LineChart, Series
from ayni.core.exports import export_response
from ayni.geography.models import Location
from ayni.geography.svg import department_map
from ayni.monitoring import analytics, equity
from ayni.monitoring.models import DataSource, DataValue, Indicator
from ayni.monitoring.selectors import (
    NATIONAL,
    baseline_and_target,
    indicator_overview,
    latest_of,
    region_overview,
    status_at,
)
from ayni.monitoring.status import LABELS


class IndicatorListView(ScopedView, ListView):
    """Every indicator with its latest national value and status; search and status filter."""

    model = Indicator
    template_name = "monitoring/indicator_list.html"

    def get_queryset(self) -> QuerySet[Indicator]:
        queryset = super().get_queryset()
        query = self.request.GET.get("q", "").strip()
        if query:
            queryset = queryset.filter(
                Q(name_es__icontains=query) | Q(name_en__icontains=query) | Q(code__icontains=query)
            )
        return queryset.order_by("code")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = indicator_overview(list(context["object_list"]))
        wanted = self.request.GET.get("status", "")
        if wanted:
            rows = [row for row in rows if row["status"].code == wanted]
        context.update(
            rows=rows,
            query=self.request.GET.get("q", ""),
            status=wanted,
            statuses=[(code, label) for code, label in LABELS.items()],
            can_import=has_perm(self.request.user, Action.ADD, DataValue),
        )
        return context


class IndicatorDetailView(ScopedView, DetailView):
    """One indicator: trend against target, map and table by department, equity, sources."""

    model = Indicator
    slug_field = "code"
    slug_url_kwarg = "code"
    template_name = "monitoring/indicator_detail.html"
    context_object_name = "indicator"

    def get(  # type: ignore[override]
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        if request.GET.get("format") == "csv":
            indicator = self.get_object()
            params = {"indicator": indicator.code}
            return export_response(request, "monitoring.indicator-data", "csv", params)
        return super().get(request, *args, **kwargs)

    def _rows(self, indicator: Indicator, year: int | None) -> list[dict[str, Any]]:
        rows = (
            analytics.indicator_by_location_year(indicator.code, level="department", years=[year])
            if year
            else analytics.latest_by_location(indicator.code, level="department")
        )
        worse_first = indicator.direction == Indicator.Direction.HIGHER_IS_BETTER
        return sorted(rows, key=lambda r: r["value"], reverse=not worse_first)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        indicator: Indicator = self.object
        years = analytics.stored_years(indicator.code)
        year = _int(self.request.GET.get("year"))
        year = year if year in years else None
        rows = self._rows(indicator, year)
        national = analytics.series(indicator.code, location_code=NATIONAL)
        rural = analytics.series(
            indicator.code, location_code=NATIONAL, disaggregation="area=rural"
        )
        baseline, target = baseline_and_target(indicator, NATIONAL)
        chart_years = sorted({r["year"] for r in national + rural} | set(years))
        illustrative = any(r["is_illustrative"] for r in national + rows)
        series = [Series(_("National"), _on(chart_years, national), "national")]
        if rural:
            series.append(Series(_("National, rural"), _on(chart_years, rural), "rural"))
        latest = latest_of(national)
        departments = list(
            Location.objects.filter(country__iso2=NATIONAL, level__depth=1).order_by("code")
        )
        context.update(
            year=year,
            years=years,
            rows=rows,
            latest=latest,
            status=status_at(indicator, latest, (baseline, target)),
            trend=LineChart(
                title=_("National trend against the target"),
                unit=indicator.get_unit_display(),
                years=chart_years,
                series=series,
                reference=_reference(baseline, target),
                reference_name=_("from baseline to target"),
                illustrative=illustrative,
                source=_("Ayni analytics store; sources listed below"),
                places=indicator.places,
            )
            if chart_years
            else None,
            map=department_map(
                departments,
                set(),
                {r["location_code"]: r["value"] for r in rows},
                worse_is_higher=indicator.direction == Indicator.Direction.LOWER_IS_BETTER,
            ),
            region_gap=(region := equity.region_gap(indicator.code, year=year)),
            best_name=_name(rows, region.gap.best) if region else "",
            worst_name=_name(rows, region.gap.worst) if region else "",
            gap_trend=equity.region_gap_trend(
                indicator.code, level="department", disaggregation=""
            ),
            group_gaps=equity.group_gaps(indicator.code, year=year, location_code=NATIONAL)
            or equity.group_gaps(indicator.code, year=year),
            focus=equity.focus_zone_distances(
                indicator.code, year=year, national_location_code=NATIONAL
            ),
            sources=DataSource.objects.filter(values__indicator=indicator).distinct(),
            illustrative=illustrative,
        )
        return context


class RegionView(ScopedView, DetailView):
    """A department: each indicator against the national value and target, and the partners
    and funding active there."""

    model = Location
    template_name = "monitoring/region.html"
    context_object_name = "region"

    def get_object(self, queryset: QuerySet[Any] | None = None) -> Location:
        return get_object_or_404(
            self.get_queryset().select_related("level", "country"),
            country__iso2=self.kwargs["country"].upper(),
            code=self.kwargs["code"],
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from ayni.partners.models import Agreement
        from ayni.programmes.models import Workplan

        context = super().get_context_data(**kwargs)
        region: Location = self.object
        rows = region_overview(list(Indicator.objects.order_by("code")), region.code)
        inside = Location.objects.filter(path__startswith=region.path)
        user = self.request.user
        agreements = scope(
            user,
            Action.VIEW,
            Agreement.objects.filter(locations__in=inside)
            .distinct()
            .select_related("organisation"),
        )
        workplans = scope(user, Action.VIEW, Workplan.objects.filter(region__in=inside))
        context.update(rows=rows, agreements=agreements, workplans=workplans)
        return context


def _name(rows: list[dict[str, Any]], code: str) -> str:
    return next((r["location_name"] for r in rows if r["location_code"] == code), code)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _on(years: list[int], rows: list[dict[str, Any]]) -> list[Decimal | None]:
    by_year = {r["year"]: Decimal(str(r["value"])) for r in rows}
    return [by_year.get(year) for year in years]


def _reference(
    baseline: tuple[int, Decimal] | None, target: tuple[int, Decimal] | None
) -> tuple[tuple[int, Decimal], tuple[int, Decimal]] | None:
    return (baseline, target) if baseline and target else None
