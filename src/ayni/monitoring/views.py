"""The indicator pages and the region page: one country's values, from the analytics store.

Which country is decided once per request (``CountryMixin``): a user of a country office sees
their office's country, and only it; the public chooses with ``?country=`` (the region
page's address names it), which may be left out when only one country is loaded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from ayni.core.charts import LineChart, Series
from ayni.core.exports import export_response
from ayni.core.params import choice_param, year_param
from ayni.core.permissions import Action, has_perm, office_id_of, scope
from ayni.core.views import ScopedView
from ayni.geography.models import Country, Location
from ayni.geography.selectors import CountryNotChosen, country_for, national_location
from ayni.geography.svg import department_map
from ayni.monitoring import analytics, equity
from ayni.monitoring.models import DataSource, DataValue, Indicator
from ayni.monitoring.selectors import (
    FIRST_LEVEL,
    baseline_and_target,
    indicator_overview,
    latest_of,
    region_overview,
    status_at,
)
from ayni.monitoring.status import LABELS


class CountryMixin:
    """Finds the country of the request and its national place, once, before the view runs:
    everything below receives them (``self.country``, ``self.national``) instead of looking
    them up again. An unknown country, or one outside the user's office, answers 404; a
    public visitor who has not chosen among several countries is asked to choose."""

    request: HttpRequest
    kwargs: dict[str, Any]
    country: Country
    national: Location | None

    def requested_country(self) -> str | None:
        return self.request.GET.get("country")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            self.country = country_for(request.user, self.requested_country())
        except Country.DoesNotExist:
            raise Http404(_("No such country here.")) from None
        except CountryNotChosen as exc:
            return render(
                request,
                "monitoring/choose_country.html",
                {"countries": exc.countries, "path": request.path},
            )
        self.national = national_location(self.country)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        # The public's choice travels in the links; an office's country needs no parameter.
        chosen = office_id_of(self.request.user) is None
        context.update(
            country=self.country,
            national=self.national,
            country_param=self.country.iso2 if chosen else "",
        )
        return context


class IndicatorListView(ScopedView, CountryMixin, ListView):
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
        rows = indicator_overview(list(context["object_list"]), self.country, self.national)
        wanted = choice_param(self.request.GET, "status", LABELS) or ""
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


class IndicatorDetailView(ScopedView, CountryMixin, DetailView):
    """One indicator in one country: trend against target, map and table by department,
    equity, sources."""

    model = Indicator
    slug_field = "code"
    slug_url_kwarg = "code"
    template_name = "monitoring/indicator_detail.html"
    context_object_name = "indicator"

    def get(  # type: ignore[override]
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        if choice_param(request.GET, "format", ["csv"]) == "csv":
            indicator = self.get_object()
            # The country the page is about (resolved in ``dispatch``), asked again when a
            # large download runs as a job.
            params = {"indicator": indicator.code, "country": self.country.iso2}
            return export_response(request, "monitoring.indicator-data", "csv", params)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        indicator: Indicator = self.object
        iso2 = self.country.iso2
        national_code = self.national.code if self.national else None
        years = analytics.stored_years(indicator, country=iso2)
        year = year_param(self.request.GET)
        year = year if year in years else None
        # The departments' values of every year, read once: the table, the map and the equity
        # figures below are all made from them.
        by_place = analytics.indicator_by_location_year(indicator, level=FIRST_LEVEL, country=iso2)
        rows = _rows(indicator, by_place, year)
        national: list[dict[str, Any]] = []
        rural: list[dict[str, Any]] = []
        if national_code:
            national = analytics.series(indicator, location_code=national_code, country=iso2)
            rural = analytics.series(
                indicator, location_code=national_code, disaggregation="area=rural", country=iso2
            )
        baseline, target = baseline_and_target(indicator, self.national)
        chart_years = sorted({r["year"] for r in national + rural} | set(years))
        illustrative = any(r["is_illustrative"] for r in national + rows)
        series = [Series(_("National"), _on(chart_years, national), "national")]
        if rural:
            series.append(Series(_("National, rural"), _on(chart_years, rural), "rural"))
        latest = latest_of(national)
        # With their country: the map links each department to its page.
        departments = list(
            Location.objects.filter(country=self.country, level__depth=FIRST_LEVEL)
            .select_related("country")
            .order_by("code")
        )
        region = equity.region_gap(
            indicator, year=year, level=FIRST_LEVEL, rows=by_place, country=iso2
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
            region_gap=region,
            best_name=_name(rows, region.gap.best) if region else "",
            worst_name=_name(rows, region.gap.worst) if region else "",
            gap_trend=equity.region_gap_trend(
                indicator, level=FIRST_LEVEL, rows=by_place, country=iso2
            ),
            group_gaps=(
                national_code
                and equity.group_gaps(
                    indicator, year=year, location_code=national_code, country=iso2
                )
            )
            or equity.group_gaps(indicator, year=year, level=FIRST_LEVEL, country=iso2),
            focus=equity.focus_zone_distances(
                indicator,
                year=year,
                national_location_code=national_code,
                level=FIRST_LEVEL,
                rows=by_place,
                country=iso2,
            ),
            sources=DataSource.objects.filter(
                values__indicator=indicator, values__location__country=self.country
            ).distinct(),
            illustrative=illustrative,
        )
        return context


class RegionView(ScopedView, CountryMixin, DetailView):
    """A place (a department, or the whole country): each indicator against the national
    value and target, and the partners and funding active there."""

    model = Location
    template_name = "monitoring/region.html"
    context_object_name = "region"

    def requested_country(self) -> str | None:
        return str(self.kwargs["country"])

    def get_object(self, queryset: QuerySet[Any] | None = None) -> Location:
        return get_object_or_404(
            self.get_queryset().select_related("level", "country"),
            country=self.country,
            code=self.kwargs["code"],
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from ayni.partners.models import Agreement
        from ayni.programmes.models import Workplan

        context = super().get_context_data(**kwargs)
        region: Location = self.object
        rows = region_overview(list(Indicator.objects.order_by("code")), region, self.national)
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


def _rows(
    indicator: Indicator, by_place: list[dict[str, Any]], year: int | None
) -> list[dict[str, Any]]:
    """The departments' values of ``year`` (their latest where ``None``), worst first."""
    rows = (
        [row for row in by_place if row["year"] == year]
        if year
        else analytics.latest_of_places(by_place)
    )
    worse_first = indicator.direction == Indicator.Direction.HIGHER_IS_BETTER
    return sorted(rows, key=lambda r: r["value"], reverse=not worse_first)


def _name(rows: list[dict[str, Any]], code: str) -> str:
    return next((r["location_name"] for r in rows if r["location_code"] == code), code)


def _on(years: list[int], rows: list[dict[str, Any]]) -> list[Decimal | None]:
    by_year = {r["year"]: Decimal(str(r["value"])) for r in rows}
    return [by_year.get(year) for year in years]


def _reference(
    baseline: tuple[int, Decimal] | None, target: tuple[int, Decimal] | None
) -> tuple[tuple[int, Decimal], tuple[int, Decimal]] | None:
    return (baseline, target) if baseline and target else None
