"""The one permission check.

Every web view, API endpoint and command asks here whether a user may act on a model or a
record (``has_perm``/``require``) and which records they may see (``scope``). Each domain
declares a ``Policy`` for each of its models in its ``policies.py``; a model without a policy is
refused to everyone but superusers, so a forgotten declaration fails closed.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet

M = TypeVar("M", bound=models.Model)


class Action(StrEnum):
    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"


class Policy:
    """Who may do what with one model. Subclasses override ``scope`` and ``can``.

    ``scope`` narrows a queryset to the records a user may act on; ``can`` answers for the model
    as a whole (may this user add at all? may they list at all?). Record checks use ``scope``,
    so the rule for a list and the rule for one record can never disagree.
    """

    def can(self, user: Any, action: Action) -> bool:
        return False

    def scope(self, user: Any, action: Action, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.none()

    def allows(self, user: Any, action: Action, obj: models.Model) -> bool:
        if not self.can(user, action):
            return False
        model = type(obj)
        return self.scope(user, action, model._default_manager.filter(pk=obj.pk)).exists()


_policies: dict[type[models.Model], Policy] = {}


def register(model: type[models.Model]) -> Callable[[type[Policy]], type[Policy]]:
    def decorator(policy_class: type[Policy]) -> type[Policy]:
        _policies[model] = policy_class()
        return policy_class

    return decorator


def policy_for(model: type[models.Model]) -> Policy:
    return _policies.get(model, Policy())


def _is_superuser(user: Any) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_superuser", False))


def has_perm(user: Any, action: Action | str, target: models.Model | type[models.Model]) -> bool:
    """May ``user`` do ``action`` on a record (instance) or on a model (class)?"""
    action = Action(action)
    if _is_superuser(user):
        return True
    if isinstance(target, type):
        return policy_for(target).can(user, action)
    return policy_for(type(target)).allows(user, action, target)


def require(user: Any, action: Action | str, target: models.Model | type[models.Model]) -> None:
    if not has_perm(user, action, target):
        raise PermissionDenied


def scope(user: Any, action: Action | str, queryset: QuerySet[M]) -> QuerySet[M]:
    """The records of ``queryset`` that ``user`` may ``action``."""
    action = Action(action)
    if _is_superuser(user):
        return queryset
    policy = policy_for(queryset.model)
    if not policy.can(user, action):
        return queryset.none()
    return policy.scope(user, action, queryset)
