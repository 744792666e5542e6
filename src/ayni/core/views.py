"""The web side of the one permission check: every Ayni view inherits from ``ScopedView``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from ayni.core.permissions import Action, has_perm, require, scope


class ScopedView:
    """Checks the model-level permission on entry and scopes querysets and objects.

    ``model`` and ``permission_action`` say what the view does. Views without a model (home)
    set ``model = None`` and ``public = True`` explicitly.
    """

    model: type[Model] | None = None
    permission_action: Action = Action.VIEW
    public: bool = False
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        allowed = (
            self.public
            if self.model is None
            else (has_perm(request.user, self.permission_action, self.model))
        )
        if not allowed:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()  # type: ignore[misc]
        return scope(self.request.user, Action.VIEW, queryset)

    def get_object(self, queryset: QuerySet[Any] | None = None) -> Any:
        obj = super().get_object(queryset)  # type: ignore[misc]
        if self.permission_action != Action.VIEW and not has_perm(
            self.request.user, self.permission_action, obj
        ):
            raise PermissionDenied
        return obj


__all__ = ["Action", "ScopedView", "require"]
