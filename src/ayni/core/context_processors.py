from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The main navigation, marked with the section the current page belongs to."""
    items = [
        ("reporting:home", _("Home")),
        ("programmes:programme-list", _("Programme")),
        ("finance:home", _("Funding")),
        ("monitoring:indicator-list", _("Indicators")),
        ("geography:location-list", _("Places")),
        ("partners:organisation-list", _("Partners")),
        ("evidence:study-list", _("Evidence")),
    ]
    path = request.path
    nav = []
    for name, label in items:
        url = reverse(name)
        current = path == url if name == "reporting:home" else path.startswith(url)
        nav.append({"url": url, "label": label, "current": current})
    return {"main_nav": nav}
