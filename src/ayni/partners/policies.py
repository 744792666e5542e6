"""Who may see and edit organisations.

Country office staff and regional focal points read every organisation of their office; a
partner focal point or a donor viewer reads only their own organisation. Administrators and
programme managers add and edit organisations of their own office.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ayni.accounts.models import OFFICE_STAFF_ROLES, Role
from ayni.accounts.permissions import Action, Policy, register
from ayni.partners.models import Organisation

EDITORS = {Role.ADMINISTRATOR, Role.PROGRAMME_MANAGER}
READERS = OFFICE_STAFF_ROLES | {Role.REGIONAL_FOCAL_POINT}
OWN_ONLY = {Role.PARTNER_FOCAL_POINT, Role.DONOR_VIEWER}


@register(Organisation)
class OrganisationPolicy(Policy):
    def can(self, user: Any, action: Action) -> bool:
        if not user.is_authenticated or not user.country_office_id:
            return False
        if action == Action.VIEW:
            return user.role in READERS | OWN_ONLY
        return user.role in EDITORS

    def scope(self, user: Any, action: Action, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = queryset.filter(country_office_id=user.country_office_id)
        if user.role in OWN_ONLY:
            return queryset.filter(pk=user.organisation_id)
        return queryset
