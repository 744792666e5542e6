"""Who sees jobs and import batches: a job is its starter's (and superusers'); import
batches are read by administrators and M&E officers of the office of whoever ran them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ayni.core.models import ImportBatch, Job
from ayni.core.permissions import Action, Policy, office_id_of, register
from ayni.core.roles import Role

BATCH_READERS = {Role.ADMINISTRATOR, Role.ME_OFFICER}


@register(Job)
class JobPolicy(Policy):
    def can(self, user: Any, action: str) -> bool:
        return bool(user.is_authenticated and action == Action.VIEW)

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(created_by=user)


@register(ImportBatch)
class ImportBatchPolicy(Policy):
    def can(self, user: Any, action: str) -> bool:
        return bool(
            action == Action.VIEW and office_id_of(user) is not None and user.role in BATCH_READERS
        )

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(created_by__country_office_id=user.country_office_id)
