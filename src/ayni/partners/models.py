"""Organisations the country office works with."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ayni.core.models import Provenance
from ayni.core.money import AmountField, CurrencyField


class Organisation(Provenance):
    class Type(models.TextChoices):
        GOVERNMENT_NATIONAL = "government_national", _("Government (national)")
        GOVERNMENT_REGIONAL = "government_regional", _("Government (regional)")
        GOVERNMENT_LOCAL = "government_local", _("Government (local)")
        NGO = "ngo", _("NGO")
        UN_AGENCY = "un_agency", _("UN agency")
        BILATERAL_DONOR = "bilateral_donor", _("Bilateral donor")
        PRIVATE_SECTOR = "private_sector", _("Private sector")
        ACADEMIA = "academia", _("Academia")
        COORDINATION_BODY = "coordination_body", _("Coordination body")

    country_office = models.ForeignKey(
        "accounts.CountryOffice",
        verbose_name=_("country office"),
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    name = models.CharField(_("name"), max_length=255)
    acronym = models.CharField(_("acronym"), max_length=32, blank=True)
    type = models.CharField(_("type"), max_length=32, choices=Type.choices)
    country = models.ForeignKey(
        "geography.Country",
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    iati_identifier = models.CharField(_("IATI organisation identifier"), max_length=64, blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country_office", "name"], name="organisation_name_unique"
            ),
        ]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:organisation-detail", args=[self.pk])


class Agreement(Provenance):
    """A partnership agreement; its status moves only through ``partners.workflow.AGREEMENT``,
    which records each step in the event log (``workflow_events``)."""

    class Type(models.TextChoices):
        PCA = "pca", _("Programme cooperation agreement")
        SSFA = "ssfa", _("Small scale funding agreement")
        MOU = "mou", _("Memorandum of understanding")
        GOVERNMENT_WORKPLAN = "government_workplan", _("Government workplan")
        CORPORATE_ALLIANCE = "corporate_alliance", _("Corporate alliance")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "in_review", _("in review")
        SIGNED = "signed", _("signed")
        ACTIVE = "active", _("active")
        ENDED = "ended", _("ended")
        SUSPENDED = "suspended", _("suspended")
        TERMINATED = "terminated", _("terminated")

    country_office = models.ForeignKey(
        "accounts.CountryOffice",
        verbose_name=_("country office"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    programme = models.ForeignKey(
        "programmes.CountryProgramme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    reference = models.CharField(_("reference"), max_length=64)
    type = models.CharField(_("type"), max_length=32, choices=Type.choices)
    title = models.CharField(_("title"), max_length=500)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    signed_date = models.DateField(_("signed"), null=True, blank=True)
    currency = CurrencyField(default="USD")
    unicef_contribution = AmountField(_("UNICEF contribution"), null=True, blank=True)
    partner_contribution = AmountField(_("partner contribution"), null=True, blank=True)
    results = models.ManyToManyField(
        "programmes.Result", verbose_name=_("results"), blank=True, related_name="agreements"
    )
    locations = models.ManyToManyField(
        "geography.Location", verbose_name=_("locations"), blank=True, related_name="agreements"
    )
    workflow_events = GenericRelation("core.WorkflowEvent")

    class Meta:
        ordering = ["-start_date", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["country_office", "reference"], name="agreement_reference_unique"
            ),
        ]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("partners:agreement-detail", args=[self.pk])


class PartnerReport(Provenance):
    """A partner's progress report for one period of an agreement; its status moves only
    through ``partners.workflow.PARTNER_REPORT``."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned for changes")

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="reports"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    narrative = models.TextField(_("progress"), blank=True)
    challenges = models.TextField(_("challenges"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # Why the office sent the report back; the partner reads it before resubmitting.
    return_reason = models.TextField(_("why returned"), blank=True)
    workflow_events = GenericRelation("core.WorkflowEvent")

    class Meta:
        ordering = ["agreement", "-period_start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="partnerreport_period_ordered",
            ),
        ]
        verbose_name = _("partner report")
        verbose_name_plural = _("partner reports")

    def __str__(self) -> str:
        return f"{self.agreement.reference} {self.period_start}–{self.period_end}"

    def get_absolute_url(self) -> str:
        return reverse("partners:report-detail", args=[self.pk])
