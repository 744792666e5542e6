from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView

from ayni.core.forms import ServiceFormMixin, message_service_errors
from ayni.core.permissions import Action, has_perm, scope
from ayni.core.views import ScopedView, next_url
from ayni.programmes import services
from ayni.programmes.forms import MoveForm, ResultForm
from ayni.programmes.models import CountryProgramme, Framework, Result, Workplan
from ayni.programmes.policies import VIEW_FIGURES


class ProgrammeListView(ScopedView, ListView):
    model = CountryProgramme
    template_name = "programmes/programme_list.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # With one programme (the usual case) go straight to its dashboard.
        programmes = list(self.get_queryset()[:2])
        if len(programmes) == 1:
            return HttpResponseRedirect(programmes[0].get_absolute_url())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["show_figures"] = has_perm(self.request.user, VIEW_FIGURES, CountryProgramme)
        return context


class ResultFormView(ScopedView, ServiceFormMixin, FormView):
    """Add a result (under a parent, or a component under the programme) or edit one."""

    model = Result
    permission_action = Action.CHANGE
    template_name = "programmes/result_form.html"
    form_class = ResultForm
    success_message = gettext_lazy("Saved.")

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
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(result=self.result, parent=self.parent, programme=self.programme)
        return context

    def form_save(self, form: ResultForm) -> Result:
        data = dict(form.cleaned_data)
        if self.result is not None:
            data.pop("code", None)
            return services.result_update(result=self.result, **data)
        level = (
            Result.Level.COMPONENT
            if self.parent is None
            else Result.Level.OUTPUT
            if self.parent.level == Result.Level.COMPONENT
            else Result.Level.ACTIVITY
        )
        return services.result_create(
            programme=self.programme, parent=self.parent, level=level, **data
        )


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
                form = MoveForm(request.POST, result=result, user=request.user)
                if not form.is_valid():
                    raise ValidationError(form.errors.as_data())
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
            message_service_errors(request, exc)
        else:
            messages.success(request, _("Saved."))
        return HttpResponseRedirect(next_url(request, result.get_absolute_url()))


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
