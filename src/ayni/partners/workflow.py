"""The agreement workflow: the one place its transitions are declared.

Each ``Transition`` names the statuses it leaves from, the status it reaches, who may take it
and its guards. A guard reads the agreement (and the date and reason given) and returns
``{field: message}`` for what is missing; an empty dict lets the transition through. Services
(``partners.services.agreement_transition``), the pages' buttons and the API all read this
table, so a rule is never written twice.

    draft ⇄ in_review → signed → active → ended
                          signed/active ⇄ suspended
    draft / in_review / signed / active / suspended → terminated
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ayni.core.roles import Role
from ayni.partners.models import Agreement

S = Agreement.Status
Errors = dict[str, str]


@dataclass(frozen=True)
class Context:
    """What the person taking a transition gave besides the agreement."""

    on: date | None = None
    reason: str = ""


Guard = Callable[[Agreement, Context], Errors]


def complete(agreement: Agreement, context: Context) -> Errors:
    """Everything a reviewer needs: title, partner, type and a period that makes sense."""
    errors: Errors = {}
    if not agreement.title.strip():
        errors["title"] = _("Give the agreement a title.")
    if not agreement.organisation_id:
        errors["organisation"] = _("Choose the partner organisation.")
    if not agreement.type:
        errors["type"] = _("Choose the type of agreement.")
    if agreement.start_date is None:
        errors["start_date"] = _("Enter the start date.")
    if agreement.end_date is None:
        errors["end_date"] = _("Enter the end date.")
    elif agreement.start_date and agreement.end_date < agreement.start_date:
        errors["end_date"] = _("The end date must be on or after the start date.")
    return errors


def has_budget(agreement: Agreement, context: Context) -> Errors:
    if agreement.unicef_contribution is None or agreement.unicef_contribution <= 0:
        return {
            "unicef_contribution": _(
                "An agreement cannot be signed without a budget: enter the UNICEF contribution."
            )
        }
    return {}


def has_results(agreement: Agreement, context: Context) -> Errors:
    if not agreement.results.exists():
        return {
            "results": _(
                "An agreement cannot be signed without a result: link at least one result of "
                "the programme."
            )
        }
    return {}


def signed_on_sensible_date(agreement: Agreement, context: Context) -> Errors:
    if context.on is not None and agreement.end_date and context.on > agreement.end_date:
        return {"date": _("The signature date cannot be after the agreement's end date.")}
    return {}


def has_reason(agreement: Agreement, context: Context) -> Errors:
    if not context.reason.strip():
        return {"reason": _("Give the reason.")}
    return {}


def _set_signed_date(agreement: Agreement, context: Context) -> list[str]:
    agreement.signed_date = context.on or timezone.localdate()
    return ["signed_date"]


# The roles that take every transition of an agreement of their own country office.
OFFICE_DECIDERS = frozenset({Role.ADMINISTRATOR, Role.PROGRAMME_MANAGER})


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any
    sources: frozenset[str]
    target: str
    roles: frozenset[str] = OFFICE_DECIDERS
    guards: tuple[Guard, ...] = ()
    # Fields set as a side effect (the signature date); returns the names it changed.
    effect: Callable[[Agreement, Context], list[str]] | None = None
    needs_reason: bool = False  # the page shows a reason box with the button
    asks_date: bool = False  # the page shows a date box (signature date)

    def check(self, agreement: Agreement, context: Context) -> Errors:
        """All guard errors at once, so the person fixes everything in one go."""
        errors: Errors = {}
        for guard in self.guards:
            for name, message in guard(agreement, context).items():
                errors.setdefault(name, message)
        return errors


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "submit",
            gettext_lazy("Submit for review"),
            frozenset({S.DRAFT}),
            S.IN_REVIEW,
            guards=(complete,),
        ),
        Transition(
            "return_to_draft",
            gettext_lazy("Return to draft"),
            frozenset({S.IN_REVIEW}),
            S.DRAFT,
        ),
        Transition(
            "sign",
            gettext_lazy("Sign"),
            frozenset({S.IN_REVIEW}),
            S.SIGNED,
            # Editing is still allowed in review, so completeness is checked again here.
            guards=(complete, has_budget, has_results, signed_on_sensible_date),
            effect=_set_signed_date,
            asks_date=True,
        ),
        Transition("activate", gettext_lazy("Activate"), frozenset({S.SIGNED}), S.ACTIVE),
        Transition(
            "suspend",
            gettext_lazy("Suspend"),
            frozenset({S.SIGNED, S.ACTIVE}),
            S.SUSPENDED,
            guards=(has_reason,),
            needs_reason=True,
        ),
        Transition("resume", gettext_lazy("Resume"), frozenset({S.SUSPENDED}), S.ACTIVE),
        Transition("end", gettext_lazy("End"), frozenset({S.ACTIVE}), S.ENDED),
        Transition(
            "terminate",
            gettext_lazy("Terminate"),
            frozenset({S.DRAFT, S.IN_REVIEW, S.SIGNED, S.ACTIVE, S.SUSPENDED}),
            S.TERMINATED,
            guards=(has_reason,),
            needs_reason=True,
        ),
    ]
}

# Agreements whose terms may still be edited (before signature).
EDITABLE_STATUSES = frozenset({S.DRAFT, S.IN_REVIEW})
# Agreements a partner reports on: signed and not yet over.
REPORTABLE_STATUSES = frozenset({S.SIGNED, S.ACTIVE, S.SUSPENDED})


def may_take(user: Any, agreement: Agreement, transition: Transition) -> bool:
    """Is ``user`` one of the transition's roles in the agreement's own country office?"""
    if getattr(user, "is_active", False) and getattr(user, "is_superuser", False):
        return True
    return bool(
        getattr(user, "is_authenticated", False)
        and user.country_office_id
        and user.country_office_id == agreement.country_office_id
        and user.role in transition.roles
    )


def available_transitions(agreement: Agreement, user: Any) -> list[Transition]:
    """The transitions ``user`` may try from the agreement's current status (for the buttons;
    guards are checked when one is taken, so the refusal can say what is missing)."""
    return [
        t
        for t in TRANSITIONS.values()
        if agreement.status in t.sources and may_take(user, agreement, t)
    ]
