"""Who may see and edit organisations, agreements, partner reports and agreement history.

Everything is scoped by country office first.

- Organisations: office staff and regional focal points read every organisation of their office;
  a partner focal point or a donor viewer reads only their own organisation. Administrators and
  programme managers add and edit organisations of their office.
- Agreements: office staff read all of their office; a regional focal point reads only the
  agreements located inside the places assigned to them; a partner focal point reads only their
  own organisation's agreements; donor viewers read none. Administrators and programme managers
  add and change them.
- Reporting progress on an agreement is the action ``REPORT`` ("report") of the agreement
  policy: administrators and programme managers on any agreement of their office, a partner
  focal point on their own organisation's (whether the agreement's status allows reports is
  the service's rule, not a permission).
- Workflow steps are actions of these policies: the agreement's transitions (``"sign"``,
  ``"terminate"``, …) and the report's (``"submit"``, ``"accept"``, ``"return"``), each allowed
  to the roles ``partners.workflow`` names for it, on the records of the user's scope. Asked as
  ``has_perm(user, "sign", agreement)`` by views, the API and commands before they call the
  service (services do not check who may).
- Partner reports and agreement history (``"view_history"``): office staff read all of their
  office; a partner focal point reads those of their own organisation's agreements. Partner
  focal points add, change and submit reports of their own organisation's agreements;
  administrators and programme managers may too (a report received on paper), and only they
  accept or return reports. Regional focal points and donor viewers read neither.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from ayni.core.permissions import (
    Action,
    Policy,
    office_id_of,
    register,
    same_office,
)
from ayni.core.roles import OFFICE_STAFF_ROLES, Role
from ayni.partners.models import Agreement, Organisation, PartnerReport
from ayni.partners.workflow import AGREEMENT, PARTNER_REPORT

EDITORS = frozenset({Role.ADMINISTRATOR, Role.PROGRAMME_MANAGER})
READERS = OFFICE_STAFF_ROLES | {Role.REGIONAL_FOCAL_POINT}
OWN_ONLY = {Role.PARTNER_FOCAL_POINT, Role.DONOR_VIEWER}
# Who reads the history of an agreement (its workflow events) and its reports.
HISTORY_READERS = OFFICE_STAFF_ROLES | {Role.PARTNER_FOCAL_POINT}
VIEW_HISTORY = "view_history"


# The action of ``AgreementPolicy``: add a progress report to the agreement.
REPORT = "report"


def _in_office(user: Any) -> bool:
    return office_id_of(user) is not None


@register(Organisation)
class OrganisationPolicy(Policy):
    def can(self, user: Any, action: str) -> bool:
        if not _in_office(user):
            return False
        if action == Action.VIEW:
            return user.role in READERS | OWN_ONLY
        return user.role in EDITORS

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = queryset.filter(country_office_id=user.country_office_id)
        if user.role in OWN_ONLY:
            return queryset.filter(pk=user.organisation_id)
        return queryset


def located_within(user: Any, prefix: str = "") -> Q:
    """Agreements with at least one location inside one of ``user``'s assigned places.

    "Inside" is a prefix match on the materialised location path, as in
    ``geography.selectors.within``; a subquery keeps the outer query free of duplicates.
    """
    paths = list(user.locations.values_list("path", flat=True))
    inside = Q(pk__in=[])
    for path in paths:
        inside |= Q(location__path__startswith=path)
    ids = Agreement.locations.through.objects.filter(inside).values("agreement_id")
    return Q(**{f"{prefix}pk__in": ids})


@register(Agreement)
class AgreementPolicy(Policy):
    actions = AGREEMENT.actions | {REPORT, VIEW_HISTORY}

    def can(self, user: Any, action: str) -> bool:
        if not _in_office(user):
            return False
        if action == REPORT:
            # ``scope`` then gives editors their office's agreements, a partner their own.
            return user.role in EDITORS or bool(
                user.role == Role.PARTNER_FOCAL_POINT and user.organisation_id
            )
        if action in AGREEMENT:
            return AGREEMENT.role_may(user, action)
        if action == VIEW_HISTORY:
            return user.role in HISTORY_READERS
        if action == Action.VIEW:
            return user.role in READERS | {Role.PARTNER_FOCAL_POINT}
        if action == Action.DELETE:
            # Agreements are ended or terminated, never deleted: the history must stay.
            return False
        return user.role in EDITORS

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = queryset.filter(country_office_id=user.country_office_id)
        if user.role in OFFICE_STAFF_ROLES:
            return queryset
        if user.role == Role.PARTNER_FOCAL_POINT:
            return queryset.filter(organisation_id=user.organisation_id)
        if user.role == Role.REGIONAL_FOCAL_POINT:
            return queryset.filter(located_within(user))
        return queryset.none()

    def allows(self, user: Any, action: str, obj: Any) -> bool:
        if action in AGREEMENT:
            # The roles that take steps are office staff, whose scope is their whole office:
            # the same rule as ``scope``, answered without a query (lists show each row's
            # steps).
            return self.can(user, action) and same_office(user, obj.country_office_id)
        return super().allows(user, action, obj)


class _ByAgreementPolicy(Policy):
    """Records that belong to an agreement: read by office staff and by the agreement's own
    partner focal point."""

    def can(self, user: Any, action: str) -> bool:
        return _in_office(user) and action == Action.VIEW and user.role in self.readers()

    def readers(self) -> frozenset[str]:
        return HISTORY_READERS

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = queryset.filter(agreement__country_office_id=user.country_office_id)
        if user.role in OFFICE_STAFF_ROLES:
            return queryset
        if user.role == Role.PARTNER_FOCAL_POINT:
            return queryset.filter(agreement__organisation_id=user.organisation_id)
        return queryset.none()


@register(PartnerReport)
class PartnerReportPolicy(_ByAgreementPolicy):
    actions = PARTNER_REPORT.actions

    def can(self, user: Any, action: str) -> bool:
        if not _in_office(user):
            return False
        if action in PARTNER_REPORT:
            return PARTNER_REPORT.role_may(user, action)
        if action in {Action.ADD, Action.CHANGE}:
            return user.role in EDITORS | {Role.PARTNER_FOCAL_POINT}
        if action == Action.DELETE:
            return False
        return user.role in self.readers()

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().scope(user, action, queryset)
        if action != Action.VIEW and user.role not in EDITORS | {Role.PARTNER_FOCAL_POINT}:
            return queryset.none()
        return queryset
