"""Countries, their administrative levels, locations and zones."""

from __future__ import annotations

import unicodedata

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ayni.core.models import Provenance, localized


def fold(text: str) -> str:
    """Lower case without accents, for accent-insensitive search on every database."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


class Country(models.Model):
    iso2 = models.CharField(_("ISO 3166-1 code"), max_length=2, unique=True)
    iso3 = models.CharField(_("ISO 3166-1 alpha-3"), max_length=3, unique=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        ordering = ["iso2"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return localized(self, "name")

    @property
    def name(self) -> str:
        return localized(self, "name")


class AdminLevel(models.Model):
    """One level of a country's administrative division (1 = department in Peru)."""

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.CASCADE, related_name="levels"
    )
    depth = models.PositiveSmallIntegerField(_("depth"))
    slug = models.SlugField(_("identifier"), max_length=32)
    name_es = models.CharField(_("name (Spanish)"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=64)
    code_length = models.PositiveSmallIntegerField(_("code length"), null=True, blank=True)

    class Meta:
        ordering = ["country", "depth"]
        constraints = [
            models.UniqueConstraint(fields=["country", "depth"], name="adminlevel_depth_unique"),
            models.UniqueConstraint(fields=["country", "slug"], name="adminlevel_slug_unique"),
        ]
        verbose_name = _("administrative level")
        verbose_name_plural = _("administrative levels")

    def __str__(self) -> str:
        return localized(self, "name")

    @property
    def name(self) -> str:
        return localized(self, "name")


class Location(Provenance):
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.CASCADE, related_name="locations"
    )
    level = models.ForeignKey(
        AdminLevel, verbose_name=_("level"), on_delete=models.PROTECT, related_name="locations"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(
        _("code"), max_length=32, help_text=_("National code (UBIGEO in Peru).")
    )
    name = models.CharField(_("name"), max_length=200)
    search_name = models.CharField(max_length=200, editable=False, db_index=True)
    iso_code = models.CharField(_("ISO 3166-2 code"), max_length=8, blank=True)
    capital = models.CharField(_("capital"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    area_km2 = models.DecimalField(
        _("area (km²)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    altitude_m = models.IntegerField(_("altitude (m)"), null=True, blank=True)
    boundary = models.JSONField(
        _("boundary"), null=True, blank=True, help_text=_("GeoJSON geometry (WGS84).")
    )
    # Ancestor ids as "/1/12/345/": "inside X" is a prefix match, on any database.
    path = models.CharField(max_length=255, editable=False, db_index=True)

    class Meta:
        ordering = ["country", "code"]
        constraints = [
            models.UniqueConstraint(fields=["country", "code"], name="location_code_unique"),
        ]
        indexes = [models.Index(fields=["country", "level"])]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_name = fold(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        expected = self.compute_path()
        if self.path != expected:
            self.path = expected
            Location.objects.filter(pk=self.pk).update(path=expected)

    def get_absolute_url(self) -> str:
        return reverse("geography:location-detail", args=[self.country.iso2, self.code])

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id and self.parent else "/"
        return f"{prefix}{self.pk}/"

    def ancestors(self) -> models.QuerySet[Location]:
        ids = [int(part) for part in self.path.strip("/").split("/") if part][:-1]
        return Location.objects.filter(pk__in=ids).select_related("level").order_by("path")

    def descendants(self) -> models.QuerySet[Location]:
        return Location.objects.filter(path__startswith=self.path).exclude(pk=self.pk)

    @property
    def has_centroid(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Zone(Provenance):
    """A named group of locations: Andean, Amazonian, a macro-region, programme focus regions."""

    class Kind(models.TextChoices):
        ECOLOGICAL = "ecological", _("ecological region")
        MACRO_REGION = "macro_region", _("macro-region")
        FOCUS = "focus", _("programme focus")
        POVERTY = "poverty", _("poverty")
        OTHER = "other", _("other")

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.CASCADE, related_name="zones"
    )
    code = models.SlugField(_("code"), max_length=64)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    scheme = models.CharField(
        _("scheme"), max_length=64, blank=True, help_text=_("Who defines it, e.g. INEI, CEPLAN.")
    )
    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    locations = models.ManyToManyField(
        Location, verbose_name=_("locations"), blank=True, related_name="zones"
    )

    class Meta:
        ordering = ["country", "kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["country", "code"], name="zone_code_unique"),
        ]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def description(self) -> str:
        return localized(self, "description")
