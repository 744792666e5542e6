"""The one money type: a Decimal amount with an ISO 4217 currency. Never float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pycountry
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")


def quantize(amount: Decimal) -> Decimal:
    """Round to cents, half up, as finance staff expect (not banker's rounding)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def validate_currency(code: str) -> None:
    if not code or len(code) != 3 or pycountry.currencies.get(alpha_3=code.upper()) is None:
        raise ValidationError(
            _("%(code)s is not an ISO 4217 currency code (e.g. USD, PEN, CAD, EUR)."),
            params={"code": code or "(empty)"},
            code="unknown_currency",
        )


def AmountField(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    """A money amount: 16 digits, 2 decimals."""
    return models.DecimalField(verbose_name, max_digits=16, decimal_places=2, **kwargs)


def CurrencyField(verbose_name: Any = None, **kwargs: Any) -> models.CharField:
    """An ISO 4217 currency code, checked on validation."""
    return models.CharField(
        verbose_name or _("currency"), max_length=3, validators=[validate_currency], **kwargs
    )


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money amounts are Decimal, never float")

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}; convert first")
        return Money(self.amount + other.amount, self.currency)

    def rounded(self) -> Money:
        return Money(quantize(self.amount), self.currency)
