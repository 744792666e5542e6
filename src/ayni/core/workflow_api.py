"""The API's side of the workflow engine: the body of a step (``date``, ``reason``,
``confirm``), the event log as JSON, and a ``history`` action for each record's viewset.

Kept apart from ``core.api`` (which DRF imports while loading its own views)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ayni.core.models import WorkflowEvent
from ayni.core.permissions import has_perm
from ayni.core.workflow import Workflow, history


class StepSerializer(serializers.Serializer):
    """What a step takes besides its name. Steps that cannot be undone need
    ``"confirm": true``; ``date`` is the day the step took effect (default today)."""

    date = serializers.DateField(
        required=False, allow_null=True, help_text="The day the step took effect (default today)."
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Must be true for steps that cannot be undone.",
    )


class WorkflowEventSerializer(serializers.ModelSerializer):
    actor: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = WorkflowEvent
        fields = [
            "id",
            "workflow",
            "transition",
            "from_state",
            "to_state",
            "actor",
            "reason",
            "effective_date",
            "recorded_at",
        ]


class WorkflowViewSetMixin:
    """For the viewset of a model with a workflow: ``GET …/{id}/history/`` answers the
    record's event log (403 for those who may see the record but not its history), and
    ``require_step`` refuses a step the user may not take (403) before the service runs."""

    workflow: Workflow
    request: Any
    # Provided by the viewset this is mixed into (annotations only: nothing is overridden).
    get_object: Callable[[], Any]
    permission_denied: Callable[..., Any]

    def require_step(self, record: Any, name: str) -> None:
        if name in self.workflow and not has_perm(self.request.user, name, record):
            self.permission_denied(self.request)

    @extend_schema(request=None, responses=WorkflowEventSerializer(many=True))
    # Every step at once, never a page of them: no paginator (the schema said one).
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request: Request, pk: str | None = None) -> Response:
        """The record's workflow steps, in the order they were taken, each with the date it
        took effect, who took it and why."""
        record = self.get_object()
        if not has_perm(request.user, self.workflow.history_action, record):
            self.permission_denied(request)
        return Response(WorkflowEventSerializer(history(record), many=True).data)
