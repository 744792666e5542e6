"""The web side of two conventions every form follows.

- **Service refusals on the form.** Services refuse with Django's ``ValidationError`` naming
  fields (``{"unicef_contribution": ["…"]}``). ``add_service_errors`` puts each message next to
  the field it names when the form has that field, and at the top otherwise; form views get it
  for free from ``ServiceFormMixin``. Views that are buttons rather than forms show the same
  errors as messages with ``message_service_errors``.
- **Choices limited to what the user may pick.** ``ScopedFormMixin`` passes the queryset of
  every model choice field through ``scope()``, so a form never offers (and never accepts) a
  record of another country office.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from ayni.core.errors import service_errors
from ayni.core.permissions import Action, scope


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's refusal on ``form``: next to the field it names when the form has that
    field, otherwise with the form's non-field errors."""
    for name, errors in service_errors(exc).items():
        form.add_error(name if name in form.fields else None, errors)


def message_service_errors(
    request: HttpRequest,
    exc: ValidationError,
    labels: Mapping[str, Any] | Callable[[str], Any] | None = None,
) -> None:
    """Show a service's refusal as error messages, "Field: message" (for buttons that post no
    form). ``labels`` gives the name a person reads for a field (a mapping or a function)."""
    for name, errors in service_errors(exc).items():
        label: Any = name
        if name is not None and labels is not None:
            label = labels(name) if callable(labels) else labels.get(name, name)
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


class ServiceFormMixin:
    """A form view whose ``form_valid`` writes through a service.

    Subclasses implement ``form_save(form)`` (call the service, return the saved record). A
    ``ValidationError`` from the service goes back on the form (``add_service_errors``) and the
    form is shown again; on success ``form_saved`` adds ``success_message`` and redirects to the
    record.
    """

    success_message: Any = ""
    request: HttpRequest

    def form_save(self, form: Any) -> Any:
        raise NotImplementedError

    def form_saved(self, obj: Any) -> HttpResponse:
        if self.success_message:
            messages.success(self.request, str(self.success_message))
        return redirect(obj)

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            obj = self.form_save(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)  # type: ignore[attr-defined]
        return self.form_saved(obj)


def _choice_fields(form: forms.BaseForm) -> dict[str, forms.ModelChoiceField]:
    return {
        name: field
        for name, field in form.fields.items()
        if isinstance(field, forms.ModelChoiceField)  # includes ModelMultipleChoiceField
    }


class ScopedFormMixin:
    """Limits every ``ModelChoiceField``/``ModelMultipleChoiceField`` to what ``user`` may
    pick: ``scope(user, action, field.queryset)``, with ``Action.VIEW`` unless
    ``scope_actions`` names another action for the field (e.g. ``{"locations": "pick"}``).

    The form takes ``user`` as a keyword argument. To narrow a field further (a programme's
    results only), override ``limit_choices``: it runs before the scoping, so whatever it sets
    is scoped too and cannot widen the choices.
    """

    scope_actions: Mapping[str, str] = {}
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.limit_choices()
        for name, field in _choice_fields(self).items():  # type: ignore[arg-type]
            if field.queryset is not None:
                action = self.scope_actions.get(name, Action.VIEW)
                field.queryset = scope(user, action, field.queryset)

    def limit_choices(self) -> None:
        """Narrow choice querysets for this form (runs before the scoping)."""
