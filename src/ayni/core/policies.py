"""Who sees jobs and import batches: a job is its starter's (and superusers'); import
batches are read by administrators and M&E officers of the office of whoever ran them.

Any signed-in user may start jobs (``ADD``): each kind checks its own right (importing is
adding data values, an export reads what its list page shows) when it starts and again when
it is retried or runs."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ayni.accounts.models import Role
from ayni.accounts.permissions import Action, Policy, register
from ayni.core.models import ImportBatch, Job

BATCH_READERS = {Role.ADMINISTRATOR, Role.ME_OFFICER}


@register(Job)
class JobPolicy(Policy):
    def can(self, user: Any, action: Action) -> bool:
        return bool(user.is_authenticated and action in {Action.VIEW, Action.ADD})

    def scope(self, user: Any, action: Action, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(created_by=user)


@register(ImportBatch)
class ImportBatchPolicy(Policy):
    def can(self, user: Any, action: Action) -> bool:
        return bool(
            user.is_authenticated
            and action == Action.VIEW
            and user.role in BATCH_READERS
            and user.country_office_id
        )

    def scope(self, user: Any, action: Action, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(created_by__country_office_id=user.country_office_id)
