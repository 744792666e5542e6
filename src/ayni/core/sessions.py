"""How long a signed-in session lasts.

Django's session cookie has one age, counted from the last time the session was saved. A
country office's computers are often shared, so a session here has two limits:

- **Idle**: with no request for ``AYNI_SESSION_IDLE_MINUTES`` (60) the session ends.
- **Absolute**: ``AYNI_SESSION_MAX_HOURS`` (12) after signing in it ends however busy it was,
  so a session stolen from a shared computer does not live for ever.

The times are kept in the session itself (set when the user signs in). The last-seen time is
written at most once a minute, so a page view does not mean a session write. A session that
ends is flushed (as a sign-out does) and the person is sent to the sign-in page with a note;
the API answers 401 as for any unauthenticated request, after the flush.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

AUTH_AT = "ayni_auth_at"
SEEN_AT = "ayni_seen_at"
# Write the last-seen time only when it is older than this, to spare the session store.
SEEN_RESOLUTION = 60


@receiver(user_logged_in, dispatch_uid="ayni.core.sessions.start")
def start(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[AUTH_AT] = now
    request.session[SEEN_AT] = now


def expired(session: Any, now: float) -> str | None:
    """Why the session has ended (``"idle"`` or ``"absolute"``), or None while it lasts.

    A session from before these limits existed has no times; it starts counting now."""
    auth_at = session.get(AUTH_AT)
    seen_at = session.get(SEEN_AT)
    if auth_at is None or seen_at is None:
        return None
    if now - auth_at > settings.AYNI_SESSION_MAX_HOURS * 3600:
        return "absolute"
    if now - seen_at > settings.AYNI_SESSION_IDLE_MINUTES * 60:
        return "idle"
    return None


class SessionLifetimeMiddleware:
    """Ends a session past its idle or absolute limit. Goes after MessageMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            reason = expired(request.session, now)
            if reason is not None:
                self._end(request, reason)
            elif now - request.session.get(SEEN_AT, 0) > SEEN_RESOLUTION:
                request.session.setdefault(AUTH_AT, int(now))
                request.session[SEEN_AT] = int(now)
        return self.get_response(request)

    @staticmethod
    def _end(request: HttpRequest, reason: str) -> None:
        from ayni.core.security_log import session_ended

        user = request.user
        session_ended(request, user, reason)
        logout(request)  # flushes the session and makes request.user anonymous
        if not request.path.startswith("/api/"):
            if reason == "idle":
                note = _("Your session ended after %(minutes)s minutes without activity.") % {
                    "minutes": settings.AYNI_SESSION_IDLE_MINUTES
                }
            else:
                note = _("Your session ended %(hours)s hours after you signed in.") % {
                    "hours": settings.AYNI_SESSION_MAX_HOURS
                }
            messages.info(request, note + " " + _("Please sign in again."))
