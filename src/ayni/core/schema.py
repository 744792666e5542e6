"""The OpenAPI schema's shared parts: the error answers every operation may give.

Every error of the API has one body (``core.api.exception_handler``): ``{"error": {"status",
"code", "message", "fields"}}``. ``AutoSchema`` documents it once, as the ``Error`` component,
for the statuses an operation can answer: 400 (a malformed parameter or body), 401 (not
signed in, or a token that is not valid), 403 (not allowed), 404 (no such record, or not in
the user's scope; a page past the end), 409 for a delete refused while other records
refer to the record, and 415 for a body the operation cannot read (a write). Operations
that declare an error answer of their own keep it.

Kept apart from the viewsets: DRF resolves ``DEFAULT_SCHEMA_CLASS`` lazily, but this module is
named in its settings and must not import ``rest_framework.views`` at import time.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

ERROR = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorDetail",
            fields={
                "status": serializers.IntegerField(),
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "fields": serializers.DictField(
                    child=serializers.ListField(child=serializers.CharField())
                ),
            },
        )
    },
)

ERROR_ANSWERS = {
    "400": "A query parameter or the body is malformed; the message names what.",
    "401": "Not signed in, or the token is not valid.",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such record, or not one the user may read.",
}
CONFLICT = {"409": "Other records still refer to it; the message says which."}
UNSUPPORTED = {"415": "The body is not of a media type the operation reads."}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema with Ayni's error answers added to every operation."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        answers = {
            **ERROR_ANSWERS,
            **(CONFLICT if self.method == "DELETE" else {}),
            **(UNSUPPORTED if self.method in ("POST", "PUT", "PATCH") else {}),
        }
        for code, description in answers.items():
            if code in responses:
                continue
            response = self._get_response_for_code(ERROR, code, direction=direction)
            response["description"] = description
            responses[code] = response
        return responses
