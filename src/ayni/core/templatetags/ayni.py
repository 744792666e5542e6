"""Numbers in templates. For people, formatted for the active language: ``{{ amount|money }}``
→ 47,150,000.00 in English and 47 150 000,00 in Spanish (grouping always on, whatever
USE_THOUSAND_SEPARATOR). For markup (inline CSS, data attributes, URLs, JSON, SVG the charts
do not already write), the same in every language: ``{{ width|plain_number }}`` → 37.5."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.http import QueryDict
from django.utils.formats import number_format
from django.utils.translation import pgettext_lazy

from ayni.core import charts

register = template.Library()


def _format(value: Any, places: int) -> str:
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def money(value: Any) -> str:
    """An amount with two decimals and grouping."""
    return _format(value, 2)


@register.filter
def number(value: Any, places: int = 0) -> str:
    """A number with ``places`` decimals and grouping."""
    return _format(value, int(places))


@register.filter
def plain_number(value: Any, places: int = 2) -> str:
    """A number for markup, whatever the language: dot decimal, no grouping, at most
    ``places`` decimals (``charts.plain_number``); empty for anything that is not a number."""
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            return ""
    try:
        return charts.plain_number(value, int(places))
    except (TypeError, ValueError):
        return ""


_COUNT_LABELS = {
    "read": pgettext_lazy("import count", "read"),
    "created": pgettext_lazy("import count", "created"),
    "updated": pgettext_lazy("import count", "updated"),
    "unchanged": pgettext_lazy("import count", "unchanged"),
    "deleted": pgettext_lazy("import count", "deleted"),
    "rejected": pgettext_lazy("import count", "rejected"),
}
_DRY_RUN_COUNT_LABELS = {
    "created": pgettext_lazy("import count", "would be created"),
    "updated": pgettext_lazy("import count", "would be updated"),
    "deleted": pgettext_lazy("import count", "would be deleted"),
}


@register.filter
def query_without(query: QueryDict, name: str) -> str:
    """The query string without ``name``, followed by ``&`` when anything is left, for links
    that add ``name`` back (``?{{ request.GET|query_without:"page" }}page=2``). Written here:
    a template's ``request.GET.items`` reads a parameter called ``items`` when there is one."""
    rest = query.copy()
    rest.pop(name, None)
    text = rest.urlencode()
    return f"{text}&" if text else ""


@register.filter
def count_label(key: str, dry_run: bool = False) -> str:
    """The label of an import count (``created``…), in the future tense for a dry run."""
    label = (dry_run and _DRY_RUN_COUNT_LABELS.get(key)) or _COUNT_LABELS.get(key)
    return str(label) if label is not None else key
