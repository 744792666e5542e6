"""How a service's refusal reads, for every caller.

Services refuse with Django's ``ValidationError``, naming the fields it concerns
(``ValidationError({"unicef_contribution": ["…"]})``); a refusal that concerns the record as a
whole names no field, or ``__all__``. ``service_errors`` is the one reading of it: the API's
exception handler (``core.api``) answers it as a 400, and forms and pages show it
(``core.forms``).
"""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import ProtectedError
from django.http import JsonResponse
from django.utils.translation import gettext as _


def service_errors(exc: ValidationError) -> dict[str | None, list[str]]:
    """``{field: [messages]}``; the key ``None`` holds what names no field."""
    if not hasattr(exc, "error_dict"):
        return {None: list(exc.messages)}
    errors: dict[str | None, list[str]] = {}
    for name, messages in exc.message_dict.items():
        errors.setdefault(None if name == NON_FIELD_ERRORS else name, []).extend(messages)
    return errors


def protected_message(exc: ProtectedError) -> str:
    """Why a delete was refused: what still refers to the record, counted by kind."""
    counts = Counter(str(obj._meta.verbose_name_plural) for obj in exc.protected_objects)
    using = ", ".join(f"{name} ({count})" for name, count in sorted(counts.items()))
    return _("It cannot be deleted while other records refer to it: %(using)s.") % {"using": using}


def api_error(
    status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
) -> JsonResponse:
    """An error answer of the API in its one format (the body ``core.api.exception_handler``
    gives, documented as ``Error`` in the schema), for what is answered before or outside DRF:
    a query string holding NUL, an address under /api/ that matches no endpoint."""
    body = {"status": status, "code": code, "message": message, "fields": fields or {}}
    return JsonResponse({"error": body}, status=status)
