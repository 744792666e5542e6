"""API conventions every endpoint shares: pagination and one error format.

Services refuse with Django's ``ValidationError`` naming fields (``core.errors``); the handler
answers it as a 400 in the same format as the serializers' own errors, so views and serializers
call services without translating their errors (a refusal that names no field, or ``__all__``,
is reported under ``non_field_errors``).

Kept apart from the viewsets (``core.viewsets``): DRF imports the classes its settings name
while it loads its own views, so this module must not import ``rest_framework.views``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from ayni.core.errors import protected_message, service_errors
from ayni.core.params import InvalidParameter


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = _("The record is still in use.")


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF nests field errors; clients want ``{"field.sub": ["message"]}``."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, name))
        return out
    if isinstance(detail, list) and detail and isinstance(detail[0], (dict, list)):
        out = {}
        for index, value in enumerate(detail):
            out.update(_flatten(value, f"{prefix}[{index}]"))
        return out
    items = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(item) for item in items]}


def validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A service's refusal as DRF's error, naming the same fields."""
    return exceptions.ValidationError(
        {
            (api_settings.NON_FIELD_ERRORS_KEY if name is None else name): messages
            for name, messages in service_errors(exc).items()
        }
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error answers ``{"error": {"status", "code", "message", "fields"}}``."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = validation_error(exc)
    elif isinstance(exc, InvalidParameter):
        exc = exceptions.ValidationError({exc.name: [exc.message]})
    elif isinstance(exc, ProtectedError):
        exc = Conflict(protected_message(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if not isinstance(exc, exceptions.APIException):  # DRF answered only for its own errors
        return response
    fields: dict[str, list[str]] = {}
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        message = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in fields.items())
        code = "invalid"
    else:
        message = str(exc.detail)
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
    response.data = {
        "error": {
            "status": response.status_code,
            "code": code,
            "message": message,
            "fields": fields,
        }
    }
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        response["WWW-Authenticate"] = 'Token realm="api"'
    return response
