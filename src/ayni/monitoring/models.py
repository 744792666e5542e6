"""Indicators of the situation of children, their data values, baselines and targets.

A data value is one number for one indicator, place, period and disaggregation, from one
source. ``disaggregation`` is a canonical key, ``"area=rural;sex=F"`` (dimension codes in
alphabetical order, ``""`` for the total), so that values are unique and fast to group on every
database; its parts are checked against ``Dimension``/``DimensionValue`` on import.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ayni.core.models import Provenance, localized
from ayni.core.periods import PeriodKind


class DataSource(Provenance):
    """A survey, administrative system, census or estimate; ``source`` is its citation."""

    class Kind(models.TextChoices):
        SURVEY = "survey", _("household survey")
        ADMINISTRATIVE = "administrative", _("administrative system")
        CENSUS = "census", _("census")
        MODELLED = "modelled", _("modelled estimate")
        OTHER = "other", _("other")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name_es = models.CharField(_("name (Spanish)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    publisher = models.CharField(_("publisher"), max_length=255, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("data source")
        verbose_name_plural = _("data sources")

    def __str__(self) -> str:
        return localized(self, "name")


class Dimension(models.Model):
    """A way to disaggregate: sex, area, age group, wealth quintile, mother tongue, disability."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("disaggregation dimension")
        verbose_name_plural = _("disaggregation dimensions")

    def __str__(self) -> str:
        return localized(self, "name")


class DimensionValue(models.Model):
    dimension = models.ForeignKey(
        Dimension, verbose_name=_("dimension"), on_delete=models.CASCADE, related_name="values"
    )
    code = models.SlugField(_("code"), max_length=32)
    name_es = models.CharField(_("name (Spanish)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["dimension", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "code"], name="dimensionvalue_unique"),
        ]
        verbose_name = _("dimension value")
        verbose_name_plural = _("dimension values")

    def __str__(self) -> str:
        return localized(self, "name")


class Indicator(Provenance):
    class Unit(models.TextChoices):
        PERCENT = "percent", _("percent")
        PER_1000 = "per_1000", _("rate per 1,000")
        PER_100000 = "per_100000", _("rate per 100,000")
        NUMBER = "number", _("number")
        CURRENCY = "currency", _("currency")

    class Direction(models.TextChoices):
        HIGHER_IS_BETTER = "up", _("higher is better")
        LOWER_IS_BETTER = "down", _("lower is better")

    class Frequency(models.TextChoices):
        ANNUAL = "annual", _("annual")
        QUARTERLY = "quarterly", _("quarterly")
        MONTHLY = "monthly", _("monthly")
        WEEKLY = "weekly", _("weekly")
        DAILY = "daily", _("daily")
        IRREGULAR = "irregular", _("irregular (surveys)")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)
    definition_es = models.TextField(_("definition (Spanish)"), blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    numerator_es = models.CharField(_("numerator (Spanish)"), max_length=500, blank=True)
    numerator_en = models.CharField(_("numerator (English)"), max_length=500, blank=True)
    denominator_es = models.CharField(_("denominator (Spanish)"), max_length=500, blank=True)
    denominator_en = models.CharField(_("denominator (English)"), max_length=500, blank=True)
    frequency = models.CharField(
        _("frequency"), max_length=16, choices=Frequency.choices, default=Frequency.ANNUAL
    )
    decimals = models.PositiveSmallIntegerField(_("decimals shown"), default=1)
    dimensions = models.ManyToManyField(
        Dimension,
        verbose_name=_("accepted disaggregations"),
        blank=True,
        related_name="indicators",
    )
    results = models.ManyToManyField(
        "programmes.Result", verbose_name=_("results"), blank=True, related_name="indicators"
    )
    goals = models.ManyToManyField(
        "programmes.FrameworkGoal",
        verbose_name=_("framework goals"),
        blank=True,
        related_name="indicators",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("monitoring:indicator-detail", args=[self.code])

    @property
    def places(self) -> int:
        """Decimal places a value is shown with: none for a count, two for money, else one."""
        places: dict[str, int] = {self.Unit.NUMBER: 0, self.Unit.CURRENCY: 2}
        return places.get(self.unit, 1)

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def definition(self) -> str:
        return localized(self, "definition")


class IndicatorCode(models.Model):
    """The indicator's code in another system: UNICEF SDMX, DHIS2, a national system."""

    class System(models.TextChoices):
        SDMX_UNICEF = "sdmx_unicef", _("UNICEF SDMX")
        DHIS2 = "dhis2", _("DHIS2 data element")
        NATIONAL = "national", _("national system")
        OTHER = "other", _("other")

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="codes"
    )
    system = models.CharField(_("system"), max_length=16, choices=System.choices)
    code = models.CharField(_("code"), max_length=128)

    class Meta:
        ordering = ["indicator", "system"]
        constraints = [
            models.UniqueConstraint(fields=["system", "code"], name="indicatorcode_unique"),
        ]
        verbose_name = _("code in another system")
        verbose_name_plural = _("codes in other systems")

    def __str__(self) -> str:
        return f"{self.get_system_display()}: {self.code}"


class DataValue(models.Model):
    """One number for an indicator, place, period and disaggregation, from one data source.

    Not a ``Provenance``: its ``source`` is the ``DataSource`` it comes from (whose citation
    and flag are the value's provenance), a reference that bulk imports and the analytics
    store rely on; a citation per row would repeat the source's on millions of rows. Its own
    ``is_illustrative`` (the same field as ``Provenance``'s) marks a value invented on top of
    a real source; pages and the analytics store treat a value as illustrative when it or its
    source is.
    """

    class PeriodType(models.TextChoices):
        # The kinds of ayni.core.periods, which derives every period's type from its text.
        YEAR = PeriodKind.YEAR.value, _("year")
        QUARTER = PeriodKind.QUARTER.value, _("quarter")
        MONTH = PeriodKind.MONTH.value, _("month")
        WEEK = PeriodKind.WEEK.value, _("ISO week")
        DAY = PeriodKind.DAY.value, _("day")

    # The table that grows to millions of rows, written by bulk imports. Its references are
    # checked by the import pipeline (every code resolved against what is stored, in the
    # import's transaction) and kept by Django's on_delete (PROTECT, CASCADE, SET_NULL), not
    # by database constraints: a foreign-key constraint costs a look-up per reference per
    # row, and with four of them an import ran at a third of its speed (docs/benchmarks.md,
    # docs/data-model.md). Only the indexes that queries use are kept: the unique key (which
    # also serves look-ups by indicator), (indicator, year) and the place.
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="values",
        db_constraint=False,
        db_index=False,
    )
    location = models.ForeignKey(
        "geography.Location",
        verbose_name=_("place"),
        on_delete=models.PROTECT,
        related_name="data_values",
        db_constraint=False,
    )
    period_type = models.CharField(_("period type"), max_length=1, choices=PeriodType.choices)
    # Period.code: "2014", "2014Q1", "2014-01", "2014-W03" or "2014-03-15"; sorts in time
    # order within a period type.
    period = models.CharField(_("period"), max_length=10)
    # Period.year: the year the period belongs to (an ISO week's ISO year).
    year = models.PositiveSmallIntegerField(_("year"))
    disaggregation = models.CharField(_("disaggregation"), max_length=255, blank=True, default="")
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6)
    lower = models.DecimalField(
        _("lower bound"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    upper = models.DecimalField(
        _("upper bound"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    numerator = models.DecimalField(
        _("numerator"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("denominator"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    source = models.ForeignKey(
        DataSource,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        related_name="values",
        db_constraint=False,
        db_index=False,
    )
    flags = models.CharField(_("status flags"), max_length=32, blank=True)
    import_batch = models.ForeignKey(
        "core.ImportBatch",
        verbose_name=_("import batch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    # The same field as Provenance's (``Field.clone`` is Django's, missing from the stubs).
    is_illustrative = Provenance._meta.get_field("is_illustrative").clone()  # type: ignore[attr-defined]

    class Meta:
        ordering = ["indicator", "location", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "location", "period", "disaggregation", "source"],
                name="datavalue_unique",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "year"])]
        verbose_name = _("data value")
        verbose_name_plural = _("data values")

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.location.code} {self.period}: {self.value}"


class AnalyticsBacklog(models.Model):
    """An (indicator, year) whose values changed in a committed transaction and which the
    analytics store has not absorbed yet.

    Written in the transaction that changes the values, so it is committed exactly when they
    are; deleted by the refresh that has rewritten the partition since (``analytics.store
    .catch_up``). A process that stops between the commit and the refresh leaves its rows:
    the next refresh, the worker's sweep or the next read of the store absorbs them.
    """

    # Plain numbers, like DataValue's keys: a deleted indicator's partitions must still go.
    indicator_id = models.BigIntegerField(_("indicator id"))
    year = models.PositiveSmallIntegerField(_("year"))
    batch = models.ForeignKey(
        "core.ImportBatch",
        verbose_name=_("import batch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    created_at = models.DateTimeField(_("committed"), auto_now_add=True)

    class Meta:
        verbose_name = _("change not yet in the analytics store")
        verbose_name_plural = _("changes not yet in the analytics store")

    def __str__(self) -> str:
        return f"indicator {self.indicator_id}, {self.year}"


class Target(Provenance):
    """A baseline or a target of an indicator for a place and year."""

    class Kind(models.TextChoices):
        BASELINE = "baseline", _("baseline")
        TARGET = "target", _("target")

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    location = models.ForeignKey(
        "geography.Location",
        verbose_name=_("place"),
        on_delete=models.PROTECT,
        related_name="indicator_targets",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6)

    class Meta:
        ordering = ["indicator", "location", "kind", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "location", "kind", "year"], name="target_unique"
            ),
        ]
        verbose_name = _("baseline or target")
        verbose_name_plural = _("baselines and targets")

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.location.code} {self.kind} {self.year}: {self.value}"
