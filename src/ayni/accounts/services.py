"""Writes to accounts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ayni.accounts import tokens
from ayni.accounts.models import ApiToken, CountryOffice, User
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
