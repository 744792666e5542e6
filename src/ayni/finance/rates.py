"""Exchange rates, loaded once and looked up in memory.

Rates are stored as units of a currency per US dollar, valid from their date until the next
rate of that currency. A conversion goes through the dollar: ``amount / rate(from) × rate(to)``,
rounded to cents half up only at the end, so a PEN → CAD conversion does not round twice.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ayni.core.money import quantize
from ayni.finance.models import ExchangeRate

USD = "USD"


class RateBook:
    """The rates of some currencies, read in one query; lookups are a bisect per call."""

    def __init__(self, rates: dict[str, list[tuple[date, Decimal]]]) -> None:
        self._dates = {code: [d for d, _rate in rows] for code, rows in rates.items()}
        self._rates = {code: [r for _d, r in rows] for code, rows in rates.items()}

    @classmethod
    def load(cls, currencies: Iterable[str]) -> RateBook:
        wanted = {c.upper() for c in currencies if c} - {USD}
        rates: dict[str, list[tuple[date, Decimal]]] = {}
        if wanted:
            rows = (
                ExchangeRate.objects.filter(currency__in=wanted)
                .order_by("currency", "date")
                .values_list("currency", "date", "units_per_usd")
            )
            for code, valid_from, units in rows:
                rates.setdefault(code, []).append((valid_from, units))
        return cls(rates)

    def units_per_usd(self, currency: str, on: date) -> Decimal:
        """The rate in force on ``on``: the latest one dated on or before it."""
        code = currency.upper()
        if code == USD:
            return Decimal(1)
        dates = self._dates.get(code, [])
        index = bisect_right(dates, on)
        if index == 0:
            raise ValidationError(
                {
                    "currency": _(
                        "There is no exchange rate for %(currency)s on or before %(date)s."
                    )
                    % {"currency": code, "date": on.isoformat()}
                }
            )
        return self._rates[code][index - 1]

    def convert(
        self, amount: Decimal, *, from_currency: str, to_currency: str, on: date
    ) -> Decimal:
        """``amount`` in ``to_currency`` at the rates in force on ``on``, to the cent."""
        source, target = from_currency.upper(), to_currency.upper()
        if source == target:
            return quantize(amount)
        in_usd = amount / self.units_per_usd(source, on)
        return quantize(in_usd * self.units_per_usd(target, on))
