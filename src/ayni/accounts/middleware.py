"""A user who must use two-step verification and has not set it up reaches only its set-up
page, sign-out, the language switch and static files; every other page sends them to the
set-up page. (The API refuses them through ``accounts.drf``.)"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from ayni.accounts import two_step


class TwoStepSetupMiddleware:
    """Goes after the authentication and session-lifetime middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and settings.AYNI_MFA_REQUIRED
            and two_step.setup_needed(user)
            and not self._open(request.path)
        ):
            return redirect("accounts:two-step-setup")
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        allowed = (
            reverse("accounts:two-step-setup"),
            reverse("accounts:logout"),
            reverse("set_language"),
        )
        # The API answers for itself (403 with a message, accounts.drf); static files are
        # the set-up page's own.
        return path in allowed or path.startswith(("/api/", "/" + settings.STATIC_URL.lstrip("/")))
