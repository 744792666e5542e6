"""The token scheme in the OpenAPI schema, so that clients and the Swagger UI's "Authorize"
know how to send a token. Declared as HTTP bearer: the API takes ``Bearer <token>`` as well as
``Token <token>``, and a bearer scheme lets the Swagger UI take the token alone."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "ayni.accounts.authentication.TokenAuthentication"
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
