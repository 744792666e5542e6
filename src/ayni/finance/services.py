"""Writes to finance: budget lines, donors, grants and their stages, allocations, spending.

Every function takes keyword arguments, runs in one transaction and refuses bad input with a
``ValidationError`` whose dict names the field (``{"amount": "..."}``); when it refuses, nothing
is saved. Amounts are ``Decimal`` (or an ``int``/``str`` that reads as one); a float is refused
rather than silently rounded.

Services do not check who may act: views, the API and commands ask
``ayni.core.permissions.has_perm`` first (a grant's stage step is an action of its policy:
``has_perm(user, "sign", grant)``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError, Sum
from django.utils.translation import gettext as _

from ayni.core.money import quantize, validate_currency
from ayni.finance.models import (
    Allocation,
    BudgetLine,
    CashTransfer,
    Donor,
    ExchangeRate,
    Expenditure,
    FundingType,
    Grant,
    GrantInstalment,
)
from ayni.finance.rates import RateBook
from ayni.finance.workflow import GRANT, transition_to
from ayni.partners.models import Agreement, Organisation
from ayni.programmes.models import CountryProgramme, Result

FUNDING_TYPES = [
    ("rr", "Recursos regulares", "Regular resources"),
    ("orr", "Otros recursos – regulares", "Other resources – regular"),
    ("ore", "Otros recursos – emergencia", "Other resources – emergency"),
]

STAGE_ORDER = [
    Grant.Stage.PIPELINE,
    Grant.Stage.PLEDGED,
    Grant.Stage.SIGNED,
    Grant.Stage.RECEIVED,
]
# Money may be allocated only once the donor has signed: pledges can still fall through.
ALLOCATABLE_STAGES = {Grant.Stage.SIGNED, Grant.Stage.RECEIVED}


def money_text(amount: Decimal, currency: str) -> str:
    """``12,345.60 USD``: how amounts appear in messages."""
    return f"{quantize(amount):,.2f} {currency}"


def _decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, float):
        # A float has already lost cents (0.1 + 0.2); refuse it instead of guessing.
        raise ValidationError({field: _("Give the amount as an exact decimal, not a float.")})
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    return amount


def _amount(value: Any, field: str = "amount", *, allow_zero: bool = False) -> Decimal:
    amount = _decimal(value, field)
    if amount < 0 or (amount == 0 and not allow_zero):
        message = (
            _("The amount cannot be negative.")
            if allow_zero
            else _("The amount must be greater than zero.")
        )
        raise ValidationError({field: message})
    if amount != quantize(amount):
        raise ValidationError({field: _("Amounts have at most two decimals (cents).")})
    return amount


def _currency(code: Any, field: str = "currency") -> str:
    code = str(code or "").strip().upper()
    try:
        validate_currency(code)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    return code


def _year(programme: CountryProgramme, year: Any) -> int:
    try:
        value = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("Enter a year.")}) from None
    if value not in programme.years:
        raise ValidationError(
            {
                "year": _("The programme runs from %(start)s to %(end)s; %(year)s is outside.")
                % {"start": programme.start_year, "end": programme.end_year, "year": value}
            }
        )
    return value


def _clean(record: Model, exclude: list[str] | None = None) -> None:
    # The model's own validators (digits, choices) after the rules above, so a message about
    # the rule comes first and nothing reaches the database unchecked.
    record.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


@transaction.atomic
def funding_types_ensure() -> dict[str, FundingType]:
    """The three funding types, by code, created or renamed as needed. Safe to call again."""
    out = {}
    for position, (code, name_es, name_en) in enumerate(FUNDING_TYPES, start=1):
        out[code], _created = FundingType.objects.update_or_create(
            code=code, defaults={"name_es": name_es, "name_en": name_en, "position": position}
        )
    return out


@transaction.atomic
def exchange_rate_set(
    *,
    currency: str,
    date: date,
    units_per_usd: Decimal,
    source: str = "",
    is_illustrative: bool = False,
) -> ExchangeRate:
    """Set how many units of ``currency`` one US dollar buys from ``date`` on."""
    code = _currency(currency)
    if code == "USD":
        raise ValidationError({"currency": _("The US dollar is the reference: its rate is 1.")})
    units = _decimal(units_per_usd, "units_per_usd")
    if units <= 0:
        raise ValidationError({"units_per_usd": _("The rate must be greater than zero.")})
    rate, _created = ExchangeRate.objects.update_or_create(
        currency=code,
        date=date,
        defaults={"units_per_usd": units, "source": source, "is_illustrative": is_illustrative},
    )
    _clean(rate)
    return rate


def convert(amount: Decimal, *, from_currency: str, to_currency: str, on: date) -> Decimal:
    """``amount`` converted at the rates in force on ``on`` (the latest rate dated on or before
    it; the US dollar is 1), rounded to cents half up. Refused naming "currency" when a rate is
    missing. Selectors that convert many rows use ``RateBook`` to read the rates once."""
    value = _decimal(amount, "amount")
    if from_currency.upper() == to_currency.upper():
        return quantize(value)
    book = RateBook.load([from_currency, to_currency])
    return book.convert(value, from_currency=from_currency, to_currency=to_currency, on=on)


@transaction.atomic
def budget_line_set(
    *,
    result: Result,
    year: int,
    funding_type: FundingType,
    amount: Decimal,
    currency: str,
    source: str = "",
    is_illustrative: bool = False,
) -> BudgetLine:
    """Set the planned budget of ``result`` for ``year`` and ``funding_type`` (one line per
    combination: setting it again replaces the amount)."""
    code = _currency(currency)
    value = _amount(amount, allow_zero=True)
    programme = result.programme
    the_year = _year(programme, year)
    if result.retired_at is not None:
        raise ValidationError({"result": _("This result is retired; it takes no new budget.")})
    line, _created = BudgetLine.objects.update_or_create(
        result=result,
        year=the_year,
        funding_type=funding_type,
        defaults={
            "amount": value,
            "currency": code,
            "source": source,
            "is_illustrative": is_illustrative,
        },
    )
    _clean(line)
    return line


@transaction.atomic
def donor_ensure(*, organisation: Organisation, code: str) -> Donor:
    """The donor record of ``organisation``, created if missing; its code is updated."""
    donor = Donor.objects.filter(organisation=organisation).first()
    if donor is None:
        donor = Donor(organisation=organisation, code=code)
    donor.code = code
    _clean(donor)
    donor.save()
    return donor


def _check_earmark(
    programme: CountryProgramme, earmark: str, earmarked_result: Result | None
) -> None:
    if earmark not in Grant.Earmark.values:
        raise ValidationError({"earmark": _("Choose the programme, a component or a result.")})
    if earmark == Grant.Earmark.PROGRAMME:
        if earmarked_result is not None:
            raise ValidationError(
                {"earmarked_result": _("A grant for the whole programme names no result.")}
            )
        return
    if earmarked_result is None:
        raise ValidationError({"earmarked_result": _("Choose the result the grant is for.")})
    if earmarked_result.programme_id != programme.pk:
        raise ValidationError({"earmarked_result": _("This result belongs to another programme.")})
    if earmark == Grant.Earmark.COMPONENT and earmarked_result.level != Result.Level.COMPONENT:
        raise ValidationError(
            {"earmarked_result": _("A grant earmarked to a component names a component.")}
        )


@transaction.atomic
def grant_create(
    *,
    programme: CountryProgramme,
    donor: Donor,
    reference: str,
    amount: Decimal,
    currency: str,
    funding_type: FundingType,
    stage: str = "pipeline",
    probability: int = 100,
    signed_date: date | None = None,
    start_date: date | None = None,
    expiry_date: date | None = None,
    earmark: str = "programme",
    earmarked_result: Result | None = None,
    title: str = "",
    source: str = "",
    is_illustrative: bool = False,
) -> Grant:
    """Record a contribution of ``donor`` to ``programme``, at any stage, earmarked to the
    whole programme, one component or one result."""
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": _("Give the donor's reference for the grant.")})
    if Grant.objects.filter(programme=programme, reference=reference).exists():
        raise ValidationError(
            {"reference": _("This programme already has a grant %s.") % reference}
        )
    if donor.organisation.country_office_id != programme.country_office_id:
        raise ValidationError({"donor": _("The donor belongs to another country office.")})
    value = _amount(amount)
    code = _currency(currency)
    if stage not in Grant.Stage.values:
        raise ValidationError({"stage": _("Unknown stage %s.") % stage})
    if not 0 <= int(probability) <= 100:
        raise ValidationError({"probability": _("A probability is between 0 and 100.")})
    _check_earmark(programme, earmark, earmarked_result)
    if start_date and expiry_date and expiry_date < start_date:
        raise ValidationError({"expiry_date": _("The grant cannot expire before it starts.")})
    grant = Grant(
        programme=programme,
        donor=donor,
        reference=reference,
        title=title,
        funding_type=funding_type,
        amount=value,
        currency=code,
        stage=stage,
        probability=int(probability),
        signed_date=signed_date,
        start_date=start_date,
        expiry_date=expiry_date,
        earmark=earmark,
        earmarked_result=earmarked_result,
        source=source,
        is_illustrative=is_illustrative,
    )
    _clean(grant)
    grant.save()
    return grant


GRANT_EDITABLE = {
    "reference",
    "title",
    "amount",
    "funding_type",
    "probability",
    "signed_date",
    "start_date",
    "expiry_date",
    "source",
    "is_illustrative",
}


@transaction.atomic
def grant_update(*, grant: Grant, **fields: Any) -> Grant:
    """Change a grant's details. The stage moves through ``grant_advance``; programme, donor,
    currency and earmark are fixed once money may have been allocated against them."""
    unknown = set(fields) - GRANT_EDITABLE
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationError({name: _("This field cannot be changed here.")})
    locked = Grant.objects.select_for_update().get(pk=grant.pk)
    if "reference" in fields:
        fields["reference"] = (fields["reference"] or "").strip()
        if not fields["reference"]:
            raise ValidationError({"reference": _("Give the donor's reference for the grant.")})
        if (
            Grant.objects.filter(programme_id=locked.programme_id, reference=fields["reference"])
            .exclude(pk=locked.pk)
            .exists()
        ):
            raise ValidationError(
                {"reference": _("This programme already has a grant %s.") % fields["reference"]}
            )
    if "amount" in fields:
        fields["amount"] = _amount(fields["amount"])
        allocated = _allocated(locked)
        if fields["amount"] < allocated:
            raise ValidationError(
                {
                    "amount": _("%(allocated)s is already allocated from this grant.")
                    % {"allocated": money_text(allocated, locked.currency)}
                }
            )
    if "probability" in fields and not 0 <= int(fields["probability"]) <= 100:
        raise ValidationError({"probability": _("A probability is between 0 and 100.")})
    for name, value in fields.items():
        setattr(locked, name, value)
    if locked.start_date and locked.expiry_date and locked.expiry_date < locked.start_date:
        raise ValidationError({"expiry_date": _("The grant cannot expire before it starts.")})
    _clean(locked)
    locked.save()
    return locked


def grant_transition(
    *,
    grant: Grant,
    transition: str,
    user: Any = None,
    on: date | None = None,
    reason: str = "",
    confirm: bool = False,
) -> Grant:
    """Take a step of the grant's workflow (``finance.workflow.GRANT``: pledge, sign,
    receive). ``on`` is the day it took effect (default today; signing fills ``signed_date``
    with it); receiving cannot be undone and needs ``confirm``. The grant row is locked while
    checked; nothing is saved on refusal; the step is recorded in the event log with ``user``.
    The caller checks ``has_perm(user, transition, grant)`` first."""
    return GRANT.take(grant, transition, actor=user, on=on, reason=reason, confirm=confirm)


def grant_advance(
    *,
    grant: Grant,
    stage: str,
    on: date | None = None,
    user: Any = None,
    reason: str = "",
    confirm: bool = False,
) -> Grant:
    """Move a grant forward to ``stage``: pipeline → pledged → signed → received (steps may
    be skipped, never undone), through the step that reaches it (``grant_transition``).
    Signing needs a date: ``on`` sets it, unless the grant already has one."""
    if stage not in Grant.Stage.values:
        raise ValidationError({"stage": _("Unknown stage %s.") % stage})
    current = Grant.objects.values_list("stage", flat=True).get(pk=grant.pk)
    if STAGE_ORDER.index(Grant.Stage(stage)) <= STAGE_ORDER.index(Grant.Stage(current)):
        raise ValidationError(
            {
                "stage": _("The grant is already %(current)s; it can only move forward.")
                % {"current": Grant.Stage(current).label}
            }
        )
    step = transition_to(stage)
    assert step is not None  # noqa: S101 - every later stage is some step's target
    return grant_transition(
        grant=grant, transition=step, user=user, on=on, reason=reason, confirm=confirm
    )


@transaction.atomic
def instalment_add(*, grant: Grant, due_date: date, amount: Decimal) -> GrantInstalment:
    """Schedule part of a grant's payment; instalments together never exceed the grant."""
    locked = Grant.objects.select_for_update().get(pk=grant.pk)
    value = _amount(amount)
    scheduled = locked.instalments.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    if scheduled + value > locked.amount:
        raise ValidationError(
            {
                "amount": _(
                    "The grant holds %(amount)s and %(scheduled)s is already scheduled: "
                    "at most %(available)s can be added."
                )
                % {
                    "amount": money_text(locked.amount, locked.currency),
                    "scheduled": money_text(scheduled, locked.currency),
                    "available": money_text(locked.amount - scheduled, locked.currency),
                }
            }
        )
    instalment = GrantInstalment(grant=locked, due_date=due_date, amount=value)
    _clean(instalment)
    instalment.save()
    return instalment


@transaction.atomic
def instalment_receive(
    *, instalment: GrantInstalment, received_date: date, user: Any = None
) -> GrantInstalment:
    """Record that an instalment arrived. When every instalment of the grant has arrived,
    the grant becomes received (its workflow's last step, taken on the day the last one
    arrived and recorded with ``user``)."""
    grant = Grant.objects.select_for_update().get(pk=instalment.grant_id)
    if grant.stage not in ALLOCATABLE_STAGES:
        raise ValidationError({"grant": _("Money arrives only for a signed grant.")})
    locked = GrantInstalment.objects.get(pk=instalment.pk)
    if locked.received_date is not None:
        raise ValidationError(
            {"received_date": _("This instalment was received on %s.") % locked.received_date}
        )
    locked.received_date = received_date
    locked.save(update_fields=["received_date"])
    instalments = list(grant.instalments.all())
    if all(i.received_date for i in instalments) and grant.stage != Grant.Stage.RECEIVED:
        last = max(i.received_date for i in instalments if i.received_date)
        try:
            # Recording the last instalment is the decision: it confirms the step.
            GRANT.take(grant, "receive", actor=user, on=last, confirm=True)
        except ValidationError as exc:
            # The day of the step is the instalment's: name its field.
            errors = exc.message_dict
            raise ValidationError(
                {("received_date" if k == "date" else k): v for k, v in errors.items()}
            ) from None
    instalment.received_date = received_date
    return locked


def _allocated(grant: Grant) -> Decimal:
    return grant.allocations.aggregate(s=Sum("amount"))["s"] or Decimal(0)


@transaction.atomic
def allocation_create(
    *,
    grant: Grant,
    result: Result,
    year: int,
    amount: Decimal,
    date: date,
    is_illustrative: bool = False,
) -> Allocation:
    """Put part of a signed grant on a result for a year. Refused, naming the field, when
    the grant is not signed, the result is retired or outside the grant's programme or
    earmark, the year is outside the programme, or the grant does not hold that much."""
    # Lock the grant row so two allocations at once cannot both see the same balance.
    locked = (
        Grant.objects.select_for_update(of=("self",))
        .select_related("programme", "earmarked_result")
        .get(pk=grant.pk)
    )
    if locked.stage not in ALLOCATABLE_STAGES:
        raise ValidationError(
            {
                "grant": _(
                    "The grant is %(stage)s: only signed or received grants can be allocated."
                )
                % {"stage": Grant.Stage(locked.stage).label}
            }
        )
    if result.programme_id != locked.programme_id:
        raise ValidationError({"result": _("This result belongs to another programme.")})
    if result.retired_at is not None:
        raise ValidationError({"result": _("This result is retired.")})
    earmarked = locked.earmarked_result
    if earmarked is not None and not result.path.startswith(earmarked.path):
        raise ValidationError(
            {
                "result": _("The grant is earmarked to %(result)s; choose a result inside it.")
                % {"result": earmarked.code}
            }
        )
    the_year = _year(locked.programme, year)
    value = _amount(amount)
    allocated = _allocated(locked)
    available = locked.amount - allocated
    if value > available:
        raise ValidationError(
            {
                "amount": _(
                    "The grant holds %(amount)s; %(allocated)s is already allocated, so "
                    "%(available)s is available. %(asked)s is more than that."
                )
                % {
                    "amount": money_text(locked.amount, locked.currency),
                    "allocated": money_text(allocated, locked.currency),
                    "available": money_text(available, locked.currency),
                    "asked": money_text(value, locked.currency),
                }
            }
        )
    allocation = Allocation(
        grant=locked,
        result=result,
        year=the_year,
        amount=value,
        date=date,
        is_illustrative=is_illustrative,
    )
    _clean(allocation)
    allocation.save()
    return allocation


def _check_grant_programme(grant: Grant | None, programme_id: int | None) -> None:
    if grant is not None and grant.programme_id != programme_id:
        raise ValidationError({"grant": _("The grant belongs to another programme.")})


@transaction.atomic
def expenditure_record(
    *,
    result: Result,
    year: int,
    date: date,
    amount: Decimal,
    currency: str,
    grant: Grant | None = None,
    description: str = "",
    is_illustrative: bool = False,
) -> Expenditure:
    """Record money spent on a result, optionally charged to a grant."""
    code = _currency(currency)
    value = _amount(amount)
    the_year = _year(result.programme, year)
    _check_grant_programme(grant, result.programme_id)
    expenditure = Expenditure(
        result=result,
        grant=grant,
        year=the_year,
        date=date,
        amount=value,
        currency=code,
        description=description,
        is_illustrative=is_illustrative,
    )
    _clean(expenditure)
    expenditure.save()
    return expenditure


@transaction.atomic
def cash_transfer_record(
    *,
    agreement: Agreement,
    date: date,
    amount: Decimal,
    currency: str,
    result: Result | None = None,
    grant: Grant | None = None,
    modality: str = "direct_cash",
    is_illustrative: bool = False,
) -> CashTransfer:
    """Record cash transferred to a partner under an agreement."""
    code = _currency(currency)
    value = _amount(amount)
    if modality not in CashTransfer.Modality.values:
        raise ValidationError({"modality": _("Unknown modality %s.") % modality})
    if result is not None:
        if result.programme.country_office_id != agreement.country_office_id:
            raise ValidationError({"result": _("This result belongs to another office.")})
        if agreement.programme_id and result.programme_id != agreement.programme_id:
            raise ValidationError({"result": _("This result is not of the agreement's programme.")})
    if grant is not None:
        if grant.programme.country_office_id != agreement.country_office_id:
            raise ValidationError({"grant": _("The grant belongs to another office.")})
        if result is not None:
            _check_grant_programme(grant, result.programme_id)
    transfer = CashTransfer(
        agreement=agreement,
        result=result,
        grant=grant,
        modality=modality,
        date=date,
        amount=value,
        currency=code,
        is_illustrative=is_illustrative,
    )
    _clean(transfer)
    transfer.save()
    return transfer


@transaction.atomic
def record_delete(*, record: Model) -> None:
    """Delete a finance record; refused while other records depend on it (a grant with
    allocations, a donor with grants), so history is never lost by accident."""
    try:
        record.delete()
    except ProtectedError:
        raise ValidationError(
            {
                "__all__": _("Other records depend on this %(name)s; remove them first.")
                % {"name": record._meta.verbose_name}
            }
        ) from None
