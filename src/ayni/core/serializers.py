"""Serializer building blocks every API shares.

``ScopedSerializerMixin`` limits the related fields of a serializer to what the requesting user
may pick, through the one permission check: an id of another country office's record reads as
unknown ("Invalid pk"), exactly as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField

from ayni.core.permissions import Action, scope


class ScopedSerializerMixin:
    """Passes the queryset of every writable related field (``PrimaryKeyRelatedField``,
    ``SlugRelatedField``, and the child of a ``many=True`` field) through
    ``scope(request.user, action, queryset)``; ``Action.VIEW`` unless ``scope_actions`` names
    another action for the field. Without a request (output only) nothing can be picked."""

    scope_actions: Mapping[str, str] = {}
    context: dict[str, Any]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields: dict[str, serializers.Field] = super().get_fields()  # type: ignore[misc]
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for name, field in fields.items():
            relation = field.child_relation if isinstance(field, ManyRelatedField) else field
            if not isinstance(relation, RelatedField) or relation.queryset is None:
                continue  # read-only, or not a relation
            queryset = relation.queryset.all()
            action = self.scope_actions.get(name, Action.VIEW)
            relation.queryset = queryset.none() if user is None else scope(user, action, queryset)
        return fields
