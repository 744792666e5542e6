"""Studies and evaluations: what the programme learned, and where it came from.

Recommendations, management responses and their follow-up build on ``Study``.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ayni.core.models import Provenance, localized


class Study(Provenance):
    class Kind(models.TextChoices):
        EVALUATION = "evaluation", _("evaluation")
        STUDY = "study", _("study")
        PILOT = "pilot", _("pilot")
        SYSTEMATIZATION = "systematization", _("systematization")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        ONGOING = "ongoing", _("ongoing")
        COMPLETED = "completed", _("completed")

    country_office = models.ForeignKey(
        "accounts.CountryOffice",
        verbose_name=_("country office"),
        on_delete=models.PROTECT,
        related_name="studies",
    )
    programme = models.ForeignKey(
        "programmes.CountryProgramme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="studies",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title_es = models.CharField(_("title (Spanish)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    summary_es = models.TextField(_("summary (Spanish)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    results = models.ManyToManyField(
        "programmes.Result",
        verbose_name=_("results informed"),
        blank=True,
        related_name="studies",
    )
    partners = models.ManyToManyField(
        "partners.Organisation", verbose_name=_("with"), blank=True, related_name="studies"
    )
    locations = models.ManyToManyField(
        "geography.Location", verbose_name=_("where"), blank=True, related_name="studies"
    )

    class Meta:
        ordering = ["-year", "title_es"]
        verbose_name = _("study or evaluation")
        verbose_name_plural = _("studies and evaluations")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evidence:study-detail", args=[self.pk])

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def summary(self) -> str:
        return localized(self, "summary")
