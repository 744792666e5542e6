"""Reads on accounts: a person's own API tokens and what their account page lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from ayni.accounts import tokens
from ayni.accounts.models import ApiToken


def api_tokens_of(user: Any) -> QuerySet[ApiToken]:
    """The tokens of ``user``, newest first. The account pages look every token up here, so
    another person's token answers 404, a superuser's request included (the admin is where a
    superuser sees every token)."""
    if not getattr(user, "pk", None):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).select_related("user")


@dataclass(frozen=True)
class TokenRow:
    token: ApiToken
    status: tokens.Status

    @property
    def status_label(self) -> str:
        return str(tokens.STATUS_LABELS[self.status])

    @property
    def revocable(self) -> bool:
        """Offered for a token that works, or will again when a lock-out ends; an expired or
        stopped one can never work again and needs no revoking."""
        return self.status in {tokens.Status.ACTIVE, tokens.Status.LOCKED_OUT}


def api_token_rows(user: Any) -> list[TokenRow]:
    """The account page's token list: each of ``user``'s tokens with whether it works now."""
    now = timezone.now()
    rows = list(api_tokens_of(user))
    locked_out = bool(rows) and tokens.is_locked_out(user.get_username())
    return [
        TokenRow(token=token, status=tokens.status_of(token, now=now, locked_out=locked_out))
        for token in rows
    ]
