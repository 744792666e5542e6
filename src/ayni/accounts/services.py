"""Writes to accounts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from ayni.accounts import tokens, two_step
from ayni.accounts.models import ApiToken, CountryOffice, RecoveryCode, RecoveryCodeDevice, User
from ayni.core.roles import Role
from ayni.geography.models import Country


@dataclass
class DemoAdmin:
    username: str
    password: str | None  # set only when the account was created by this call


def country_office_ensure(
    *, code: str, name_es: str, name_en: str, country: Country
) -> CountryOffice:
    office, _ = CountryOffice.objects.update_or_create(
        code=code, defaults={"name_es": name_es, "name_en": name_en, "country": country}
    )
    return office


@transaction.atomic
def demo_admin_ensure(*, office: CountryOffice, username: str = "admin") -> DemoAdmin:
    """Create the demo administrator once, with a random password returned to the caller.

    An existing account is left untouched (its password is never reset behind its owner's back).
    """
    if User.objects.filter(username=username).exists():
        return DemoAdmin(username=username, password=None)
    password = secrets.token_urlsafe(12)
    User.objects.create_superuser(
        username=username,
        email="",
        password=password,
        role=Role.ADMINISTRATOR,
        country_office=office,
    )
    return DemoAdmin(username=username, password=password)


# Two-step verification (accounts/two_step.py) ------------------------------------------------


def totp_device_for_setup(*, user: User) -> TOTPDevice:
    """The authenticator-app device being set up: the one already waiting for its first code
    (so reloading the page keeps the secret the app may have scanned), or a new one with a
    20-byte key from the system's CSPRNG (django-otp's ``random_hex``).

    Its code lives one 30-second step: ``tolerance=0`` accepts no code of the step before or
    after (OWASP ASVS 5.0 6.5.5)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="authenticator", confirmed=False, step=30, digits=6, tolerance=0
        )
    return device


def _recovery_codes_new(user: User) -> list[str]:
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="recovery codes")
    codes = [two_step.recovery_code_new() for _ in range(two_step.RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=two_step.recovery_code_digest(code)) for code in codes
    )
    return codes


@transaction.atomic
def two_step_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Turns two-step verification on when ``code`` is the app's current code for the device
    being set up. Returns the ten new recovery codes (shown once; only their digests are
    kept), or None for a wrong code."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_token(code.replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    user.two_step_since = timezone.now()
    user.save(update_fields=["two_step_since"])
    return _recovery_codes_new(user)


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    """Ten new recovery codes in place of the old ones (all of which stop working)."""
    return _recovery_codes_new(user)


def recovery_codes_left(*, user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user).count()


@transaction.atomic
def two_step_turn_off(*, user: User) -> None:
    """Removes the user's authenticator and recovery codes; sign-in asks for the password
    only. The caller checks that it is not required of the user."""
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()
    user.two_step_since = None
    user.save(update_fields=["two_step_since"])


@dataclass
class CodeCheck:
    device: Any | None  # the device that accepted the code
    throttled: bool = False  # too soon after a wrong code: not checked at all
    recovery: bool = False


def two_step_verify(*, user: User, code: str) -> CodeCheck:
    """Checks a sign-in code: six digits against the user's authenticator, anything else
    against their recovery codes. Through ``django_otp.verify_token``: the device is locked for
    the check (two requests cannot both use one code), throttled after a wrong code, and a
    code that worked never works again."""
    code = code.strip()
    if two_step.looks_like_totp(code):
        model: Any = TOTPDevice
        code = code.replace(" ", "")
    else:
        model = RecoveryCodeDevice
    device = model.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        return CodeCheck(device=None)
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return CodeCheck(device=None, throttled=True)
    verified = verify_token(user, device.persistent_id, code)
    return CodeCheck(device=verified, recovery=model is RecoveryCodeDevice)


def account_password_change(*, user: User, password: str) -> None:
    """Set ``user``'s new password (already validated by the caller's form). Their API tokens
    stop with it: each holds a fingerprint of the old password hash (``accounts.tokens``)."""
    user.set_password(password)
    user.save(update_fields=["password"])


@dataclass
class NewApiToken:
    token: ApiToken
    secret: str  # shown once to its owner, never stored


def api_token_create(*, user: User, name: str, scope: str, days: int) -> NewApiToken:
    """Make a token for ``user`` that expires in ``days`` days (at most ``AYNI_TOKEN_MAX_DAYS``).

    Returns the token and its secret; only the secret's hash and first characters are kept.
    """
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": _("Choose read only or read and write.")})
    if not 1 <= days <= settings.AYNI_TOKEN_MAX_DAYS:
        raise ValidationError(
            {
                "days": _("A token lasts from 1 to %(max)s days.")
                % {"max": settings.AYNI_TOKEN_MAX_DAYS}
            }
        )
    secret = tokens.new_secret()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        prefix=tokens.visible_prefix(secret),
        key_hash=tokens.hash_secret(secret),
        password_fingerprint=tokens.password_fingerprint(user.password),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return NewApiToken(token=token, secret=secret)


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke ``token`` for good (saved through the ORM, so the audit trail records it)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every token of ``user`` that is not revoked yet (on deactivation); how many."""
    live = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True))
    for token in live:
        api_token_revoke(token=token)
    return len(live)


# How stale "last used" may be: writing it on every request would make each API read a write.
LAST_USED_EVERY = timedelta(minutes=1)


def api_token_touch(*, token: ApiToken, now: datetime) -> None:
    """Note that ``token`` was used, at most once a minute: one UPDATE, no audit entry."""
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
