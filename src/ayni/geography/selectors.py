"""Reads of the geography domain."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ayni.core.params import choice_param
from ayni.core.permissions import office_id_of
from ayni.geography.models import AdminLevel, Country, Location, fold


def location_search(queryset: QuerySet[Location], query: str) -> QuerySet[Location]:
    """Locations whose code starts with ``query`` or whose name contains it, ignoring accents
    and case ("apurimac" finds Apurímac). Exact code matches and shallower levels come first."""
    query = query.strip()
    if not query:
        return queryset
    condition = Q(search_name__contains=fold(query))
    if query.isdigit() or (query.isalnum() and any(ch.isdigit() for ch in query)):
        condition |= Q(code__startswith=query)
    return queryset.filter(condition).order_by("level__depth", "code")


def within(queryset: QuerySet[Location], ancestors: QuerySet[Location]) -> QuerySet[Location]:
    """Locations of ``queryset`` that are one of ``ancestors`` or inside one of them."""
    condition = Q(pk__in=[])
    for path in ancestors.values_list("path", flat=True):
        condition |= Q(path__startswith=path)
    return queryset.filter(condition)


# --- which country ----------------------------------------------------------------------------


class CountryNotChosen(Exception):
    """No country was named, and there is not exactly one loaded to take instead."""

    def __init__(self, countries: list[Country]) -> None:
        self.countries = countries
        codes = ", ".join(country.iso2 for country in countries)
        super().__init__(
            _("several countries are loaded (%(codes)s)") % {"codes": codes}
            if countries
            else _("no country is loaded")
        )


def country_named(code: str | None) -> Country:
    """The country with the ISO 3166-1 code ``code`` (either case); with no code, the only
    country loaded.

    Raises ``Country.DoesNotExist`` for an unknown code, and ``CountryNotChosen`` (which lists
    the countries loaded) when no code is given and there is not exactly one country."""
    if code:
        return Country.objects.get(iso2=code.strip().upper())
    loaded = list(Country.objects.order_by("iso2")[:100])
    if len(loaded) != 1:
        raise CountryNotChosen(loaded)
    return loaded[0]


def country_for(user: Any, code: str | None = None) -> Country:
    """The country a user's indicator pages, analytics and imports are about.

    A user of a country office works on their office's country, and only on it: ``code``
    may repeat it, but a code naming another country raises ``Country.DoesNotExist`` (pages
    answer 404, as for any record outside one's scope). Everyone else (the public, anonymous
    visitors, a superuser without an office) reads public data of any country: the country
    named by ``code``, or the only one loaded (see ``country_named``). One query."""
    office_id = office_id_of(user)
    if office_id is None:
        return country_named(code)
    country = Country.objects.get(countryoffice__id=office_id)
    if code and code.strip().upper() != country.iso2:
        raise Country.DoesNotExist(f"{code!r} is not the country of the user's office")
    return country


def national_location(country: Country) -> Location | None:
    """The country's own place (its level of depth 0, e.g. ``PE`` for Peru), which holds the
    national values, baselines and targets; ``None`` where the country has none loaded."""
    return (
        Location.objects.filter(country=country, level__depth=0)
        .select_related("country", "level")
        .order_by("code")
        .first()
    )


def filter_places(queryset: QuerySet[Location], params: Any) -> QuerySet[Location]:
    """Places of ``?country=`` (an ISO code of a loaded country) at ``?level=`` (the slug of one
    of its levels): another value answers 400 naming the parameter (``core.params``)."""
    raw_country = str(params.get("country") or "").strip().upper()
    countries = Country.objects.values_list("iso2", flat=True)
    country = choice_param({"country": raw_country}, "country", countries)
    if country is not None:
        queryset = queryset.filter(country__iso2=country)
    levels = AdminLevel.objects.order_by("depth").values_list("slug", flat=True).distinct()
    if (level := choice_param(params, "level", levels)) is not None:
        queryset = queryset.filter(level__slug=level)
    return queryset
