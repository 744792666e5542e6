"""Writes to partners: organisations, agreements, their workflow and partner reports.

Every function validates before it writes and refuses with a ``ValidationError`` whose dict
names the field (``{"unicef_contribution": "…"}``), so forms put the message next to the field
and the API answers it in its one error format. Refusals write nothing: each function runs in
one transaction.

Services do not check who may act: views, the API and commands ask
``ayni.core.permissions.has_perm`` first (for a workflow step, the step's name is the action:
``has_perm(user, "sign", agreement)``, ``has_perm(user, "accept", report)``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ayni.accounts.models import CountryOffice
from ayni.core.money import validate_currency
from ayni.geography.models import Location
from ayni.partners.models import Agreement, Organisation, PartnerReport
from ayni.partners.workflow import (
    AGREEMENT,
    EDITABLE_STATUSES,
    OPEN_REPORT_STATUSES,
    PARTNER_REPORT,
    REPORTABLE_STATUSES,
)
from ayni.programmes.models import CountryProgramme, Result

Errors = dict[str, list[str]]


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _merge_model_errors(errors: Errors, instance: Any, exclude: Iterable[str] = ()) -> None:
    """Field checks the model already knows (lengths, choices, required), added to ours."""
    try:
        instance.full_clean(
            exclude=list(exclude), validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                if message not in errors.get(name, []):
                    _add(errors, name, message)


# ---------------------------------------------------------------------------------------------
# Organisations

ORGANISATION_FIELDS = frozenset(
    {"name", "acronym", "type", "country", "iati_identifier", "website", "source"}
    | {"is_illustrative"}
)


def _save_organisation(organisation: Organisation) -> Organisation:
    errors: Errors = {}
    clash = Organisation.objects.filter(
        country_office_id=organisation.country_office_id, name__iexact=organisation.name.strip()
    ).exclude(pk=organisation.pk)
    if organisation.name.strip() and clash.exists():
        _add(errors, "name", _("Another organisation of this office has this name."))
    _merge_model_errors(errors, organisation, exclude=["country_office"])
    if errors:
        raise ValidationError(errors)
    organisation.save()
    return organisation


@transaction.atomic
def organisation_create(*, country_office: CountryOffice, **fields: Any) -> Organisation:
    """Add a partner, donor or ministry to an office; the name is unique within the office."""
    unknown = set(fields) - ORGANISATION_FIELDS
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    return _save_organisation(Organisation(country_office=country_office, **fields))


@transaction.atomic
def organisation_update(*, organisation: Organisation, **fields: Any) -> Organisation:
    """Change an organisation's details (never its country office)."""
    unknown = set(fields) - ORGANISATION_FIELDS
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(organisation, name, value)
    return _save_organisation(organisation)


# ---------------------------------------------------------------------------------------------
# Agreements

AGREEMENT_FIELDS = frozenset(
    {
        "organisation",
        "reference",
        "type",
        "title",
        "programme",
        "start_date",
        "end_date",
        "currency",
        "unicef_contribution",
        "partner_contribution",
        "is_illustrative",
        "source",
    }
)


def _validate_agreement(
    agreement: Agreement, results: list[Result] | None, locations: list[Location] | None
) -> None:
    """Raise one ValidationError with every problem of the agreement's terms."""
    errors: Errors = {}
    office_id = agreement.country_office_id
    organisation: Organisation | None = (
        agreement.organisation if agreement.organisation_id else None
    )
    if organisation is not None and organisation.country_office_id != office_id:
        _add(errors, "organisation", _("The partner belongs to another country office."))
    programme: CountryProgramme | None = agreement.programme if agreement.programme_id else None
    if programme is not None and programme.country_office_id != office_id:
        _add(errors, "programme", _("The programme belongs to another country office."))
    reference = (agreement.reference or "").strip()
    if (
        reference
        and Agreement.objects.filter(country_office_id=office_id, reference__iexact=reference)
        .exclude(pk=agreement.pk)
        .exists()
    ):
        _add(errors, "reference", _("Another agreement of this office has this reference."))
    try:
        validate_currency(agreement.currency)
    except ValidationError as exc:
        _add(errors, "currency", exc.messages[0])
    if agreement.start_date and agreement.end_date and agreement.end_date < agreement.start_date:
        _add(errors, "end_date", _("The end date must be on or after the start date."))
    for name in ("unicef_contribution", "partner_contribution"):
        amount = getattr(agreement, name)
        if amount is not None and Decimal(amount) < 0:
            _add(errors, name, _("A contribution cannot be negative."))
    if results:
        if programme is None:
            _add(errors, "results", _("Choose the programme the results belong to."))
        else:
            foreign = [r.code for r in results if r.programme_id != programme.pk]
            if foreign:
                _add(
                    errors,
                    "results",
                    _("These results belong to another programme: %(codes)s.")
                    % {"codes": ", ".join(foreign)},
                )
        retired = [r.code for r in results if r.retired_at is not None]
        if retired:
            _add(
                errors,
                "results",
                _("These results are retired: %(codes)s.") % {"codes": ", ".join(retired)},
            )
    if locations:
        country_id = agreement.country_office.country_id
        foreign_places = [p.code for p in locations if p.country_id != country_id]
        if foreign_places:
            _add(
                errors,
                "locations",
                _("These places are outside the office's country: %(codes)s.")
                % {"codes": ", ".join(foreign_places)},
            )
    _merge_model_errors(errors, agreement, exclude=["country_office"])
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def agreement_create(
    *,
    country_office: CountryOffice,
    organisation: Organisation,
    reference: str,
    type: str,
    title: str,
    programme: CountryProgramme | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
    currency: str = "USD",
    unicef_contribution: Decimal | None = None,
    partner_contribution: Decimal | None = None,
    results: Iterable[Result] = (),
    locations: Iterable[Location] = (),
    is_illustrative: bool = False,
    source: str = "",
) -> Agreement:
    """Record a new agreement in draft.

    The partner and the programme must belong to ``country_office``, the results to the
    programme and the places to the office's country; the currency must be ISO 4217.
    """
    result_list, location_list = list(results), list(locations)
    agreement = Agreement(
        country_office=country_office,
        organisation=organisation,
        reference=reference.strip(),
        type=type,
        title=title.strip(),
        programme=programme,
        start_date=start_date,
        end_date=end_date,
        currency=(currency or "").upper(),
        unicef_contribution=unicef_contribution,
        partner_contribution=partner_contribution,
        is_illustrative=is_illustrative,
        source=source,
    )
    _validate_agreement(agreement, result_list, location_list)
    agreement.save()
    agreement.results.set(result_list)
    agreement.locations.set(location_list)
    return agreement


@transaction.atomic
def agreement_update(*, agreement: Agreement, **fields: Any) -> Agreement:
    """Change an agreement's terms; only while it is a draft or in review.

    Once signed the terms are what was signed: changing them is refused naming ``status``.
    ``results`` and ``locations`` replace the linked sets when given.
    """
    if "status" in fields:
        raise ValidationError(
            {"status": _("The status changes only through the workflow buttons.")}
        )
    results = fields.pop("results", None)
    locations = fields.pop("locations", None)
    unknown = set(fields) - AGREEMENT_FIELDS
    if unknown:
        raise TypeError(f"unknown agreement fields: {sorted(unknown)}")
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if locked.status not in EDITABLE_STATUSES:
        raise ValidationError(
            {
                "status": _(
                    "A %(status)s agreement cannot be edited; only drafts and agreements in "
                    "review can."
                )
                % {"status": locked.get_status_display()}
            }
        )
    for name, value in fields.items():
        if name in {"reference", "title"} and isinstance(value, str):
            value = value.strip()
        if name == "currency" and isinstance(value, str):
            value = value.upper()
        setattr(locked, name, value)
    result_list = list(results) if results is not None else list(locked.results.all())
    location_list = list(locations) if locations is not None else None
    _validate_agreement(locked, result_list, location_list)
    locked.save()
    if results is not None:
        locked.results.set(result_list)
    if location_list is not None:
        locked.locations.set(location_list)
    return locked


def agreement_transition(
    *,
    agreement: Agreement,
    transition: str,
    user: Any,
    on: date | None = None,
    reason: str = "",
    confirm: bool = False,
) -> Agreement:
    """Move an agreement along its workflow (``partners.workflow.AGREEMENT``).

    ``on`` is the date the step took effect (default today; signing fills ``signed_date`` with
    it); ``reason`` is needed to suspend or terminate; ``confirm`` must be true for the steps
    that cannot be undone (end, terminate). Refuses with ``ValidationError({field: [message]})``
    when the agreement is not in a status the step leaves from (``status``) or a guard fails
    (no budget → ``unicef_contribution``; no result → ``results``; no reason → ``reason``; a
    date in the future or before the previous step → ``date``). The row is locked while
    checked, nothing is saved on refusal, and the step is recorded in the event log with
    ``user`` as its actor. The caller checks ``has_perm(user, transition, agreement)`` first.
    """
    return AGREEMENT.take(agreement, transition, actor=user, on=on, reason=reason, confirm=confirm)


# ---------------------------------------------------------------------------------------------
# Partner reports

REPORT_FIELDS = frozenset({"period_start", "period_end", "narrative", "challenges"})


def _validate_report(report: PartnerReport) -> None:
    errors: Errors = {}
    agreement = report.agreement
    start, end = report.period_start, report.period_end
    if start is None:
        _add(errors, "period_start", _("Enter the first day of the period."))
    if end is None:
        _add(errors, "period_end", _("Enter the last day of the period."))
    if start and end:
        if end < start:
            _add(errors, "period_end", _("The period must end on or after its start."))
        if agreement.start_date and start < agreement.start_date:
            _add(
                errors,
                "period_start",
                _("The period starts before the agreement (%(date)s).")
                % {"date": agreement.start_date.isoformat()},
            )
        if agreement.end_date and end > agreement.end_date:
            _add(
                errors,
                "period_end",
                _("The period ends after the agreement (%(date)s).")
                % {"date": agreement.end_date.isoformat()},
            )
        overlapping = (
            PartnerReport.objects.filter(
                agreement=agreement, period_start__lte=end, period_end__gte=start
            )
            .exclude(pk=report.pk)
            .order_by("period_start")
            .first()
        )
        if overlapping is not None:
            _add(
                errors,
                "period_start",
                _("The period overlaps the report for %(start)s – %(end)s.")
                % {
                    "start": overlapping.period_start.isoformat(),
                    "end": overlapping.period_end.isoformat(),
                },
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def partner_report_create(
    *,
    agreement: Agreement,
    period_start: date,
    period_end: date,
    narrative: str = "",
    challenges: str = "",
) -> PartnerReport:
    """Start a draft progress report for one period of a signed, active or suspended agreement.

    The period lies within the agreement's dates and overlaps no other report of it.
    """
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if locked.status not in REPORTABLE_STATUSES:
        raise ValidationError(
            {
                "agreement": _(
                    "Progress is reported on signed, active or suspended agreements; this one "
                    "is %(status)s."
                )
                % {"status": locked.get_status_display()}
            }
        )
    report = PartnerReport(
        agreement=locked,
        period_start=period_start,
        period_end=period_end,
        narrative=narrative,
        challenges=challenges,
    )
    _validate_report(report)
    report.save()
    return report


def _locked_report(report: PartnerReport) -> PartnerReport:
    return PartnerReport.objects.select_for_update().select_related("agreement").get(pk=report.pk)


@transaction.atomic
def partner_report_update(*, report: PartnerReport, **fields: Any) -> PartnerReport:
    """Change a report's period or text while it is a draft or returned for changes."""
    unknown = set(fields) - REPORT_FIELDS
    if unknown:
        raise TypeError(f"unknown report fields: {sorted(unknown)}")
    locked = _locked_report(report)
    if locked.status not in OPEN_REPORT_STATUSES:
        raise ValidationError({"status": _("A submitted or accepted report cannot be changed.")})
    for name, value in fields.items():
        setattr(locked, name, value)
    _validate_report(locked)
    locked.save()
    return locked


def partner_report_submit(
    *, report: PartnerReport, user: Any, on: date | None = None
) -> PartnerReport:
    """Send a draft (or returned) report to the office; it needs a narrative. ``on`` is the
    day it was submitted (default today: a report received on paper keeps its own date). Who
    may submit is checked by the caller; ``user`` is recorded as the actor."""
    return PARTNER_REPORT.take(report, "submit", actor=user, on=on)


def partner_report_accept(
    *, report: PartnerReport, user: Any, on: date | None = None, confirm: bool = False
) -> PartnerReport:
    """Accept a submitted report. Accepting is final, so ``confirm`` must be true."""
    return PARTNER_REPORT.take(report, "accept", actor=user, on=on, confirm=confirm)


def partner_report_return(
    *, report: PartnerReport, user: Any, reason: str, on: date | None = None
) -> PartnerReport:
    """Send a submitted report back for changes, saying why (the partner reads the reason on
    the report)."""
    return PARTNER_REPORT.take(report, "return", actor=user, on=on, reason=reason)
