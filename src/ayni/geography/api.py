from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.routers import BaseRouter

from ayni.core.params import int_param
from ayni.core.serializers import ProvenanceSerializer
from ayni.core.viewsets import ScopedReadOnlyViewSet, ScopedViewSet
from ayni.geography.models import Location, Zone
from ayni.geography.selectors import filter_places, location_search


class LocationSerializer(ProvenanceSerializer):
    country: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="iso2", read_only=True
    )
    level: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    # None for a country's national place, which has no parent.
    parent_code = serializers.CharField(
        source="parent.code", read_only=True, default=None, allow_null=True
    )
    has_boundary = serializers.SerializerMethodField()

    class Meta:
        model = Location
        fields = [
            "id",
            "country",
            "level",
            "code",
            "name",
            "parent",
            "parent_code",
            "iso_code",
            "capital",
            "latitude",
            "longitude",
            "area_km2",
            "altitude_m",
            "has_boundary",
            "source",
        ]
        read_only_fields = ["id", "country", "level", "code", "parent", "iso_code", "source"]

    def get_has_boundary(self, obj: Location) -> bool:
        return obj.boundary is not None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        lat = attrs.get("latitude", getattr(self.instance, "latitude", None))
        lon = attrs.get("longitude", getattr(self.instance, "longitude", None))
        if (lat is None) != (lon is None):
            raise serializers.ValidationError(
                {"latitude": "Give both latitude and longitude, or neither."}
            )
        if lat is not None and not -90 <= lat <= 90:
            raise serializers.ValidationError({"latitude": "Must be between -90 and 90."})
        if lon is not None and not -180 <= lon <= 180:
            raise serializers.ValidationError({"longitude": "Must be between -180 and 180."})
        return attrs


class LocationDetailSerializer(LocationSerializer):
    class Meta(LocationSerializer.Meta):
        fields = [*LocationSerializer.Meta.fields, "boundary"]
        read_only_fields = [*LocationSerializer.Meta.read_only_fields, "boundary"]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("country", OpenApiTypes.STR, description="ISO code, e.g. PE"),
            OpenApiParameter("level", OpenApiTypes.STR, description="slug of a level: department…"),
            OpenApiParameter("parent", OpenApiTypes.INT, description="id of the parent"),
            OpenApiParameter("code", OpenApiTypes.STR, description="exact national code"),
            OpenApiParameter("q", OpenApiTypes.STR, description="code prefix or name"),
        ]
    )
)
class LocationViewSet(ScopedViewSet):
    """Places. Everyone reads; administrators and regional focal points (inside their places)
    edit names, capitals and centroids. Codes, levels and parents come from the loaders."""

    queryset = Location.objects.select_related("country", "level", "parent")
    http_method_names = ["get", "patch", "put", "head", "options"]

    def get_serializer_class(self) -> type[serializers.ModelSerializer]:
        return LocationSerializer if self.action == "list" else LocationDetailSerializer

    def get_queryset(self) -> QuerySet[Location]:
        queryset = super().get_queryset()
        params = self.request.query_params
        queryset = filter_places(queryset, params)
        if (parent := int_param(params, "parent")) is not None:
            queryset = queryset.filter(parent_id=parent)
        if params.get("code"):
            queryset = queryset.filter(code=params["code"])
        return location_search(queryset, params.get("q", "")).order_by("country", "code")


class ZoneSerializer(ProvenanceSerializer):
    country: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="iso2", read_only=True
    )
    name = serializers.CharField(read_only=True)
    location_codes: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        source="locations", slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = Zone
        fields = [
            "id",
            "country",
            "code",
            "kind",
            "scheme",
            "name",
            "name_es",
            "name_en",
            "location_codes",
            "source",
            "is_illustrative",
        ]


class ZoneViewSet(ScopedReadOnlyViewSet):
    """Named groups of places (macro-regions, ecological regions, programme focus)."""

    queryset = Zone.objects.select_related("country").prefetch_related("locations")
    serializer_class = ZoneSerializer


def register(router: BaseRouter) -> None:
    router.register("locations", LocationViewSet, basename="location")
    router.register("zones", ZoneViewSet, basename="zone")
