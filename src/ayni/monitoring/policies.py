"""Who may see and change indicators and data.

Indicators, their values, sources and targets describe the situation of children: public
information, readable by everyone. The users of a country office work on their own country:
they read the values and targets of its places only (the public reads every country's).
Administrators and M&E officers change them and import data for the places of their office's
country: starting an import (page, API) is the action ``IMPORT`` ("import") of the data value
policy."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ayni.core.permissions import Action, Policy, office_id_of, register
from ayni.core.roles import Role
from ayni.monitoring.models import (
    DataSource,
    DataValue,
    Dimension,
    DimensionValue,
    Indicator,
    IndicatorCode,
    Target,
)

WRITERS = {Role.ADMINISTRATOR, Role.ME_OFFICER}
# The action of ``PlaceDataPolicy`` for data values: start an import of values.
IMPORT = "import"


class PublicDataPolicy(Policy):
    def can(self, user: Any, action: str) -> bool:
        if action == Action.VIEW:
            return True
        return office_id_of(user) is not None and user.role in WRITERS

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset


for _model in (DataSource, Dimension, DimensionValue, Indicator, IndicatorCode):
    register(_model)(PublicDataPolicy)


class PlaceDataPolicy(PublicDataPolicy):
    """Values and targets belong to a place: an office's users read and change those of their
    office's country; everyone else reads all of them."""

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if action == Action.VIEW and office_id_of(user) is None:
            return queryset
        return queryset.filter(location__country_id=user.country_office.country_id)


register(Target)(PlaceDataPolicy)


@register(DataValue)
class DataValuePolicy(PlaceDataPolicy):
    actions = frozenset({IMPORT})
