"""The workflows of partners, declared with the one engine (``core.workflow``): agreements
and partner progress reports. Services take their steps through ``AGREEMENT.take`` and
``PARTNER_REPORT.take``; the policies expose the transitions as actions; pages and the API
read the same declarations, so a rule is never written twice.

Agreements::

    draft ⇄ in_review → signed → active → ended
                          signed/active ⇄ suspended
    draft / in_review / signed / active / suspended → terminated

Partner reports::

    draft / returned → submitted → accepted
                       submitted → returned
"""

from __future__ import annotations

from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from ayni.core.roles import Role
from ayni.core.workflow import Errors, Step, Transition, Workflow
from ayni.partners.models import Agreement, PartnerReport

S = Agreement.Status
R = PartnerReport.Status


def complete(agreement: Agreement, step: Step) -> Errors:
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


def has_budget(agreement: Agreement, step: Step) -> Errors:
    if agreement.unicef_contribution is None or agreement.unicef_contribution <= 0:
        return {
            "unicef_contribution": _(
                "An agreement cannot be signed without a budget: enter the UNICEF contribution."
            )
        }
    return {}


def has_results(agreement: Agreement, step: Step) -> Errors:
    if not agreement.results.exists():
        return {
            "results": _(
                "An agreement cannot be signed without a result: link at least one result of "
                "the programme."
            )
        }
    return {}


def signed_on_sensible_date(agreement: Agreement, step: Step) -> Errors:
    # Checked on the date entered, as before the engine: a signature recorded without a date
    # (today) on an agreement already over is the office's call.
    if step.entered and agreement.end_date and step.on > agreement.end_date:
        return {"date": _("The signature date cannot be after the agreement's end date.")}
    return {}


# The roles that take every transition of an agreement of their own country office.
OFFICE_DECIDERS = frozenset({Role.ADMINISTRATOR, Role.PROGRAMME_MANAGER})

AGREEMENT = Workflow(
    "agreement",
    Agreement,
    [
        Transition(
            "submit",
            gettext_lazy("Submit for review"),
            frozenset({S.DRAFT}),
            S.IN_REVIEW,
            OFFICE_DECIDERS,
            guards=(complete,),
        ),
        Transition(
            "return_to_draft",
            gettext_lazy("Return to draft"),
            frozenset({S.IN_REVIEW}),
            S.DRAFT,
            OFFICE_DECIDERS,
        ),
        Transition(
            "sign",
            gettext_lazy("Sign"),
            frozenset({S.IN_REVIEW}),
            S.SIGNED,
            OFFICE_DECIDERS,
            # Editing is still allowed in review, so completeness is checked again here.
            guards=(complete, has_budget, has_results, signed_on_sensible_date),
            date_field="signed_date",
            date_label=gettext_lazy("Signature date"),
        ),
        Transition(
            "activate", gettext_lazy("Activate"), frozenset({S.SIGNED}), S.ACTIVE, OFFICE_DECIDERS
        ),
        Transition(
            "suspend",
            gettext_lazy("Suspend"),
            frozenset({S.SIGNED, S.ACTIVE}),
            S.SUSPENDED,
            OFFICE_DECIDERS,
            needs_reason=True,
        ),
        Transition(
            "resume", gettext_lazy("Resume"), frozenset({S.SUSPENDED}), S.ACTIVE, OFFICE_DECIDERS
        ),
        Transition(
            "end",
            # The step, not the end date of a period (a column that reads "End" too).
            pgettext_lazy("agreement step", "End"),
            frozenset({S.ACTIVE}),
            S.ENDED,
            OFFICE_DECIDERS,
            irreversible=True,
        ),
        Transition(
            "terminate",
            gettext_lazy("Terminate"),
            frozenset({S.DRAFT, S.IN_REVIEW, S.SIGNED, S.ACTIVE, S.SUSPENDED}),
            S.TERMINATED,
            OFFICE_DECIDERS,
            needs_reason=True,
            irreversible=True,
        ),
    ],
    # Regional focal points read agreements in their places, not their history (reasons
    # for suspension and termination stay with the office and the partner).
    history_action="view_history",
)

# Agreements whose terms may still be edited (before signature).
EDITABLE_STATUSES = frozenset({S.DRAFT, S.IN_REVIEW})
# Agreements a partner reports on: signed and not yet over.
REPORTABLE_STATUSES = frozenset({S.SIGNED, S.ACTIVE, S.SUSPENDED})


def has_narrative(report: PartnerReport, step: Step) -> Errors:
    if not report.narrative.strip():
        return {"narrative": _("Describe the progress of the period before submitting.")}
    return {}


def _stamp_submission(report: PartnerReport, step: Step) -> list[str]:
    # A report received on paper is submitted on the day it arrived, not today.
    if step.on == timezone.localdate():
        report.submitted_at = timezone.now()
    else:
        report.submitted_at = timezone.make_aware(datetime.combine(step.on, time.min))
    return ["submitted_at"]


def _clear_return_reason(report: PartnerReport, step: Step) -> list[str]:
    report.return_reason = ""
    return ["return_reason"]


def _keep_return_reason(report: PartnerReport, step: Step) -> list[str]:
    # The partner reads it on the report before resubmitting.
    report.return_reason = step.reason
    return ["return_reason"]


REPORT_AUTHORS = OFFICE_DECIDERS | {Role.PARTNER_FOCAL_POINT}

PARTNER_REPORT = Workflow(
    "partner_report",
    PartnerReport,
    [
        Transition(
            "submit",
            gettext_lazy("Submit to the office"),
            frozenset({R.DRAFT, R.RETURNED}),
            R.SUBMITTED,
            # The partner, or the office for a report received on paper.
            REPORT_AUTHORS,
            guards=(has_narrative,),
            effect=_stamp_submission,
            date_label=gettext_lazy("Date submitted"),
        ),
        Transition(
            "accept",
            gettext_lazy("Accept"),
            frozenset({R.SUBMITTED}),
            R.ACCEPTED,
            # Accepting or returning a report is the office's decision, never the partner's.
            OFFICE_DECIDERS,
            effect=_clear_return_reason,
            irreversible=True,
        ),
        Transition(
            "return",
            gettext_lazy("Return for changes"),
            frozenset({R.SUBMITTED}),
            R.RETURNED,
            OFFICE_DECIDERS,
            needs_reason=True,
            reason_label=gettext_lazy("What should the partner change?"),
            reason_message=gettext_lazy("Say what the partner should change."),
            effect=_keep_return_reason,
        ),
    ],
)
# Reports that the partner (or the office) may still change.
OPEN_REPORT_STATUSES = frozenset({R.DRAFT, R.RETURNED})
