"""The DRF permission class of the one permission check.

Kept apart from the viewsets: DRF imports its default permission classes while it loads its
own views, so this module must not import ``rest_framework.views`` or ``viewsets``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db.models import Model
from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import parsers, permissions, throttling
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.request import Request

from ayni.core.permissions import Action, has_perm

METHOD_ACTIONS = {
    "GET": Action.VIEW,
    "HEAD": Action.VIEW,
    "OPTIONS": Action.VIEW,
    "POST": Action.ADD,
    "PUT": Action.CHANGE,
    "PATCH": Action.CHANGE,
    "DELETE": Action.DELETE,
}


def _model_of(view: Any) -> type[Model] | None:
    queryset = getattr(view, "queryset", None)
    return queryset.model if queryset is not None else None


class AyniPermission(permissions.BasePermission):
    """Asks ``ayni.core.permissions`` for the model (list, create) and for the record.

    The method names the action (GET: view, POST: add…). A viewset whose action is another
    policy action declares it: ``permission_actions = {"create": (DataValue, "import")}`` asks
    ``has_perm(user, "import", DataValue)`` before ``create``, never a check of its own.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        declared = getattr(view, "permission_actions", {}).get(getattr(view, "action", None))
        if declared is not None:
            target, policy_action = declared
            return has_perm(request.user, policy_action, target)
        model = _model_of(view)
        if model is None:
            # Views without a model (the schema and its docs) are public and read-only.
            return request.method in permissions.SAFE_METHODS
        action = METHOD_ACTIONS.get(request.method or "GET", Action.CHANGE)
        # Changing or deleting one record is decided on that record, in has_object_permission.
        if action in {Action.CHANGE, Action.DELETE}:
            return has_perm(request.user, Action.VIEW, model)
        return has_perm(request.user, action, model)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        action = METHOD_ACTIONS.get(request.method or "GET", Action.CHANGE)
        return has_perm(request.user, action, obj)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing (400) a body nested deeper than ``AYNI_MAX_JSON_DEPTH``
    before ``json.loads``, which recurses once per level (a deep body exhausted the stack
    and answered 500)."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        # Imported here: this module is loaded with DRF's settings, before the models.
        from ayni.core.imports import JsonTooDeep, check_json_depth_stream

        body = stream.read() if stream is not None else b""
        try:
            check_json_depth_stream(io.BytesIO(body))
        except JsonTooDeep as exc:
            raise ParseError(
                _("JSON parse error - nested deeper than %(limit)s levels at byte %(offset)s")
                % {"limit": exc.limit, "offset": exc.offset}
            ) from None
        return _refuse_nul(super().parse(io.BytesIO(body), media_type, parser_context))


class FormParser(parsers.FormParser):
    """DRF's form parser, refusing (400) a NUL character in a field (see ``_refuse_nul``)."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        return _refuse_nul(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser, refusing (400) a NUL character in a field's name or value (the
    files themselves are read by their importers, which check them)."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        _refuse_nul(parsed.data)
        return parsed


def _refuse_nul(data: Any, path: str = "") -> Any:
    """``data`` unchanged, or a 400 naming the field whose name or text holds a NUL character.

    No text column stores one (PostgreSQL refuses it), so it can be no name, code or filter;
    let through, it reached the database in a look-up and answered 500."""
    if isinstance(data, str):
        if "\x00" in data:
            raise ValidationError({path or "body": [_("The value holds a NUL character.")]})
        return data
    if isinstance(data, QueryDict):
        children: Iterable[tuple[str, Any]] = (
            (str(key), value) for key in data for value in data.getlist(key)
        )
    elif isinstance(data, dict):
        children = ((str(key), value) for key, value in data.items())
    elif isinstance(data, list):
        children = ((str(index), item) for index, item in enumerate(data))
    else:
        return data
    for key, value in children:
        name = key if isinstance(data, QueryDict) or not path else f"{path}.{key}"
        if "\x00" in key:
            raise ValidationError(
                {name.replace("\x00", ""): [_("The name holds a NUL character.")]}
            )
        _refuse_nul(value, name)
    return data


class _ClientAddress:
    """Anonymous callers are counted by the client's address as ``core.network`` reads it
    (the same reading as the lock-out and the security log)."""

    def get_ident(self, request: Request) -> str:
        from ayni.core.network import client_ip

        return client_ip(request)


class UserRateThrottle(_ClientAddress, throttling.UserRateThrottle):
    """At most ``AYNI_API_RATE_USER`` calls per signed-in user (read when asked, not at
    import, so that the setting can change without reloading DRF's settings)."""

    def get_rate(self) -> str | None:
        return settings.AYNI_API_RATE_USER


class AnonRateThrottle(_ClientAddress, throttling.AnonRateThrottle):
    """At most ``AYNI_API_RATE_ANON`` anonymous calls per client address."""

    def get_rate(self) -> str | None:
        return settings.AYNI_API_RATE_ANON
