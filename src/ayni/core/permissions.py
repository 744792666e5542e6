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
    """The actions every model has. A policy may declare more (``Policy.actions``): a rule
    such as "may review this report" is an action of the report's policy, asked through
    ``has_perm`` like any other, never a function of its own beside the policies."""

    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"


STANDARD_ACTIONS = frozenset(Action)


def is_active_superuser(user: Any) -> bool:
    """An active superuser may do everything; an inactive one nothing."""
    return bool(getattr(user, "is_active", False) and getattr(user, "is_superuser", False))


def office_id_of(user: Any) -> int | None:
    """The country office a signed-in user works in (``None`` for anonymous and office-less)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "country_office_id", None)


def same_office(user: Any, office_id: int | None) -> bool:
    """Does ``user`` work in the country office ``office_id``?"""
    own = office_id_of(user)
    return own is not None and own == office_id


class Policy:
    """Who may do what with one model. Subclasses override ``scope`` and ``can``.

    ``actions`` names the actions of the model beyond the standard four (e.g. ``"review"``);
    asking for an action a policy does not declare is a programming error and raises.

    ``scope`` narrows a queryset to the records a user may act on; ``can`` answers for the model
    as a whole (may this user add at all? may they list at all?). Record checks use ``scope``,
    so the rule for a list and the rule for one record can never disagree.
    """

    actions: frozenset[str] = frozenset()

    def can(self, user: Any, action: str) -> bool:
        return False

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.none()

    def allows(self, user: Any, action: str, obj: models.Model) -> bool:
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


def _checked(policy: Policy, model: type[models.Model], action: Action | str) -> str:
    name = str(action)
    if name not in STANDARD_ACTIONS and name not in policy.actions:
        raise ValueError(f"{model.__name__} has no action {name!r}")
    return name


def has_perm(user: Any, action: Action | str, target: models.Model | type[models.Model]) -> bool:
    """May ``user`` do ``action`` on a record (instance) or on a model (class)?"""
    model = target if isinstance(target, type) else type(target)
    policy = policy_for(model)
    name = _checked(policy, model, action)
    if is_active_superuser(user):
        return True
    if isinstance(target, type):
        return policy.can(user, name)
    return policy.allows(user, name, target)


def require(user: Any, action: Action | str, target: models.Model | type[models.Model]) -> None:
    if not has_perm(user, action, target):
        raise PermissionDenied


def scope(user: Any, action: Action | str, queryset: QuerySet[M]) -> QuerySet[M]:
    """The records of ``queryset`` that ``user`` may ``action``."""
    policy = policy_for(queryset.model)
    name = _checked(policy, queryset.model, action)
    if is_active_superuser(user):
        return queryset
    if not policy.can(user, name):
        return queryset.none()
    return policy.scope(user, name, queryset)
