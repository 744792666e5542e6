"""The pages' side of the workflow engine: one form per step (effective date defaulting to
today, a reason where the step needs one, an "I understand this cannot be undone" box for
irreversible steps), the confirmation page those steps lead to when the box was not ticked,
and the view every record's step buttons post to. Plain HTML forms: nothing needs JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic.detail import SingleObjectMixin

from ayni.core.forms import message_service_errors
from ayni.core.permissions import has_perm
from ayni.core.views import ScopedView
from ayni.core.workflow import DEFAULT_REASON_LABEL, Transition, Workflow


class StepForm(forms.Form):
    """What a person gives to take one step. Field names are the API's (``date``,
    ``reason``, ``confirm``); ids carry the step's name, so a page holds several."""

    date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(
        required=False, label=gettext_lazy("I understand this cannot be undone")
    )

    def __init__(self, *args: Any, transition: Transition, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{transition.name}_%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.transition = transition
        self.action_url = ""
        fields: dict[str, Any] = self.fields
        today = timezone.localdate()
        fields["date"].label = transition.date_label
        fields["date"].initial = today
        if not transition.allow_future:
            fields["date"].widget.attrs["max"] = today.isoformat()
        if transition.needs_reason:
            fields["reason"].label = transition.reason_label
        else:
            del fields["reason"]
        if not transition.irreversible:
            del fields["confirm"]


def step_forms(
    workflow: Workflow, record: Any, user: Any, url: Callable[[Transition], str]
) -> list[StepForm]:
    """One unbound form per step ``user`` may take from the record's state (the buttons)."""
    out = []
    for transition in workflow.available(record, user):
        form = StepForm(transition=transition)
        form.action_url = url(transition)
        out.append(form)
    return out


OTHER_LABELS = {
    "reason": DEFAULT_REASON_LABEL,
    "confirm": gettext_lazy("Confirmation"),
    "transition": gettext_lazy("Step"),
}


class WorkflowStepView(ScopedView, SingleObjectMixin, View):
    """POST one step of a record's workflow.

    A record outside the user's view answers 404, a step they may not take 403 (asked as
    ``has_perm(user, step, record)``: the service does not check). An irreversible step
    without its box ticked shows the confirmation page; a refusal comes back to the record's
    page with what is wrong, naming the field; nothing is saved.
    """

    model: Any = None
    workflow: Workflow
    http_method_names = ["post"]
    confirm_template = "core/workflow_confirm.html"

    def transition_name(self) -> str:
        return self.request.POST.get("transition", "")

    def take(self, record: Any, transition: Transition, data: dict[str, Any]) -> Any:
        """Call the domain's service with the form's ``date``, ``reason`` and ``confirm``."""
        raise NotImplementedError

    def done_message(self, record: Any, transition: Transition) -> str:
        return _("%(step)s: done. The %(record)s is now %(state)s.") % {
            "step": transition.label,
            "record": record._meta.verbose_name,
            "state": self.workflow.state_label(getattr(record, self.workflow.state_field)),
        }

    def field_label(self, name: str, transition: Transition | None) -> str:
        if transition is not None and name == "date":
            return str(transition.date_label)
        if name in OTHER_LABELS:
            return str(OTHER_LABELS[name])
        try:
            field = self.workflow.model._meta.get_field(name)
        except FieldDoesNotExist:
            return name
        return str(capfirst(getattr(field, "verbose_name", name)))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        record = self.get_object()
        try:
            transition = self.workflow.transition(self.transition_name())
        except ValidationError as error:
            message_service_errors(request, error, lambda name: self.field_label(name, None))
            return redirect(record)
        if not has_perm(request.user, transition.name, record):
            raise PermissionDenied
        form = StepForm(request.POST, transition=transition)
        if not form.is_valid():
            message_service_errors(
                request,
                ValidationError(form.errors.as_data()),
                lambda name: self.field_label(name, transition),
            )
            return redirect(record)
        data = form.cleaned_data
        if transition.irreversible and not data.get("confirm"):
            return self.confirmation(request, record, transition, form)
        try:
            record = self.take(record, transition, data)
        except ValidationError as error:
            message_service_errors(request, error, lambda name: self.field_label(name, transition))
            return redirect(record)
        messages.success(request, self.done_message(record, transition))
        return redirect(record)

    def confirmation(
        self, request: HttpRequest, record: Any, transition: Transition, form: StepForm
    ) -> HttpResponse:
        """The second page of an irreversible step: what will happen, and the box to tick.
        A step that would be refused anyway goes back with the reasons instead."""
        data = form.cleaned_data
        errors = self.workflow.refusals(
            record,
            transition.name,
            actor=request.user,
            on=data.get("date"),
            reason=data.get("reason", ""),
        )
        if errors:
            message_service_errors(
                request, ValidationError(errors), lambda name: self.field_label(name, transition)
            )
            return redirect(record)
        context = {
            "record": record,
            "transition": transition,
            "target": self.workflow.state_label(transition.target),
            "on": self.workflow.effective_date(record, transition, data.get("date")),
            "date": data.get("date"),
            "reason": data.get("reason", ""),
            "unticked": request.POST.get("confirming") == "1",
        }
        return render(request, self.confirm_template, context)
