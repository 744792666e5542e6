"""Country programmes, their results tree, external frameworks and annual workplans."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ayni.core.models import Provenance, localized
from ayni.core.money import AmountField, CurrencyField


class Framework(Provenance):
    """An external framework results align to: MDGs, SDGs, PNAIA, UNDAF, CRC, Acuerdo Nacional."""

    class Kind(models.TextChoices):
        MDG = "mdg", _("Millennium Development Goals")
        SDG = "sdg", _("Sustainable Development Goals")
        NATIONAL_PLAN = "national_plan", _("National plan")
        UNDAF = "undaf", _("UN development assistance framework")
        CRC = "crc", _("Convention on the Rights of the Child")
        STATE_POLICY = "state_policy", _("State policies")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    name_es = models.CharField(_("name (Spanish)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class FrameworkGoal(Provenance):
    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="goals"
    )
    code = models.CharField(_("code"), max_length=32)
    title_es = models.CharField(_("title (Spanish)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)

    class Meta:
        ordering = ["framework", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="frameworkgoal_unique"),
        ]
        verbose_name = _("framework goal")
        verbose_name_plural = _("framework goals")

    def __str__(self) -> str:
        return f"{self.framework.code} {self.code}: {self.title}"

    @property
    def title(self) -> str:
        return localized(self, "title")


class Approach(models.Model):
    """A programming approach: rights, gender, interculturality, C4D, …"""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("approach")
        verbose_name_plural = _("approaches")

    def __str__(self) -> str:
        return localized(self, "name")


class FocusPopulation(Provenance):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("focus population")
        verbose_name_plural = _("focus populations")

    def __str__(self) -> str:
        return localized(self, "name")


class CountryProgramme(Provenance):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        CLOSED = "closed", _("closed")

    country_office = models.ForeignKey(
        "accounts.CountryOffice",
        verbose_name=_("country office"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    code = models.SlugField(_("code"), max_length=64)
    title_es = models.CharField(_("title (Spanish)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255)
    country = models.ForeignKey(
        "geography.Country", verbose_name=_("country"), on_delete=models.PROTECT
    )
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    planned_total = AmountField(_("planned total"))
    currency = CurrencyField(default="USD")

    class Meta:
        ordering = ["-start_year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["country_office", "code"], name="programme_unique"),
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")),
                name="programme_years_ordered",
            ),
        ]
        verbose_name = _("country programme")
        verbose_name_plural = _("country programmes")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reporting:programme-dashboard", args=[self.pk])

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)


class Result(Provenance):
    """One node of the results tree: component (outcome) → output → activity."""

    class Level(models.TextChoices):
        COMPONENT = "component", _("component / outcome")
        OUTPUT = "output", _("output")
        ACTIVITY = "activity", _("activity")

    class GenderMarker(models.IntegerChoices):
        NONE = 0, _("0: no contribution to gender equality")
        SOME = 1, _("1: limited contribution")
        SIGNIFICANT = 2, _("2: significant contribution")
        PRINCIPAL = 3, _("3: principal objective")

    programme = models.ForeignKey(
        CountryProgramme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="results",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    code = models.CharField(_("code"), max_length=32)
    position = models.PositiveIntegerField(_("position"), default=0)
    title_es = models.CharField(_("title (Spanish)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    sector_code = models.CharField(_("sector (DAC 5-digit purpose code)"), max_length=5, blank=True)
    gender_marker = models.PositiveSmallIntegerField(
        _("gender equality marker"), choices=GenderMarker.choices, null=True, blank=True
    )
    humanitarian_marker = models.BooleanField(_("humanitarian"), default=False)
    interculturality_marker = models.BooleanField(_("interculturality"), default=False)
    approaches = models.ManyToManyField(
        Approach, verbose_name=_("approaches"), blank=True, related_name="results"
    )
    focus_populations = models.ManyToManyField(
        FocusPopulation, verbose_name=_("focus populations"), blank=True, related_name="results"
    )
    zones = models.ManyToManyField(
        "geography.Zone", verbose_name=_("focus zones"), blank=True, related_name="results"
    )
    goals = models.ManyToManyField(
        FrameworkGoal, verbose_name=_("aligned to"), blank=True, related_name="results"
    )
    # Ancestor ids ("/3/17/"), kept by services: subtree sums are one prefix match.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    retired_reason = models.CharField(_("why retired"), max_length=500, blank=True)

    class Meta:
        ordering = ["programme", "path", "position"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="result_code_unique"),
        ]
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:result-detail", args=[self.pk])

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def depth(self) -> int:
        return self.path.strip("/").count("/")


class Workplan(Provenance):
    """An annual workplan with a partner or with a regional government."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")
        CLOSED = "closed", _("closed")

    programme = models.ForeignKey(
        CountryProgramme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="workplans",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title_es = models.CharField(_("title (Spanish)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    partner = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workplans",
    )
    region = models.ForeignKey(
        "geography.Location",
        verbose_name=_("regional government of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workplans",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )

    class Meta:
        ordering = ["programme", "year", "title_es"]
        verbose_name = _("workplan")
        verbose_name_plural = _("workplans")

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    @property
    def title(self) -> str:
        return localized(self, "title")


class WorkplanActivity(models.Model):
    workplan = models.ForeignKey(
        Workplan, verbose_name=_("workplan"), on_delete=models.CASCADE, related_name="activities"
    )
    result = models.ForeignKey(
        Result,
        verbose_name=_("result"),
        on_delete=models.PROTECT,
        related_name="workplan_activities",
    )
    title_es = models.CharField(_("title (Spanish)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    locations = models.ManyToManyField(
        "geography.Location",
        verbose_name=_("locations"),
        blank=True,
        related_name="workplan_activities",
    )
    budget = AmountField(_("budget"), default=0)
    currency = CurrencyField(default="USD")
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)

    class Meta:
        ordering = ["workplan", "start_date", "pk"]
        verbose_name = _("workplan activity")
        verbose_name_plural = _("workplan activities")

    def __str__(self) -> str:
        return localized(self, "title")
