"""Reads of the geography domain."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ayni.geography.models import Location, fold


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
