"""Planned budget, donors and grants, allocations, expenditures, cash transfers, exchange rates.

Amounts are Decimal with their ISO 4217 currency; figures are reported in the programme's
currency by ``finance.selectors``, converting with the rate in force on the record's date.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ayni.core.models import Provenance, localized
from ayni.core.money import AmountField, CurrencyField


class FundingType(models.Model):
    """Regular resources, other resources (regular), other resources (emergency)."""

    code = models.SlugField(_("code"), max_length=16, unique=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("funding type")
        verbose_name_plural = _("funding types")

    def __str__(self) -> str:
        return localized(self, "name")


class ExchangeRate(Provenance):
    """How many units of ``currency`` one US dollar buys from ``date`` on."""

    currency = CurrencyField()
    date = models.DateField(_("valid from"))
    units_per_usd = models.DecimalField(
        _("units per US dollar"),
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
    )

    class Meta:
        ordering = ["currency", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="exchangerate_unique"),
        ]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")

    def __str__(self) -> str:
        return f"1 USD = {self.units_per_usd} {self.currency} ({self.date})"


class BudgetLine(Provenance):
    """The planned budget of one result for one year and funding type."""

    result = models.ForeignKey(
        "programmes.Result",
        verbose_name=_("result"),
        on_delete=models.CASCADE,
        related_name="budget_lines",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    funding_type = models.ForeignKey(
        FundingType, verbose_name=_("funding type"), on_delete=models.PROTECT
    )
    amount = AmountField(_("amount"), validators=[MinValueValidator(Decimal(0))])
    currency = CurrencyField()

    class Meta:
        ordering = ["result", "year", "funding_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["result", "year", "funding_type"], name="budgetline_unique"
            ),
        ]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return (
            f"{self.result.code} {self.year} {self.funding_type.code}: "
            f"{self.amount} {self.currency}"
        )


class Donor(models.Model):
    organisation = models.OneToOneField(
        "partners.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="donor",
    )
    code = models.SlugField(_("code"), max_length=64)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("donor")
        verbose_name_plural = _("donors")

    def __str__(self) -> str:
        return str(self.organisation)

    def get_absolute_url(self) -> str:
        return reverse("finance:donor-detail", args=[self.pk])


class Grant(Provenance):
    """A contribution from a donor, from pipeline to received; its stage moves only through
    ``finance.workflow.GRANT``, which records each step in the event log."""

    class Stage(models.TextChoices):
        PIPELINE = "pipeline", _("pipeline")
        PLEDGED = "pledged", _("pledged")
        SIGNED = "signed", _("signed")
        RECEIVED = "received", _("received")

    class Earmark(models.TextChoices):
        PROGRAMME = "programme", _("the whole programme")
        COMPONENT = "component", _("one component")
        RESULT = "result", _("one result")

    programme = models.ForeignKey(
        "programmes.CountryProgramme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="grants",
    )
    donor = models.ForeignKey(
        Donor, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="grants"
    )
    reference = models.CharField(_("reference"), max_length=64)
    title = models.CharField(_("title"), max_length=255, blank=True)
    funding_type = models.ForeignKey(
        FundingType, verbose_name=_("funding type"), on_delete=models.PROTECT
    )
    amount = AmountField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    currency = CurrencyField()
    stage = models.CharField(
        _("stage"), max_length=16, choices=Stage.choices, default=Stage.PIPELINE
    )
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"),
        default=100,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("For the pipeline: how likely the grant is to be signed."),
    )
    signed_date = models.DateField(_("signed"), null=True, blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    expiry_date = models.DateField(_("expires"), null=True, blank=True)
    earmark = models.CharField(
        _("earmarked to"), max_length=16, choices=Earmark.choices, default=Earmark.PROGRAMME
    )
    earmarked_result = models.ForeignKey(
        "programmes.Result",
        verbose_name=_("earmarked result"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="earmarked_grants",
    )
    workflow_events = GenericRelation("core.WorkflowEvent")

    class Meta:
        ordering = ["programme", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "reference"], name="grant_unique"),
        ]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")

    def __str__(self) -> str:
        return f"{self.reference} ({self.donor})"

    def get_absolute_url(self) -> str:
        return reverse("finance:grant-detail", args=[self.pk])


class GrantInstalment(models.Model):
    grant = models.ForeignKey(
        Grant, verbose_name=_("grant"), on_delete=models.CASCADE, related_name="instalments"
    )
    due_date = models.DateField(_("due"))
    amount = AmountField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    received_date = models.DateField(_("received"), null=True, blank=True)

    class Meta:
        ordering = ["grant", "due_date"]
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")

    def __str__(self) -> str:
        return f"{self.grant.reference} {self.due_date}: {self.amount}"


class Allocation(Provenance):
    """Part of a grant put on a result for a year, in the grant's currency."""

    grant = models.ForeignKey(
        Grant, verbose_name=_("grant"), on_delete=models.PROTECT, related_name="allocations"
    )
    result = models.ForeignKey(
        "programmes.Result",
        verbose_name=_("result"),
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = AmountField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    date = models.DateField(_("date"))

    class Meta:
        ordering = ["grant", "result", "year"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")

    def __str__(self) -> str:
        return f"{self.grant.reference} → {self.result.code} {self.year}: {self.amount}"


class Expenditure(Provenance):
    result = models.ForeignKey(
        "programmes.Result",
        verbose_name=_("result"),
        on_delete=models.PROTECT,
        related_name="expenditures",
    )
    grant = models.ForeignKey(
        Grant,
        verbose_name=_("grant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expenditures",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    date = models.DateField(_("date"))
    amount = AmountField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    currency = CurrencyField()
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")

    def __str__(self) -> str:
        return f"{self.result.code} {self.date}: {self.amount} {self.currency}"


class CashTransfer(Provenance):
    class Modality(models.TextChoices):
        DIRECT_CASH = "direct_cash", _("direct cash transfer")
        REIMBURSEMENT = "reimbursement", _("reimbursement")
        DIRECT_PAYMENT = "direct_payment", _("direct payment")

    agreement = models.ForeignKey(
        "partners.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        related_name="cash_transfers",
    )
    result = models.ForeignKey(
        "programmes.Result",
        verbose_name=_("result"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cash_transfers",
    )
    grant = models.ForeignKey(
        Grant,
        verbose_name=_("grant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cash_transfers",
    )
    modality = models.CharField(
        _("modality"), max_length=16, choices=Modality.choices, default=Modality.DIRECT_CASH
    )
    date = models.DateField(_("date"))
    amount = AmountField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    currency = CurrencyField()

    class Meta:
        ordering = ["-date"]
        verbose_name = _("cash transfer")
        verbose_name_plural = _("cash transfers")

    def __str__(self) -> str:
        return f"{self.agreement} {self.date}: {self.amount} {self.currency}"
