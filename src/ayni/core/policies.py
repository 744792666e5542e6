"""Who sees jobs, import batches and workflow events: a job is its starter's (and
superusers'); import batches are read by administrators and M&E officers of the office of
whoever ran them; a record's workflow events by whoever may read its history (the workflow's
``history_action`` on the record's own policy).

Any signed-in user may start jobs (``ADD``): each kind checks its own right (importing is
adding data values, an export reads what its list page shows) when it starts and again when
it is retried or runs."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from ayni.core import jobs
from ayni.core.models import ImportBatch, Job, WorkflowEvent
from ayni.core.permissions import Action, Policy, has_perm, office_id_of, register, scope
from ayni.core.roles import Role

# The action of ``JobPolicy``: run a failed job again.
RETRY = "retry"
BATCH_READERS = {Role.ADMINISTRATOR, Role.ME_OFFICER}


@register(Job)
class JobPolicy(Policy):
    """``RETRY`` ("retry"): run a failed job again, by its starter, while the job's kind still
    lets them start it with its parameters (may this user import, read these records?)."""

    actions = frozenset({RETRY})

    def can(self, user: Any, action: str) -> bool:
        return bool(user.is_authenticated and action in {Action.VIEW, Action.ADD, RETRY})

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(created_by=user)

    def allows(self, user: Any, action: str, obj: Any) -> bool:
        if not super().allows(user, action, obj):
            return False
        if action != RETRY:
            return True
        kind = jobs.KINDS.get(obj.kind)
        may_start = kind.may_start if kind is not None else None
        return may_start is None or may_start(user, obj.payload)


@register(ImportBatch)
class ImportBatchPolicy(Policy):
    def can(self, user: Any, action: str) -> bool:
        return bool(
            action == Action.VIEW and office_id_of(user) is not None and user.role in BATCH_READERS
        )

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(created_by__country_office_id=user.country_office_id)


@register(WorkflowEvent)
class WorkflowEventPolicy(Policy):
    """Read-only: events are written by ``core.workflow.Workflow.take`` alone."""

    def can(self, user: Any, action: str) -> bool:
        return bool(user.is_authenticated and action == Action.VIEW)

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        from ayni.core.workflow import workflows

        visible = Q(pk__in=[])
        for workflow in workflows():
            if not has_perm(user, workflow.history_action, workflow.model):
                continue
            records = scope(user, workflow.history_action, workflow.model._default_manager.all())
            visible |= Q(
                content_type=ContentType.objects.get_for_model(workflow.model),
                workflow=workflow.name,
                object_id__in=records.values("pk"),
            )
        return queryset.filter(visible)
