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


class ApiToken(models.Model):
    """A named, expiring API token of one user.

    Only a SHA-256 hash of the token is kept (``key_hash``), with its first characters
    (``prefix``) so that its owner can recognise it; the token itself is shown once, when it is
    made (``accounts.services.api_token_create``). ``password_fingerprint`` is a hash of the
    owner's password hash when the token was made: any change of the password, by any path,
    changes it, and the token stops (``accounts.authentication``).
    """

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(_("prefix"), max_length=16)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    password_fingerprint = models.CharField(_("password fingerprint"), max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        # Never the secret nor its hash: this is what the audit trail and the admin show.
        return f"{self.name} ({self.prefix}…)"

    @property
    def read_only(self) -> bool:
        return self.scope == self.Scope.READ
