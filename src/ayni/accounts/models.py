"""Users, their role and what they are scoped to."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

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


class User(AbstractUser):  # type: ignore[django-manager-missing]  # django-otp's Device.user
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
    # When two-step verification was turned on (None: off). Sign-in asks for a code when it is
    # set; it is part of the session hash, so turning it on or off ends every other session.
    two_step_since = models.DateTimeField(_("two-step verification since"), null=True, blank=True)

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

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's session hash (an HMAC of the password hash), with the time two-step
        verification was turned on: a session opened with a password alone before that (or
        before it was turned off and on again) ends at its next request, as after a password
        change. Without two-step verification the hash is Django's own."""
        if self.two_step_since is None:
            return super()._get_session_auth_hash(secret)  # type: ignore[misc]
        key_salt = "ayni.accounts.models.User.get_session_auth_hash"
        value = f"{self.password}|{self.two_step_since.isoformat()}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """A user's recovery codes, as a django-otp device (its throttling, its transaction).

    django-otp's own static device keeps its codes in clear text; these are kept as SHA-256
    digests. A code carries 120 random bits (24 characters of Crockford's base32), so a plain
    hash is enough (OWASP ASVS 5.0 6.5.2: 112 bits or more). Each code works once."""

    class Meta:
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self) -> int:
        return int(settings.OTP_STATIC_THROTTLE_FACTOR)

    def verify_token(self, token: str) -> bool:
        from ayni.accounts.two_step import recovery_code_digest

        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        match = self.codes.filter(digest=recovery_code_digest(token)).first()
        if match is None:
            self.throttle_increment()
            return False
        match.delete()
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True


class RecoveryCode(models.Model):
    """One unused recovery code: its SHA-256 digest only."""

    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return f"{self.device_id}:{self.digest[:8]}"


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
