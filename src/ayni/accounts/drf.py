"""The API's session authentication (DRF's) and token authentication
(``accounts.authentication``), each refusing a user who must set up two-step verification
and has not (403, saying where to set it up). Named in ``REST_FRAMEWORK``'s
``DEFAULT_AUTHENTICATION_CLASSES``; imports no view module (DRF loads these with its
settings)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from ayni.accounts import authentication as tokens_authentication
from ayni.accounts import two_step


class TwoStepSetupRequired(exceptions.PermissionDenied):
    default_code = "two_step_setup_required"


class _RefuseWithoutTwoStep:
    def authenticate(self, request: Request) -> Any:
        result = super().authenticate(request)  # type: ignore[misc]
        if result is not None and two_step.setup_needed(result[0]):
            raise TwoStepSetupRequired(
                _(
                    "Two-step verification is required for this account and is not set up. "
                    "Set it up at %(url)s, then try again."
                )
                % {"url": request.build_absolute_uri(reverse("accounts:two-step-setup"))}
            )
        return result


class SessionAuthentication(_RefuseWithoutTwoStep, authentication.SessionAuthentication):
    pass


class TokenAuthentication(_RefuseWithoutTwoStep, tokens_authentication.TokenAuthentication):
    pass
