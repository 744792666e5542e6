from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView

from ayni.accounts.mixins import ScopedView
from ayni.accounts.permissions import Action, has_perm, scope
from ayni.core.charts import BarChart, Series
from ayni.finance import selectors as funding
from ayni.finance.policies import sees_office_finance
from ayni.geography.models import Location
from ayni.geography.svg import department_map
from ayni.programmes import services
from ayni.programmes.forms import MoveForm, ResultForm, RetireForm
from ayni.programmes.models import CountryProgramme, Framework, Result, Workplan
from ayni.programmes.selectors import result_tree


class ProgrammeListView(ScopedView, ListView):
    model = CountryProgramme
    template_name = "programmes/programme_list.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # With one programme (the usual case) go straight to its dashboard.
        programmes = list(self.get_queryset()[:2])
        if len(programmes) == 1:
            return HttpResponseRedirect(programmes[0].get_absolute_url())
        return super().get(request, *args, **kwargs)


def focus_departments(programme: CountryProgramme) -> tuple[list[Location], set[int]]:
    """All departments of the programme's country, and those in a zone a result targets."""
    departments = list(
        Location.objects.filter(country=programme.country, level__depth=1).order_by("code")
    )
    focus = set(
        Location.objects.filter(
            zones__results__programme=programme,
            zones__results__retired_at__isnull=True,
            level__depth=1,
        ).values_list("pk", flat=True)
    )
    return departments, focus


class ProgrammeDashboardView(ScopedView, DetailView):
    """The answer first: planned, funded, gap; then where the money is and what is missing."""

    model = CountryProgramme
    template_name = "programmes/dashboard.html"
    context_object_name = "programme"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        programme: CountryProgramme = self.object
        departments, focus = focus_departments(programme)
        context["map"] = department_map(departments, focus)
        context["focus_departments"] = [d for d in departments if d.pk in focus]
        context["show_funding"] = sees_office_finance(self.request.user)
        if not context["show_funding"]:
            return context
        figures = funding.programme_funding(programme)
        by_component = funding.funding_by(programme, "component")
        by_year = funding.funding_by(programme, "year")
        by_type = funding.funding_by(programme, "funding_type")
        unit = programme.currency
        source = _("Ayni records: budget lines, allocations and expenditures")
        illustrative = programme.results.filter(budget_lines__is_illustrative=True).exists()
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
            warnings=funding.funding_warnings(programme, today=date.today()),
            can_edit=has_perm(self.request.user, Action.CHANGE, programme),
        )
        return context


class ResultTreeView(ScopedView, DetailView):
    """The results tree with the funding of each node; editors add, move, reorder, retire."""

    model = CountryProgramme
    template_name = "programmes/result_tree.html"
    context_object_name = "programme"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        programme: CountryProgramme = self.object
        show_retired = self.request.GET.get("retired") == "1"
        nodes = result_tree(programme, include_retired=show_retired)
        show_funding = sees_office_finance(self.request.user)
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
    template_name = "programmes/result_detail.html"
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
                funding.result_funding(result) if sees_office_finance(self.request.user) else None
            ),
            children=children,
            ancestors=Result.objects.filter(
                pk__in=[int(p) for p in result.path.strip("/").split("/")[:-1] if p]
            ).order_by("path"),
            agreements=scope(self.request.user, Action.VIEW, result.agreements.all()),
            can_edit=has_perm(self.request.user, Action.CHANGE, result),
            retire_form=RetireForm(),
            move_form=MoveForm(result=result),
        )
        return context


class ResultFormView(ScopedView, FormView):
    """Add a result (under a parent, or a component under the programme) or edit one."""

    model = Result
    permission_action = Action.CHANGE
    template_name = "programmes/result_form.html"
    form_class = ResultForm

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.result: Result | None = None
        self.parent: Result | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        results = scope(request.user, Action.VIEW, Result.objects.select_related("programme"))
        if "pk" in kwargs:
            self.result = get_object_or_404(results, pk=kwargs["pk"])
            self.programme = self.result.programme
        elif "parent" in kwargs:
            self.parent = get_object_or_404(results, pk=kwargs["parent"])
            self.programme = self.parent.programme
        else:
            programmes = scope(request.user, Action.VIEW, CountryProgramme.objects.all())
            self.programme = get_object_or_404(programmes, pk=kwargs["programme"])
        if not has_perm(request.user, Action.CHANGE, self.result or self.programme):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["programme"] = self.programme
        kwargs["instance"] = self.result
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(result=self.result, parent=self.parent, programme=self.programme)
        return context

    def form_valid(self, form: ResultForm) -> HttpResponse:
        data = dict(form.cleaned_data)
        try:
            if self.result is not None:
                data.pop("code", None)
                result = services.result_update(result=self.result, **data)
            else:
                level = (
                    Result.Level.COMPONENT
                    if self.parent is None
                    else Result.Level.OUTPUT
                    if self.parent.level == Result.Level.COMPONENT
                    else Result.Level.ACTIVITY
                )
                result = services.result_create(
                    programme=self.programme, parent=self.parent, level=level, **data
                )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(result.get_absolute_url())


class ResultActionView(ScopedView, DetailView):
    """POST-only actions on a result: move, up, down, retire, restore."""

    model = Result
    permission_action = Action.CHANGE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        result: Result = self.get_object()
        action = kwargs["action"]
        try:
            if action == "move":
                form = MoveForm(request.POST, result=result)
                if not form.is_valid():
                    raise ValidationError(form.errors.get_json_data())
                services.result_move(
                    result=result,
                    parent=form.cleaned_data["parent"],
                    position=form.cleaned_data["position"],
                )
            elif action in {"up", "down"}:
                step = -1 if action == "up" else 1
                services.result_reorder(result=result, position=max(1, result.position + step))
            elif action == "retire":
                services.result_retire(result=result, reason=request.POST.get("reason", ""))
            elif action == "restore":
                services.result_restore(result=result)
            else:
                raise ValidationError({"action": _("Unknown action.")})
        except ValidationError as exc:
            for field, errors in _flatten(exc):
                messages.error(request, f"{field}: {errors}")
        else:
            messages.success(request, _("Saved."))
        target = request.POST.get("next") or ""
        if not target.startswith("/"):
            target = result.get_absolute_url()
        return HttpResponseRedirect(target)


def _flatten(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(f, " ".join(str(m) for m in msgs)) for f, msgs in exc.message_dict.items()]
    return [("", " ".join(exc.messages))]


class FrameworkListView(ScopedView, ListView):
    model = Framework
    template_name = "programmes/framework_list.html"

    def get_queryset(self) -> QuerySet[Framework]:
        results = scope(self.request.user, Action.VIEW, Result.objects.all())
        return (
            super()
            .get_queryset()
            .prefetch_related(
                "goals", Prefetch("goals__results", queryset=results.order_by("code"))
            )
        )


class WorkplanListView(ScopedView, ListView):
    model = Workplan
    template_name = "programmes/workplan_list.html"

    def get_queryset(self) -> QuerySet[Workplan]:
        return super().get_queryset().select_related("partner", "region", "programme")


class WorkplanDetailView(ScopedView, DetailView):
    model = Workplan
    template_name = "programmes/workplan_detail.html"
    context_object_name = "workplan"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["activities"] = self.object.activities.select_related("result").prefetch_related(
            "locations"
        )
        return context
