"""Security events, one line each, on the ``ayni.security`` logger.

What an operator needs to see an attack or a misuse, and nothing that would itself be a risk
in a log: who (user id and name, or the name tried), from where (the client address as
``core.network`` reads it for the lock-out too, so a proxy's ``X-Forwarded-For`` is handled in
one place), what happened, and on what path. Passwords, tokens, session keys and query
strings are never logged.

Events: ``sign_in``, ``sign_in_failed`` (with ``step=code`` for a wrong one-time code),
``locked_out``, ``sign_out``, ``session_ended`` (idle or absolute limit, see
``core.sessions``), the changes of two-step verification (``two_step_on``, ``two_step_off``,
``recovery_codes_new``, ``recovery_code_used``), and ``refused`` for every 401, 403 and 429
(rate limit, lock-out) answer of a page or the API (``SecurityEventMiddleware``), which is
where every refused permission check ends. A 404 for another office's record is not logged:
it cannot be told apart from a mistyped address, and saying which it was would tell the
caller the record exists.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from ayni.core.network import client_ip

logger = logging.getLogger("ayni.security")

# Set on a request whose session ``core.sessions`` ended, so its sign-out is not logged twice.
ENDED = "_ayni_session_ended"


def client_address(request: HttpRequest | None) -> str:
    if request is None:
        return "-"
    return client_ip(request) or "-"


def _who(user: Any) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    return f"{user.pk}:{user.get_username()}"


def _clean(text: str, limit: int = 150) -> str:
    """A value a client chose, safe on one log line (no line breaks, bounded)."""
    return text.replace("\r", " ").replace("\n", " ")[:limit]


# Routine events are INFO; the ones that may be an attack are WARNING.
ROUTINE = frozenset({"sign_in", "sign_out", "session_ended", "two_step_on", "recovery_codes_new"})


def event(name: str, request: HttpRequest | None, who: str, **details: Any) -> None:
    extra = "".join(f" {key}={_clean(str(value))}" for key, value in details.items())
    level = logging.INFO if name in ROUTINE else logging.WARNING
    logger.log(level, "%s user=%s ip=%s%s", name, who, client_address(request), extra)


@receiver(user_logged_in, dispatch_uid="ayni.security.sign_in")
def _signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    event("sign_in", request, _who(user))


@receiver(user_login_failed, dispatch_uid="ayni.security.sign_in_failed")
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    tried = str(credentials.get("username", ""))
    step = {"step": credentials["step"]} if credentials.get("step") else {}
    event("sign_in_failed", request, "anonymous", username=tried or "-", **step)


@receiver(user_locked_out, dispatch_uid="ayni.security.locked_out")
def _locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, **kwargs: Any
) -> None:
    event("locked_out", request, "anonymous", username=username or "-")


@receiver(user_logged_out, dispatch_uid="ayni.security.sign_out")
def _signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and getattr(request, ENDED, False):
        return
    event("sign_out", request, _who(user))


def user_event(name: str, request: HttpRequest | None, user: Any, **details: Any) -> None:
    """An event about a user's own account (two-step verification turned on, a recovery code
    used…)."""
    event(name, request, _who(user), **details)


def session_ended(request: HttpRequest, user: Any, reason: str) -> None:
    setattr(request, ENDED, True)
    event("session_ended", request, _who(user), reason=reason)


class SecurityEventMiddleware:
    """Logs every 401, 403 and 429 answer with who asked for what."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in (401, 403, 429):
            # DRF authenticates inside the view; its user is on the response's renderer
            # context, not on the Django request, so ask the response first.
            context = getattr(response, "renderer_context", None) or {}
            user = getattr(context.get("request"), "user", None)
            if user is None:
                user = getattr(request, "user", None)
            event(
                "refused",
                request,
                _who(user),
                status=response.status_code,
                method=request.method,
                path=request.path,
            )
        return response
