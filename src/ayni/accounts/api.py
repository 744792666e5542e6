"""The API's one password-to-token exchange, held to the strength of the sign-in."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.authtoken import views as token_views
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from ayni.accounts import two_step


class ObtainAuthToken(token_views.ObtainAuthToken):
    """DRF's ``POST /api/auth/token/`` (user name and password → token), refused (403) to a
    user whose sign-in takes two steps or must: a password alone would give them a credential
    that sign-in itself does not. Their tokens are made from a verified, signed-in session."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if two_step.enabled(user) or two_step.required(user):
            raise PermissionDenied(
                _(
                    "This account signs in with two-step verification: a password alone "
                    "cannot make an API token."
                )
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
