"""The one workflow engine: every status workflow of Ayni is declared with it.

A ``Workflow`` names its model, the field that holds the state, and its ``Transition``s. A
transition says which states it leaves from and which it reaches, which roles may take it,
its guards (each returns ``{field: message}``; an empty dict lets the step through), whether
it needs a reason, whether it is irreversible (the caller must confirm it), which date field of
the record the effective date fills, whether that date may lie in the future, and an optional
side effect. Services take a step with ``Workflow.take``: one transaction, the record's row
locked (``select_for_update``), every refusal at once naming its field, nothing saved on
refusal, and a ``WorkflowEvent`` recorded on success.

    AGREEMENT = Workflow("agreement", Agreement, [
        Transition("sign", _("Sign"), {"in_review"}, "signed", roles=DECIDERS,
                   guards=(has_budget,), date_field="signed_date"),
        Transition("terminate", _("Terminate"), {...}, "terminated", roles=DECIDERS,
                   needs_reason=True, irreversible=True),
    ])
    AGREEMENT.take(agreement, "sign", actor=user, on=date(2014, 3, 5))

The effective date is the day the step took effect, entered by the person (today when none is
given, or the date the record already holds in the field the step fills). It is refused when it
lies before the record's previous step, or after today unless the transition allows it.

Authorization is not the engine's (nor the services'): each model's policy declares the
workflow's transitions as actions (``Workflow.actions``) and answers them with
``Workflow.role_may`` plus the record's scope, so callers ask ``has_perm(user, "sign",
agreement)`` before calling the service. A transition into a state no transition leaves is
always declared irreversible (checked when the workflow is declared).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.db import models, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ayni.core import workflow_registry
from ayni.core.models import WorkflowEvent
from ayni.core.permissions import has_perm

Errors = dict[str, str]


@dataclass(frozen=True)
class Step:
    """What the person taking a step gave, as guards and effects read it: the effective date
    (``entered`` says whether they typed it or it was taken by default), the reason, who."""

    on: date
    entered: bool = True
    reason: str = ""
    actor: Any = None


Guard = Callable[[Any, Step], Errors]
# A side effect sets fields of the locked record and returns the names of those it changed.
Effect = Callable[[Any, Step], Iterable[str]]

DEFAULT_DATE_LABEL = gettext_lazy("Effective date")
DEFAULT_REASON_LABEL = gettext_lazy("Reason")
DEFAULT_REASON_MESSAGE = gettext_lazy("Give the reason.")


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    guards: tuple[Guard, ...] = ()
    # Cannot be undone: pages ask for confirmation, the API needs ``"confirm": true``.
    irreversible: bool = False
    needs_reason: bool = False
    reason_label: Any = DEFAULT_REASON_LABEL
    reason_message: Any = DEFAULT_REASON_MESSAGE
    # The record's date field the effective date fills (``signed_date``), if any.
    date_field: str | None = None
    date_label: Any = DEFAULT_DATE_LABEL
    # Most steps record what has happened, so their date is never after today.
    allow_future: bool = False
    effect: Effect | None = None

    def check(self, record: Any, step: Step) -> Errors:
        """Every guard's refusal at once, so the person fixes everything in one go."""
        errors: Errors = {}
        for guard in self.guards:
            for name, message in guard(record, step).items():
                errors.setdefault(name, message)
        return errors


def workflow_named(name: str) -> Workflow | None:
    return workflow_registry.workflow_named(name)


def workflows() -> list[Workflow]:
    """Every declared workflow (they are declared when their app's policies load)."""
    return list(workflow_registry.declared.values())


class Workflow:
    """The states and transitions of one model; see the module's docstring."""

    def __init__(
        self,
        name: str,
        model: type[models.Model],
        transitions: Iterable[Transition],
        *,
        state_field: str = "status",
        history_action: str = "view",
    ) -> None:
        self.name = name
        self.model = model
        self.state_field = state_field
        # The action of the model's policy that lets a user read a record's history.
        self.history_action = history_action
        self.transitions: dict[str, Transition] = {}
        for step in transitions:
            if step.name in self.transitions:
                raise ImproperlyConfigured(f"{name}: transition {step.name!r} declared twice")
            self.transitions[step.name] = step
        self._check()
        workflow_registry.declared[name] = self

    def _check(self) -> None:
        states = set(self.states)
        leaving = {source for t in self.transitions.values() for source in t.sources}
        for t in self.transitions.values():
            unknown = (set(t.sources) | {t.target}) - states
            if unknown:
                raise ImproperlyConfigured(f"{self.name}.{t.name}: unknown states {unknown}")
            if t.target not in leaving and not t.irreversible:
                raise ImproperlyConfigured(
                    f"{self.name}.{t.name} reaches {t.target!r}, which nothing leaves: "
                    "declare it irreversible"
                )
            if t.date_field is not None:
                try:
                    self.model._meta.get_field(t.date_field)
                except FieldDoesNotExist:
                    raise ImproperlyConfigured(
                        f"{self.name}.{t.name}: {self.model.__name__} has no {t.date_field!r}"
                    ) from None

    @property
    def states(self) -> dict[str, str]:
        field = self.model._meta.get_field(self.state_field)
        return {str(value): str(label) for value, label in field.choices or []}  # type: ignore[union-attr]

    def state_label(self, state: str) -> str:
        return self.states.get(state, state)

    @property
    def actions(self) -> frozenset[str]:
        """The transitions' names: the actions a policy declares for this workflow."""
        return frozenset(self.transitions)

    def __contains__(self, name: object) -> bool:
        return name in self.transitions

    def transition(self, name: str) -> Transition:
        try:
            return self.transitions[name]
        except KeyError:
            raise ValidationError({"transition": _("Unknown step: %s.") % name}) from None

    def role_may(self, user: Any, name: str) -> bool:
        """Is ``user``'s role one of those the transition names? (Policies add the scope.)"""
        step = self.transitions.get(name)
        return bool(
            step is not None
            and getattr(user, "is_authenticated", False)
            and getattr(user, "role", None) in step.roles
        )

    def leaving(self, state: str) -> list[Transition]:
        """The transitions that leave ``state``, in the order they were declared."""
        return [t for t in self.transitions.values() if state in t.sources]

    def available(self, record: Any, user: Any) -> list[Transition]:
        """The steps ``user`` may take from the record's current state (for the buttons;
        guards are checked when one is taken, so the refusal can say what is missing)."""
        state = getattr(record, self.state_field)
        return [t for t in self.leaving(state) if has_perm(user, t.name, record)]

    def events(self, record: models.Model) -> QuerySet[WorkflowEvent]:
        """The record's events in this workflow, in the order they were taken."""
        return WorkflowEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model),
            object_id=record.pk,
            workflow=self.name,
        )

    def effective_date(self, record: Any, transition: Transition, on: date | None) -> date:
        """The date the step takes effect: the one given, else the one the record already
        holds in the field the step fills, else today."""
        if on is not None:
            return on
        held = getattr(record, transition.date_field) if transition.date_field else None
        return held or timezone.localdate()

    def _wrong_state(self, transition: Transition, state: str) -> Errors:
        return {
            self.state_field: _("%(action)s is not possible while the %(record)s is %(state)s.")
            % {
                "action": transition.label,
                "record": self.model._meta.verbose_name,
                "state": self.state_label(state),
            }
        }

    def _refusals(
        self,
        record: Any,
        transition: Transition,
        on: date | None,
        reason: str,
        confirm: bool,
        actor: Any,
    ) -> tuple[Step, Errors]:
        errors: Errors = {}
        effective = self.effective_date(record, transition, on)
        if not transition.allow_future and effective > timezone.localdate():
            errors["date"] = _("The date of this step cannot be in the future.")
        previous = self.events(record).aggregate(last=Max("effective_date"))["last"]
        if previous is not None and effective < previous:
            errors["date"] = _("The date cannot be before the previous step (%(date)s).") % {
                "date": previous.isoformat()
            }
        if transition.needs_reason and not reason:
            errors["reason"] = str(transition.reason_message)
        step = Step(on=effective, entered=on is not None, reason=reason, actor=actor)
        for name, message in transition.check(record, step).items():
            errors.setdefault(name, message)
        if transition.irreversible and not confirm:
            errors["confirm"] = _("This step cannot be undone: confirm it.")
        return step, errors

    def refusals(
        self, record: Any, name: str, *, actor: Any, on: date | None = None, reason: str = ""
    ) -> Errors:
        """What would refuse the step now, without taking it and leaving confirmation aside
        (a page asks for confirmation only of a step that would pass)."""
        transition = self.transition(name)
        state = getattr(record, self.state_field)
        if state not in transition.sources:
            return self._wrong_state(transition, state)
        return self._refusals(record, transition, on, reason.strip(), True, actor)[1]

    def take(
        self,
        record: Any,
        name: str,
        *,
        actor: Any,
        on: date | None = None,
        reason: str = "",
        confirm: bool = False,
    ) -> Any:
        """Take the step ``name`` on ``record``; return the record as saved.

        Refuses with ``ValidationError({field: [message]})``: the state field when the record
        is not in a state the step leaves from; otherwise every problem at once (``date``,
        ``reason``, ``confirm`` and the guards' fields). Does not check who may: callers ask
        ``has_perm(user, name, record)`` first.
        """
        transition = self.transition(name)
        with transaction.atomic():
            # The row lock makes a second person's step wait, then see the new state.
            locked = self.model._default_manager.select_for_update().get(pk=record.pk)
            state = getattr(locked, self.state_field)
            if state not in transition.sources:
                raise ValidationError(self._wrong_state(transition, state))
            step, errors = self._refusals(locked, transition, on, reason.strip(), confirm, actor)
            if errors:
                raise ValidationError({field: [message] for field, message in errors.items()})
            setattr(locked, self.state_field, transition.target)
            changed = [self.state_field]
            if transition.date_field is not None:
                setattr(locked, transition.date_field, step.on)
                changed.append(transition.date_field)
            if transition.effect is not None:
                changed += [f for f in transition.effect(locked, step) if f not in changed]
            locked.save(update_fields=changed)
            WorkflowEvent.objects.create(
                content_type=ContentType.objects.get_for_model(self.model),
                object_id=locked.pk,
                workflow=self.name,
                transition=transition.name,
                from_state=state,
                to_state=transition.target,
                actor=actor if getattr(actor, "pk", None) else None,
                reason=step.reason,
                effective_date=step.on,
            )
        # The caller's instance shows the new state too (it may be used again).
        for field in changed:
            setattr(record, field, getattr(locked, field))
        return locked


def history(record: models.Model) -> QuerySet[WorkflowEvent]:
    """Every workflow event of ``record``, in the order the steps were taken (for its page)."""
    return WorkflowEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk
    ).select_related("actor")
