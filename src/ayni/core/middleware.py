"""Response headers every answer carries, and the one refusal of unreadable query strings.

- ``Content-Security-Policy``: scripts, styles, images, fonts and connections from this site
  only; no inline script anywhere (templates load scripts from static files). Inline ``style``
  *attributes* are allowed (``style-src-attr``): progress bars, budget indentation and map
  widths are computed per row; ``<style>`` elements stay refused. ``data:`` images are the
  favicon and the icons of the API's Swagger UI.
- ``Permissions-Policy``: no camera, microphone, geolocation and the like.
- ``Cache-Control: no-store`` on every API answer and on every page for a signed-in user, so a
  shared computer's cache keeps no office figures; anonymous public pages stay cacheable.
- A query string holding a NUL character answers 400 naming the parameter: no database column
  stores it (PostgreSQL refuses it), so it cannot be a filter value.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from ayni.core.errors import api_error
from ayni.core.params import InvalidParameter

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-elem 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


def _nul_parameter(request: HttpRequest) -> str | None:
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return name.replace("\x00", "")
    return None


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = request.path.startswith("/api/")
        name = _nul_parameter(request)
        if name is None:
            response = self.get_response(request)
        elif api:
            message = _("The value holds a NUL character.")
            response = api_error(400, "invalid", f"{name}: {message}", {name: [message]})
        else:
            from ayni.core.views import bad_request  # views import the permission machinery

            response = bad_request(
                request, InvalidParameter(name, _("The value holds a NUL character."))
            )
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if request.path.startswith(settings.STATIC_URL):
            return response  # static files keep WhiteNoise's long-lived caching
        user = getattr(request, "user", None)
        if api or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response
