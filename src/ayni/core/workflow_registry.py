"""Every declared workflow, by name. Apart from ``core.workflow`` so that the event log model
(``core.models.WorkflowEvent``), which the engine writes, can name its states and steps without
importing the engine."""

from __future__ import annotations

from typing import Any

# name → ``core.workflow.Workflow``; filled as each app's workflows are declared.
declared: dict[str, Any] = {}


def workflow_named(name: str) -> Any:
    """The workflow called ``name``, or ``None``."""
    return declared.get(name)
