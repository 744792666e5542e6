from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.views.generic import TemplateView

from ayni.accounts.mixins import ScopedView
from ayni.geography.models import Country


class HomeView(ScopedView, TemplateView):
    """The front page: what Ayni holds and where to go next. Readable by everyone."""

    public = True
    template_name = "core/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        countries = Country.objects.order_by("iso2")
        levels = []
        for country in countries:
            per_level = country.levels.annotate(n=Count("locations")).order_by("depth")
            levels.append((country, list(per_level)))
        context["countries"] = levels
        return context
