"""Viewsets whose querysets go through the one permission check."""

from __future__ import annotations

from typing import Any

from auditlog.context import auditlog_value
from django.db.models import QuerySet
from rest_framework import viewsets
from rest_framework.request import Request

from ayni.core.permissions import Action, scope


class AuditActorMixin:
    """Name the API user in the audit trail.

    The audit middleware runs before DRF authenticates a token, so for token requests it sees
    an anonymous user; once DRF knows the user, put them in the audit context of this request.
    """

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        try:
            context = auditlog_value.get()
        except LookupError:
            return
        if context.get("actor") is None and request.user.is_authenticated:
            context["actor"] = request.user


class ScopedViewSet(AuditActorMixin, viewsets.ModelViewSet):
    """A model viewset whose queryset holds only what the user may see.

    A record outside the user's scope answers 404 (its existence is not revealed); a record they
    may see but not change answers 403.
    """

    def get_queryset(self) -> QuerySet[Any]:
        return scope(self.request.user, Action.VIEW, super().get_queryset())


class ScopedReadOnlyViewSet(AuditActorMixin, viewsets.ReadOnlyModelViewSet):
    def get_queryset(self) -> QuerySet[Any]:
        return scope(self.request.user, Action.VIEW, super().get_queryset())
