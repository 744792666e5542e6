"""Who may do what with geography.

Places are public reference data: anyone, signed in or not, may read them. Administrators of a
country office edit the places of their country; a regional focal point edits only the places
assigned to them and everything inside those places.

``PICK`` ("pick") is the action of choosing a place or a zone for a record of one's office (an
agreement's places, a workplan's region, a result's zones): any office user picks among those
of their office's country, never another country's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ayni.core.permissions import Action, Policy, office_id_of, register
from ayni.core.roles import Role
from ayni.geography.models import AdminLevel, Country, Location, Zone
from ayni.geography.selectors import within


def _office_country_id(user: Any) -> int | None:
    office = getattr(user, "country_office", None)
    return office.country_id if office else None


class PublicReferencePolicy(Policy):
    """Readable by everyone; written by the administrators of the country's office."""

    country_lookup = "country_id"

    def can(self, user: Any, action: str) -> bool:
        if action == Action.VIEW:
            return True
        return bool(user.is_authenticated and user.role == Role.ADMINISTRATOR)

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if action == Action.VIEW:
            return queryset
        return queryset.filter(**{self.country_lookup: _office_country_id(user)})


@register(Country)
class CountryPolicy(PublicReferencePolicy):
    country_lookup = "id"


register(AdminLevel)(PublicReferencePolicy)

PICK = "pick"


class PlacePolicy(PublicReferencePolicy):
    """Places and zones: read by everyone, picked by office users in their own country."""

    actions = frozenset({PICK})

    def can(self, user: Any, action: str) -> bool:
        if action == PICK:
            return office_id_of(user) is not None
        return super().can(user, action)

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if action == PICK:
            return queryset.filter(**{self.country_lookup: _office_country_id(user)})
        return super().scope(user, action, queryset)


register(Zone)(PlacePolicy)


@register(Location)
class LocationPolicy(PlacePolicy):
    def can(self, user: Any, action: str) -> bool:
        if (
            action == Action.CHANGE
            and user.is_authenticated
            and user.role == Role.REGIONAL_FOCAL_POINT
        ):
            return True
        return super().can(user, action)

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if action == Action.CHANGE and user.role == Role.REGIONAL_FOCAL_POINT:
            return within(queryset, user.locations.all())
        return super().scope(user, action, queryset)
