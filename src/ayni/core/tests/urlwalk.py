"""Every URL of Ayni, found by walking the URL configuration: its name and the HTTP methods its
view answers. The authorization matrix and the bad-parameter walk start from here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.views.generic.edit import ProcessFormView

# Not Ayni's own: the Django admin (superusers only, see core/admin.py) and static files.
EXEMPT_ROUTES = ("admin/", "^static/", "static/")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
METHODS = ("GET", *WRITES)


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Any]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            yield prefix + str(pattern.pattern), name, pattern.callback


def _methods(callback: Any) -> set[str]:
    """The HTTP methods a view answers (HEAD and OPTIONS aside)."""
    actions = getattr(callback, "actions", None)
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if actions is not None:  # a DRF viewset: its router's methods that the viewset allows
        allowed = {m.upper() for m in view_class.http_method_names}
        return {m.upper() for m in actions} & allowed & set(METHODS)
    if view_class is None:  # a function view: Django's language switch
        return {"POST"}
    found = set()
    for method in METHODS:
        handler = getattr(view_class, method.lower(), None)
        # A form view's ``put`` is Django's alias of ``post``: not a method of its own.
        if handler is None or handler is ProcessFormView.put:
            continue
        if method.lower() in view_class.http_method_names:
            found.add(method)
    return found


def url_routes() -> dict[str, dict[str, Any]]:
    """URL name → the methods its view answers and the view (one per name)."""
    routes: dict[str, dict[str, Any]] = {}
    for route, name, callback in _walk(get_resolver()):
        if route.startswith(EXEMPT_ROUTES):
            continue
        entry = routes.setdefault(name, {"methods": set(), "callbacks": set(), "route": route})
        entry["methods"] |= _methods(callback)
        entry["callbacks"].add(getattr(callback, "cls", None) or callback)
    return routes
