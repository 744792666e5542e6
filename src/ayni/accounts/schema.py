"""The API's security schemes in the OpenAPI schema, for ``accounts.drf``'s authentication
classes. The session is DRF's scheme, unchanged (the two-step refusal is a 403 like any
other). The token is declared as HTTP bearer, so that clients and the Swagger UI's
"Authorize" know how to send one: the API takes ``Bearer <token>`` as well as
``Token <token>``, and a bearer scheme lets the Swagger UI take the token alone."""

from __future__ import annotations

from typing import Any

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TwoStepSessionScheme(SessionScheme):
    target_class = "ayni.accounts.drf.SessionAuthentication"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "ayni.accounts.drf.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A token made on your account page (/accounts/me/), sent as "
                "`Authorization: Bearer <token>` or `Authorization: Token <token>`."
            ),
        }
