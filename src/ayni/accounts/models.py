"""Users, their role and what they are scoped to."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ayni.core.roles import OFFICE_STAFF_ROLES, Role


class CountryOffice(models.Model):
    """The organisation that runs a country programme; every domain record belongs to one."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    country = models.ForeignKey(
        "geography.Country", verbose_name=_("country"), on_delete=models.PROTECT
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("country office")
        verbose_name_plural = _("country offices")

    def __str__(self) -> str:
        from ayni.core.models import localized

        return localized(self, "name")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.PUBLIC)
    country_office = models.ForeignKey(
        CountryOffice,
        verbose_name=_("country office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("For partner focal points and donor viewers: the organisation they see."),
    )
    locations = models.ManyToManyField(
        "geography.Location",
        verbose_name=_("locations"),
        blank=True,
        related_name="focal_points",
        help_text=_("For regional focal points: the places (and everything inside) they edit."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        if self.role in {Role.PARTNER_FOCAL_POINT, Role.DONOR_VIEWER} and not self.organisation_id:
            raise ValidationError(
                {"organisation": _("A partner focal point or donor viewer needs an organisation.")}
            )
        if self.role != Role.PUBLIC and not self.is_superuser and not self.country_office_id:
            raise ValidationError({"country_office": _("This role needs a country office.")})

    @property
    def is_office_staff(self) -> bool:
        return self.is_superuser or self.role in OFFICE_STAFF_ROLES
