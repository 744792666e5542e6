"""The web side of the one permission check: every Ayni view inherits from ``ScopedView``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from rest_framework import exceptions

from ayni.core.errors import api_error
from ayni.core.params import InvalidParameter
from ayni.core.permissions import Action, has_perm, require, scope


class ScopedView:
    """Checks the model-level permission on entry and scopes querysets and objects.

    ``model`` and ``permission_action`` say what the view does (one of the standard actions or
    an action the model's policy declares). Views without a model (home) set ``model = None``
    and ``public = True`` explicitly.
    """

    model: type[Model] | None = None
    permission_action: Action | str = Action.VIEW
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


def next_url(request: HttpRequest, default: str) -> str:
    """Where to go after a post: the ``next`` the page sent when it is a URL of this site,
    ``default`` otherwise. Every view that takes ``next`` goes through here, so an address such
    as ``//evil.example`` or ``/\\evil.example`` never sends a person to another site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


__all__ = ["Action", "ScopedView", "next_url", "require"]


def _api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 page: names the parameter that could not be read (``core.params``); other
    refusals say nothing of their reason, which may be internal. Under /api/ the same in the
    API's error format."""
    message = str(exception) if isinstance(exception, InvalidParameter) else ""
    if _api(request):
        return api_error(400, "invalid", message or str(exceptions.ParseError.default_detail))
    return render(request, "400.html", {"message": message}, status=400)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 404 page; under /api/ (an address no endpoint matches, such as an id the router
    does not take) the API's own 404 in its error format, as the schema documents it."""
    if _api(request):
        return api_error(404, "not_found", str(exceptions.NotFound.default_detail))
    return defaults.page_not_found(request, exception)
