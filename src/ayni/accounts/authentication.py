"""The API's token authentication: ``Authorization: Token <token>`` (or ``Bearer <token>``).

First in ``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]``, before the session: DRF takes
the ``WWW-Authenticate`` challenge from the first class, and a class that has one turns every
refusal of authentication into a 401 (with the session first, DRF answered 403 with no
challenge). A request without an ``Authorization`` header falls through to the session, which
keeps its CSRF check.

A token that is unknown, expired, revoked, stopped by a password change, of a deactivated
account or of an account locked out answers 401 saying which. A read-only token is refused
(403) on any method but GET, HEAD and OPTIONS, whatever the permission of its owner.

Kept free of model imports at module level: DRF imports this module with its settings.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

KEYWORDS = (b"token", b"bearer")


class TokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the token after the word Token, separated by one space.")
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This token is not valid.")) from None
        token = self.authenticate_credentials(secret)
        if token.read_only and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(
                _("This token is read-only: it may read (GET) but not change anything.")
            )
        _name_audit_actor(token.user)
        return (token.user, token)

    def authenticate_credentials(self, secret: str) -> Any:
        from ayni.accounts import services, tokens
        from ayni.accounts.models import ApiToken

        try:
            token = ApiToken.objects.select_related("user").get(key_hash=tokens.hash_secret(secret))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("This token is not valid.")) from None
        now = timezone.now()
        status = tokens.status_of(token, now=now)
        if status is tokens.Status.ACTIVE and tokens.is_locked_out(token.user.get_username()):
            status = tokens.Status.LOCKED_OUT
        if status is not tokens.Status.ACTIVE:
            raise exceptions.AuthenticationFailed(str(tokens.REFUSALS[status]))
        services.api_token_touch(token=token, now=now)
        return token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


def _name_audit_actor(user: Any) -> None:
    """Put the token's owner in this request's audit context: the audit middleware ran before
    DRF read the token and saw an anonymous user."""
    from auditlog.context import auditlog_value

    try:
        context = auditlog_value.get()
    except LookupError:
        return
    if context.get("actor") is None:
        context["actor"] = user
