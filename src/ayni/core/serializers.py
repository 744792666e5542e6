"""Serializer parts shared by every domain's API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ayni.core.models import Provenance


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
