"""Studies and evaluations are read by everyone who works with the office (partners and donors
included: evidence is meant to be shared) and written by office administrators, programme
managers and M&E officers."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ayni.core.permissions import Action, Policy, office_id_of, register
from ayni.core.roles import Role
from ayni.evidence.models import Study

WRITERS = {Role.ADMINISTRATOR, Role.PROGRAMME_MANAGER, Role.ME_OFFICER}


@register(Study)
class StudyPolicy(Policy):
    def can(self, user: Any, action: str) -> bool:
        if office_id_of(user) is None:
            return False
        return action == Action.VIEW or user.role in WRITERS

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(country_office_id=user.country_office_id)
