from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, UpdateView

from ayni.core.permissions import Action, has_perm, require
from ayni.core.views import ScopedView
from ayni.geography import svg
from ayni.geography.forms import LocationForm
from ayni.geography.models import AdminLevel, Country, Location, Zone
from ayni.geography.selectors import filter_places, location_search


class LocationListView(ScopedView, ListView):
    """Places, searchable by code or by name without caring about accents."""

    model = Location
    paginate_by = 50
    template_name = "geography/location_list.html"

    def get_queryset(self) -> QuerySet[Location]:
        queryset = super().get_queryset().select_related("level", "country", "parent")
        params = self.request.GET
        queryset = filter_places(queryset, params)
        return location_search(queryset, params.get("q", ""))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["query"] = self.request.GET.get("q", "")
        context["level"] = self.request.GET.get("level", "")
        context["country"] = self.request.GET.get("country", "")
        context["countries"] = Country.objects.all()
        context["levels"] = AdminLevel.objects.order_by("depth").distinct()
        context["zones"] = Zone.objects.select_related("country")
        return context


class LocationObjectMixin(ScopedView):
    kwargs: dict[str, Any]

    def get_object(self, queryset: QuerySet[Any] | None = None) -> Location:
        queryset = self.get_queryset() if queryset is None else queryset
        location = get_object_or_404(
            queryset.select_related("level", "country", "parent"),
            country__iso2=self.kwargs["country"].upper(),
            code=self.kwargs["code"],
        )
        if self.permission_action != Action.VIEW:
            require(self.request.user, self.permission_action, location)
        return location


class LocationDetailView(LocationObjectMixin, DetailView):
    model = Location
    template_name = "geography/location_detail.html"
    context_object_name = "location"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        location: Location = self.object
        children = list(location.children.select_related("level").order_by("code"))
        context["ancestors"] = location.ancestors().filter(level__depth__gt=0)
        context["children"] = children
        context["zones"] = location.zones.all()
        context["can_edit"] = has_perm(self.request.user, Action.CHANGE, location)
        drawn = [(c.boundary, c.name, c.get_absolute_url()) for c in children if c.boundary]
        if not drawn and location.boundary:
            drawn = [(location.boundary, location.name, location.get_absolute_url())]
        context["map"] = svg.draw(drawn) if drawn else None
        return context


class LocationUpdateView(LocationObjectMixin, UpdateView):
    model = Location
    form_class = LocationForm
    permission_action = Action.CHANGE
    template_name = "geography/location_form.html"
    context_object_name = "location"

    def form_valid(self, form: LocationForm) -> Any:
        messages.success(self.request, _("Saved."))
        return super().form_valid(form)


class ZoneDetailView(ScopedView, DetailView):
    model = Zone
    template_name = "geography/zone_detail.html"
    context_object_name = "zone"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["locations"] = self.object.locations.select_related("level").order_by("code")
        return context
