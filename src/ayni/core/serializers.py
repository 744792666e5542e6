"""Serializer building blocks every API shares.

``ScopedSerializerMixin`` limits the related fields of a serializer to what the requesting user
may pick, through the one permission check: an id of another country office's record reads as
unknown ("Invalid pk"), exactly as if it did not exist. ``ProvenanceSerializer`` (with
``ProvenanceField``) says where a record comes from, the same way on every API.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField

from ayni.core.models import Provenance
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


@extend_schema_field(
    {
        "type": "object",
        "description": "Where the record comes from, as its page shows it.",
        "properties": {
            "status": {"type": "string", "enum": [s.value for s in Provenance.ProvenanceStatus]},
            "label": {"type": "string"},
            "source": {"type": "string"},
            "is_illustrative": {"type": "boolean"},
            "is_cited": {"type": "boolean"},
        },
        "required": ["status", "label", "source", "is_illustrative", "is_cited"],
    }
)
class ProvenanceField(serializers.Field):
    """Read-only: the record's provenance status, its label in the request's language (the
    badge text pages show), the source and the two flags."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Provenance) -> dict[str, Any]:
        return {
            "status": value.provenance_status,
            "label": value.provenance_label,
            "source": value.source,
            "is_illustrative": value.is_illustrative,
            "is_cited": value.is_cited,
        }


class ProvenanceSerializer(serializers.ModelSerializer):
    """Base of the serializers of ``Provenance`` models: adds the read-only ``provenance``
    object to the fields the subclass lists, so that every such API record says where it
    comes from the same way (its writable ``source`` and ``is_illustrative`` stay as listed)."""

    provenance = ProvenanceField()

    def get_field_names(self, declared_fields: Any, info: Any) -> list[str]:
        names = list(super().get_field_names(declared_fields, info))
        return names if "provenance" in names else [*names, "provenance"]
