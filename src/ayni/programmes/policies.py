"""Who may see and change programmes, results and workplans.

Office staff read everything of their office's programmes; regional focal points and donor
viewers read the programme and its results framework (what their region or money serves);
partner focal points see their own agreements instead, not the programme. Administrators and
programme managers change programmes, results and workplans. Frameworks, approaches and focus
populations are reference data anyone may read.

A programme's planned total is a figure of the whole office's budget: it is the action
``VIEW_FIGURES`` of the programme policy, allowed to those who read every budget line of their
office (office staff and regional focal points; not a donor viewer, who reads the budget of
the results their grants fund only). The API leaves the field out for the others.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from ayni.core.permissions import Action, Policy, office_id_of, register
from ayni.core.roles import OFFICE_STAFF_ROLES, Role
from ayni.programmes.models import (
    Approach,
    CountryProgramme,
    FocusPopulation,
    Framework,
    FrameworkGoal,
    Result,
    Workplan,
    WorkplanActivity,
)

EDITORS = {Role.ADMINISTRATOR, Role.PROGRAMME_MANAGER}
READERS = OFFICE_STAFF_ROLES | {Role.REGIONAL_FOCAL_POINT, Role.DONOR_VIEWER}
# The action of ``ProgrammePolicy``: reads the programme's figures (its planned total).
VIEW_FIGURES = "view_figures"
FIGURE_READERS = OFFICE_STAFF_ROLES | {Role.REGIONAL_FOCAL_POINT}


class OfficePolicy(Policy):
    """Records reached from a country office through ``office_lookup``."""

    office_lookup = "country_office_id"
    readers: frozenset[str] | set[str] = READERS

    def can(self, user: Any, action: str) -> bool:
        if office_id_of(user) is None:
            return False
        if action == Action.VIEW:
            return user.role in self.readers
        return user.role in EDITORS

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(**{self.office_lookup: user.country_office_id})


@register(CountryProgramme)
class ProgrammePolicy(OfficePolicy):
    actions = frozenset({VIEW_FIGURES})

    def can(self, user: Any, action: str) -> bool:
        if action == VIEW_FIGURES:
            return office_id_of(user) is not None and user.role in FIGURE_READERS
        return super().can(user, action)


@register(Result)
class ResultPolicy(OfficePolicy):
    office_lookup = "programme__country_office_id"


@register(Workplan)
class WorkplanPolicy(OfficePolicy):
    office_lookup = "programme__country_office_id"
    readers = OFFICE_STAFF_ROLES | {Role.REGIONAL_FOCAL_POINT}

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().scope(user, action, queryset)
        if user.role == Role.REGIONAL_FOCAL_POINT:
            # A regional focal point sees the workplans of their own regions only.
            inside = Q(pk__in=[])
            for path in user.locations.values_list("path", flat=True):
                inside |= Q(region__path__startswith=path)
            return queryset.filter(inside)
        return queryset


@register(WorkplanActivity)
class WorkplanActivityPolicy(WorkplanPolicy):
    office_lookup = "workplan__programme__country_office_id"

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if user.role == Role.REGIONAL_FOCAL_POINT:
            workplans = WorkplanPolicy().scope(user, action, Workplan.objects.all())
            return queryset.filter(workplan__in=workplans)
        return OfficePolicy.scope(self, user, action, queryset)


class ReferencePolicy(Policy):
    def can(self, user: Any, action: str) -> bool:
        if action == Action.VIEW:
            return True
        return bool(user.is_authenticated and user.role == Role.ADMINISTRATOR)

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset


for _model in (Framework, FrameworkGoal, Approach, FocusPopulation):
    register(_model)(ReferencePolicy)
