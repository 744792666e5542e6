"""Number formatting for the active language: ``{{ amount|money }}`` → 47,150,000.00 in
English and 47.150.000,00 in Spanish (grouping always on, whatever USE_THOUSAND_SEPARATOR)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import number_format

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
