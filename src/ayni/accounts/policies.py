"""Who may do what with accounts: a signed-in person reads their own account, changes their
own password and keeps their own API tokens. Nobody else's, superusers included: the token
pages look tokens up among the owner's own (``selectors.api_tokens_of``), so another user's
token answers 404 to everyone. Users and country offices are otherwise managed by superusers
in the admin (no policy action beyond the account page)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ayni.accounts.models import ApiToken, User
from ayni.core.permissions import Action, Policy, register

# The action of ``UserPolicy``: change one's own password.
CHANGE_PASSWORD = "change_password"  # noqa: S105  (an action name)
# The action of ``ApiTokenPolicy``: revoke one's own token.
REVOKE = "revoke"


def _signed_in(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


@register(User)
class UserPolicy(Policy):
    actions = frozenset({CHANGE_PASSWORD})

    def can(self, user: Any, action: str) -> bool:
        return _signed_in(user) and action in {Action.VIEW, CHANGE_PASSWORD}

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(pk=user.pk)


@register(ApiToken)
class ApiTokenPolicy(Policy):
    actions = frozenset({REVOKE})

    def can(self, user: Any, action: str) -> bool:
        return _signed_in(user) and action in {Action.VIEW, Action.ADD, REVOKE}

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(user=user)
