"""Every URL of Ayni goes through the one permission check: a view that forgets it fails here."""

from django.urls import URLPattern, URLResolver, get_resolver

from ayni.core.drf import AyniPermission
from ayni.core.views import ScopedView

# Views that are not Ayni's own and carry their own protection.
EXEMPT_MODULES = (
    "django.views.i18n",
    "django.views.static",
    "django.contrib.staticfiles",
    "drf_spectacular",
)
# The Django admin is for superusers only (see ayni.core.admin).
EXEMPT_ROUTES = ("admin/",)


def _patterns(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_view_uses_scoped_view_or_ayni_permission() -> None:
    unchecked = []
    for route, callback in _patterns(get_resolver()):
        view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        module = getattr(view_class or callback, "__module__", "")
        if module.startswith(EXEMPT_MODULES) or route.startswith(EXEMPT_ROUTES):
            continue
        if view_class and issubclass(view_class, ScopedView):
            continue
        permissions = getattr(view_class, "permission_classes", None)
        if permissions and AyniPermission in permissions:
            continue
        unchecked.append(route)
    assert unchecked == []
