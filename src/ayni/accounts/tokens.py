"""What an API token is made of, and whether one still works.

A token is ``ayni_`` followed by 43 URL-safe characters (32 random bytes). The database keeps
its SHA-256 (``key_hash``, the only way to look it up) and its first characters (``prefix``)
for the owner to recognise it; the token itself exists only in the answer that shows it once.
SHA-256 without a salt is enough here: the secret is 256 random bits, not a password, so there
is nothing to guess from a stolen hash.

A token stops working when it expires, when it is revoked, when its owner's password changes
(by any path: the account page, the admin, ``set_password``, ``changepassword``) because the
password fingerprint no longer matches, when its owner is deactivated, and while its owner's
user name is locked out by django-axes.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

PREFIX = "ayni_"
# How many characters of the token (after ``PREFIX``) are kept to recognise it.
VISIBLE = 8


class Status(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105  (a status)
    INACTIVE = "inactive"
    LOCKED_OUT = "locked_out"


# What each status says to the person who reads the token list.
STATUS_LABELS = {
    Status.ACTIVE: _("Active"),
    Status.EXPIRED: _("Expired"),
    Status.REVOKED: _("Revoked"),
    Status.PASSWORD_CHANGED: _("Stopped: the password changed"),
    Status.INACTIVE: _("Stopped: the account is deactivated"),
    Status.LOCKED_OUT: _("Paused: the account is locked out"),
}

# What the API answers (401) to a token that does not work, by status.
REFUSALS = {
    Status.EXPIRED: _("This token has expired. Make a new one on your account page."),
    Status.REVOKED: _("This token has been revoked."),
    Status.PASSWORD_CHANGED: _(
        "This token stopped working when the account's password changed. "
        "Make a new one on your account page."
    ),
    Status.INACTIVE: _("The account of this token is deactivated."),
    Status.LOCKED_OUT: _(
        "The account of this token is locked out after too many failed sign-ins; "
        "its tokens work again when the lock-out ends."
    ),
}


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def visible_prefix(secret: str) -> str:
    return secret[: len(PREFIX) + VISIBLE]


def password_fingerprint(password_hash: str) -> str:
    """A hash of the user's password hash: equal while the password stays the same.

    The password hash carries its own random salt, so a new password (even the same one set
    again) gives a new fingerprint. It reveals nothing usable: without the salt, which is only
    in the user table, no password can be tried against it.
    """
    return hashlib.sha256(b"ayni-api-token\x00" + password_hash.encode()).hexdigest()


def is_locked_out(username: str) -> bool:
    """Is this user name locked out by django-axes from any address right now?

    Axes locks out a user name *and* address (``AXES_LOCKOUT_PARAMETERS``); a token is not tied
    to an address, so a lock-out from any address pauses the account's tokens until it ends
    (after ``AXES_COOLOFF_MINUTES``, or when an administrator resets it).
    """
    if not settings.AXES_ENABLED:
        return False
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt
    from django.utils import timezone

    attempts = AccessAttempt.objects.filter(username=username)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return (
        attempts.values("ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .exists()
    )


def status_of(token: Any, *, now: datetime, locked_out: bool = False) -> Status:
    """Whether ``token`` works at ``now`` (its ``user`` is read for the password and state).

    The order is the order of permanence: a revoked token stays revoked whatever else holds.
    """
    if token.revoked_at is not None:
        return Status.REVOKED
    if token.expires_at <= now:
        return Status.EXPIRED
    if token.password_fingerprint != password_fingerprint(token.user.password):
        return Status.PASSWORD_CHANGED
    if not token.user.is_active:
        return Status.INACTIVE
    if locked_out:
        return Status.LOCKED_OUT
    return Status.ACTIVE
