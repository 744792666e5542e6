"""Organisations the country office works with."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
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
    source = models.CharField(_("source"), max_length=255, blank=True)
    is_illustrative = models.BooleanField(_("illustrative"), default=False)

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
