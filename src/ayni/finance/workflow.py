"""The grant workflow, declared with the one engine (``core.workflow``)::

    pipeline → pledged → signed → received      (steps may be skipped, never undone)

Signing fills ``signed_date`` with the day entered. A grant is received when the donor's
money has arrived (by hand, or when its last instalment is recorded): it is the end of the
grant's workflow, so it asks for confirmation. Signing and receiving need the signature date:
entered with the step, or already on the grant.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ayni.core.roles import Role
from ayni.core.workflow import Errors, Step, Transition, Workflow
from ayni.finance.models import Grant

G = Grant.Stage

# Administrators and finance officers of the grant's country office.
GRANT_DECIDERS = frozenset({Role.ADMINISTRATOR, Role.FINANCE_OFFICER})


def signature_date_known(grant: Grant, step: Step) -> Errors:
    if grant.signed_date is None and not step.entered:
        return {"signed_date": _("Give the date the grant was signed.")}
    return {}


def received_after_signature(grant: Grant, step: Step) -> Errors:
    if grant.signed_date is not None and step.on < grant.signed_date:
        return {
            "date": _("The grant was signed on %(date)s: it cannot be received before.")
            % {"date": grant.signed_date.isoformat()}
        }
    return {}


def _fill_signed_date(grant: Grant, step: Step) -> list[str]:
    # A grant received without a known signature was signed by then at the latest.
    if grant.signed_date is None:
        grant.signed_date = step.on
        return ["signed_date"]
    return []


GRANT = Workflow(
    "grant",
    Grant,
    [
        Transition(
            "pledge",
            gettext_lazy("Mark as pledged"),
            frozenset({G.PIPELINE}),
            G.PLEDGED,
            GRANT_DECIDERS,
            date_label=gettext_lazy("Date pledged"),
        ),
        Transition(
            "sign",
            gettext_lazy("Mark as signed"),
            frozenset({G.PIPELINE, G.PLEDGED}),
            G.SIGNED,
            GRANT_DECIDERS,
            guards=(signature_date_known,),
            date_field="signed_date",
            date_label=gettext_lazy("Signature date"),
        ),
        Transition(
            "receive",
            gettext_lazy("Mark as received"),
            frozenset({G.PIPELINE, G.PLEDGED, G.SIGNED}),
            G.RECEIVED,
            GRANT_DECIDERS,
            guards=(signature_date_known, received_after_signature),
            effect=_fill_signed_date,
            irreversible=True,
            date_label=gettext_lazy("Date received"),
        ),
    ],
    state_field="stage",
)


def transition_to(stage: str) -> str | None:
    """The step that reaches ``stage`` (the API names stages, the engine steps)."""
    for transition in GRANT.transitions.values():
        if transition.target == stage:
            return transition.name
    return None
