from __future__ import annotations

from rest_framework import serializers
from rest_framework.routers import BaseRouter

from ayni.accounts.api import ScopedViewSet
from ayni.partners.models import Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "acronym",
            "type",
            "country",
            "iati_identifier",
            "website",
            "source",
            "is_illustrative",
        ]

    def create(self, validated_data: dict) -> Organisation:
        validated_data["country_office"] = self.context["request"].user.country_office
        return super().create(validated_data)


class OrganisationViewSet(ScopedViewSet):
    """Organisations of the user's country office; partners and donors see only their own."""

    queryset = Organisation.objects.all()
    serializer_class = OrganisationSerializer


def register(router: BaseRouter) -> None:
    router.register("organisations", OrganisationViewSet, basename="organisation")
