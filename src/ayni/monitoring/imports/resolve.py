"""Turn a ``ParsedValue`` into a row ready to write: codes resolved, period and numbers checked.

Everything the resolver needs is loaded once per run into dictionaries (indicators, their
codes in other systems and accepted dimensions, the country's places, sources, dimensions),
so that resolving a value costs dictionary look-ups and never a query. Results for repeated
inputs (the same period, place or disaggregation written a million times) are cached too.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple, cast

from django.utils.translation import gettext as _

from ayni.core.imports import RowError
from ayni.core.periods import Period, PeriodError
from ayni.geography.models import AdminLevel, Country, Location
from ayni.monitoring.imports.base import Mapping, ParsedValue
from ayni.monitoring.models import (
    DataSource,
    DataValue,
    Dimension,
    DimensionValue,
    Indicator,
    IndicatorCode,
)

# DataValue's decimals: max_digits=20, decimal_places=6.
QUANTUM = Decimal("0.000001")
MAX_ABS = Decimal(10) ** 14
ISO_SYSTEM = "iso3166-2"
FLAGS_MAX = DataValue._meta.get_field("flags").max_length or 32
DISAGGREGATION_MAX = DataValue._meta.get_field("disaggregation").max_length or 255


# What the unique constraint of DataValue is on: indicator, location, period, disaggregation
# and source.
Key = tuple[int, int, str, str, int]


class Row(NamedTuple):
    """A resolved value."""

    line: int
    key: Key
    period_type: str
    year: int
    value: Decimal
    lower: Decimal | None
    upper: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    flags: str
    delete: bool


@dataclass(frozen=True)
class _Indicator:
    id: int
    code: str
    unit: str
    dimensions: frozenset[str]
    percent: bool  # values must lie between 0 and 100


class Problem(NamedTuple):
    field: str
    message: str
    item: str


def parse_number(text: str, *, required: bool) -> Decimal | None:
    """A finite decimal rounded to DataValue's 6 places; ``None`` for an empty optional one.

    Raises ``ValueError`` with a plain message: empty when required, not a number, NaN or
    infinite, or too large for the database column.
    """
    text = text.strip()
    if not text:
        if required:
            raise ValueError(_("the value is empty"))
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        hint = _(" (use a point as the decimal mark)") if "," in text else ""
        raise ValueError(
            _("'%(value)s' is not a number%(hint)s") % {"value": text, "hint": hint}
        ) from None
    if not number.is_finite():
        raise ValueError(_("'%(value)s' is not a finite number") % {"value": text})
    if abs(number) >= MAX_ABS:
        raise ValueError(
            _("'%(value)s' is too large (at most 14 digits before the decimal point)")
            % {"value": text}
        )
    return number.quantize(QUANTUM, rounding=ROUND_HALF_UP)


class Resolver:
    """Resolves ``ParsedValue`` items for one country and mapping, with caches for the run."""

    def __init__(self, country: Country, mapping: Mapping) -> None:
        self.country = country
        self.mapping = mapping
        self.default_source = mapping.constants.get("source", "")
        self._load()
        self._period_cache: dict[str, tuple[str, str, int] | Problem] = {}
        self._indicator_cache: dict[tuple[str, str], _Indicator | Problem] = {}
        self._location_cache: dict[tuple[str, str], int | Problem] = {}
        self._source_cache: dict[str, int | Problem] = {}
        self._dims_cache: dict[tuple[int, tuple[tuple[str, str], ...]], str | list[Problem]] = {}
        # (indicator id, the dimensions as the reader gave them) → canonical key, when valid.
        self._dims_fast: dict[tuple[int, tuple[tuple[str, str], ...]], str] = {}

    def _load(self) -> None:
        # A handful of queries per run, whatever the size of the file.
        dimension_codes = dict(Dimension.objects.values_list("id", "code"))
        accepted: dict[int, set[str]] = {}
        through = Indicator.dimensions.through.objects.values_list("indicator_id", "dimension_id")
        for indicator_id, dimension_id in through:
            accepted.setdefault(indicator_id, set()).add(dimension_codes[dimension_id])
        self.indicators: dict[str, _Indicator] = {}
        by_id: dict[int, _Indicator] = {}
        for pk, code, unit in Indicator.objects.values_list("id", "code", "unit"):
            info = _Indicator(
                pk, code, unit, frozenset(accepted.get(pk, ())), unit == Indicator.Unit.PERCENT
            )
            self.indicators[code] = by_id[pk] = info
        self.indicator_codes: dict[tuple[str, str], _Indicator] = {
            (system, code): by_id[indicator_id]
            for system, code, indicator_id in IndicatorCode.objects.values_list(
                "system", "code", "indicator_id"
            )
        }
        self.locations: dict[str, int] = {}
        self.iso_codes: dict[str, int] = {}
        for pk, code, iso in Location.objects.filter(country=self.country).values_list(
            "id", "code", "iso_code"
        ):
            self.locations[code] = pk
            if iso:
                self.iso_codes[iso.upper()] = pk
        self.code_lengths = sorted(
            {
                n
                for n in AdminLevel.objects.filter(country=self.country).values_list(
                    "code_length", flat=True
                )
                if n
            }
        )
        self.sources: dict[str, int] = dict(DataSource.objects.values_list("code", "id"))
        self.dimension_values: dict[str, set[str]] = {
            code: set() for code in dimension_codes.values()
        }
        for dimension, value in DimensionValue.objects.values_list("dimension__code", "code"):
            self.dimension_values[dimension].add(value)

    # --- one value -------------------------------------------------------------------------

    def resolve(self, item: ParsedValue) -> Row | list[Problem]:
        """The row to write for ``item``, or every problem found in it (one per field).

        The usual value (codes seen before, a plain number and nothing else) takes a fast
        path of cache hits; anything else goes through ``resolve_fully``, which also collects
        every problem. Both give the same row for the same value.
        """
        indicator = self._indicator_cache.get((item.indicator_system, item.indicator))
        location = self._location_cache.get((item.location_system, item.location))
        source = self._source_cache.get(item.source or self.default_source)
        period = self._period_cache.get(item.period)
        if (
            type(indicator) is not _Indicator
            or type(location) is not int
            or type(source) is not int
            or type(period) is not tuple  # not seen yet, or a Problem
            or item.delete
        ):
            return self.resolve_fully(item)
        if item.dimensions:
            disaggregation = self._dims_fast.get((indicator.id, tuple(item.dimensions.items())))
            if disaggregation is None:
                return self.resolve_fully(item)
        else:
            disaggregation = ""
        try:
            value = Decimal(item.value)
        except InvalidOperation:
            return self.resolve_fully(item)
        if (
            not value.is_finite()
            or not -MAX_ABS < value < MAX_ABS
            or (indicator.percent and not 0 <= value <= 100)
        ):
            return self.resolve_fully(item)
        kind, period_code, year = cast(tuple[str, str, int], period)  # a Problem went above
        key = (indicator.id, location, period_code, disaggregation, source)
        if item.lower or item.upper or item.numerator or item.denominator or item.flags:
            return self._with_extras(item, key, kind, year, value)
        return Row(
            item.line,
            key,
            kind,
            year,
            value.quantize(QUANTUM, ROUND_HALF_UP),
            None,
            None,
            None,
            None,
            "",
            False,
        )

    def _with_extras(
        self, item: ParsedValue, key: Key, kind: str, year: int, value: Decimal
    ) -> Row | list[Problem]:
        """The rest of the fast path for a value (checked already) with bounds, numerator,
        denominator or flags."""
        try:
            lower = Decimal(item.lower) if item.lower else None
            upper = Decimal(item.upper) if item.upper else None
            numerator = Decimal(item.numerator) if item.numerator else None
            denominator = Decimal(item.denominator) if item.denominator else None
        except InvalidOperation:
            return self.resolve_fully(item)
        if (
            not all(
                number is None or (number.is_finite() and abs(number) < MAX_ABS)
                for number in (lower, upper, numerator, denominator)
            )
            or (lower is not None and lower > value)
            or (upper is not None and upper < value)
            or len(item.flags) > FLAGS_MAX
        ):
            return self.resolve_fully(item)
        quantize = Decimal.quantize
        return Row(
            item.line,
            key,
            kind,
            year,
            quantize(value, QUANTUM, ROUND_HALF_UP),
            None if lower is None else quantize(lower, QUANTUM, ROUND_HALF_UP),
            None if upper is None else quantize(upper, QUANTUM, ROUND_HALF_UP),
            None if numerator is None else quantize(numerator, QUANTUM, ROUND_HALF_UP),
            None if denominator is None else quantize(denominator, QUANTUM, ROUND_HALF_UP),
            item.flags.strip(),
            False,
        )

    def resolve_fully(self, item: ParsedValue) -> Row | list[Problem]:
        """``resolve`` the long way: every field checked, every problem reported."""
        problems: list[Problem] = []
        indicator = self._indicator(item.indicator.strip(), item.indicator_system.strip())
        if isinstance(indicator, Problem):
            problems.append(indicator)
        location = self._location(item.location.strip(), item.location_system.strip())
        if isinstance(location, Problem):
            problems.append(location)
        source = self._source(item.source.strip() or self.default_source)
        if isinstance(source, Problem):
            problems.append(source)
        period = self._period(item.period)
        if isinstance(period, Problem):
            problems.append(period)

        numbers: dict[str, Decimal | None] = {}
        for name in ("value", "lower", "upper", "numerator", "denominator"):
            text = getattr(item, name)
            try:
                numbers[name] = parse_number(text, required=name == "value" and not item.delete)
            except ValueError as exc:
                problems.append(Problem(name, str(exc), text))
        value, lower, upper = numbers.get("value"), numbers.get("lower"), numbers.get("upper")
        if value is not None:
            if lower is not None and lower > value:
                problems.append(
                    Problem(
                        "lower",
                        _("the lower bound %(lower)s is above the value %(value)s")
                        % {"lower": item.lower.strip(), "value": item.value.strip()},
                        item.lower,
                    )
                )
            if upper is not None and upper < value:
                problems.append(
                    Problem(
                        "upper",
                        _("the upper bound %(upper)s is below the value %(value)s")
                        % {"upper": item.upper.strip(), "value": item.value.strip()},
                        item.upper,
                    )
                )
            if isinstance(indicator, _Indicator) and indicator.percent and not 0 <= value <= 100:
                problems.append(
                    Problem(
                        "value",
                        _("%(value)s is not a percentage between 0 and 100 (indicator %(code)s)")
                        % {"value": item.value.strip(), "code": indicator.code},
                        item.value,
                    )
                )
        flags = item.flags.strip()
        if len(flags) > FLAGS_MAX:
            problems.append(
                Problem(
                    "flags",
                    _("the flags are longer than %(max)s characters") % {"max": FLAGS_MAX},
                    flags,
                )
            )
        disaggregation = self._disaggregation(indicator, item.dimensions)
        if isinstance(disaggregation, list):
            problems.extend(disaggregation)
        elif isinstance(indicator, _Indicator) and item.dimensions:
            self._dims_fast[(indicator.id, tuple(item.dimensions.items()))] = disaggregation

        if problems:
            return problems
        # Every part is resolved here; the asserts narrow the types for mypy.
        assert isinstance(indicator, _Indicator) and isinstance(location, int)  # noqa: S101
        assert isinstance(source, int) and not isinstance(period, Problem)  # noqa: S101
        assert isinstance(disaggregation, str)  # noqa: S101
        kind, period_code, year = period
        return Row(
            item.line,
            (indicator.id, location, period_code, disaggregation, source),
            kind,
            year,
            value if value is not None else Decimal(0),
            lower,
            upper,
            numbers.get("numerator"),
            numbers.get("denominator"),
            flags,
            item.delete,
        )

    # --- cached parts ----------------------------------------------------------------------

    def _period(self, text: str) -> tuple[str, str, int] | Problem:
        """(period type, code, year) of a period in the template form (``Period.parse``),
        parsed once per distinct text of the run."""
        cached = self._period_cache.get(text)
        if cached is None:
            try:
                period = Period.parse(text)
            except PeriodError as exc:
                cached = Problem("period", str(exc), text)
            else:
                cached = (period.kind.value, period.code, period.year)
            self._period_cache[text] = cached
        return cached

    def _indicator(self, code: str, system: str) -> _Indicator | Problem:
        cached = self._indicator_cache.get((system, code))
        if cached is None:
            cached = self._find_indicator(code, system)
            self._indicator_cache[(system, code)] = cached
        return cached

    def _find_indicator(self, code: str, system: str) -> _Indicator | Problem:
        if not code:
            return Problem("indicator", _("no indicator"), "")
        translated = self.mapping.indicators.get(code)
        if translated is not None:
            found = self.indicators.get(translated)
            if found is None:
                return Problem(
                    "indicator",
                    _("the mapping translates '%(code)s' to '%(ayni)s', which is no indicator")
                    % {"code": code, "ayni": translated},
                    code,
                )
            return found
        if system:
            if system not in IndicatorCode.System.values:
                return Problem(
                    "indicator_system",
                    _("unknown indicator system '%(system)s'; known: %(known)s")
                    % {"system": system, "known": ", ".join(IndicatorCode.System.values)},
                    system,
                )
            found = self.indicator_codes.get((system, code))
            if found is None:
                return Problem(
                    "indicator",
                    _("no indicator has the %(system)s code '%(code)s'")
                    % {"system": system, "code": code},
                    code,
                )
            return found
        found = self.indicators.get(code) or self.indicators.get(code.lower())
        if found is None:
            return Problem("indicator", _("unknown indicator '%(code)s'") % {"code": code}, code)
        return found

    def _location(self, code: str, system: str) -> int | Problem:
        cached = self._location_cache.get((system, code))
        if cached is None:
            cached = self._find_location(code, system)
            self._location_cache[(system, code)] = cached
        return cached

    def _find_location(self, code: str, system: str) -> int | Problem:
        if not code:
            return Problem("location", _("no place"), "")
        translated = self.mapping.locations.get(code)
        if translated is not None:
            found = self.locations.get(translated)
            if found is None:
                return Problem(
                    "location",
                    _(
                        "the mapping translates '%(code)s' to '%(ayni)s', which is no place of "
                        "%(country)s"
                    )
                    % {"code": code, "ayni": translated, "country": self.country.iso2},
                    code,
                )
            return found
        if system == ISO_SYSTEM:
            found = self.iso_codes.get(code.upper())
            if found is None:
                return Problem(
                    "location",
                    _("no place of %(country)s has the ISO 3166-2 code '%(code)s'")
                    % {"country": self.country.iso2, "code": code},
                    code,
                )
            return found
        if system:
            return Problem(
                "location_system",
                _("unknown location system '%(system)s'; known: %(known)s")
                % {"system": system, "known": ISO_SYSTEM},
                system,
            )
        found = self.locations.get(code)
        if found is None and code.isdigit():
            # Spreadsheets drop leading zeros ("1" for UBIGEO "01"): pad to the shortest
            # code length of a level that fits, as the boundary importer does.
            for length in self.code_lengths:
                if length >= len(code):
                    found = self.locations.get(code.zfill(length))
                    break
        if found is None:
            return Problem(
                "location",
                _("no place of %(country)s has the code '%(code)s'")
                % {"country": self.country.iso2, "code": code},
                code,
            )
        return found

    def _source(self, code: str) -> int | Problem:
        cached = self._source_cache.get(code)
        if cached is None:
            if not code:
                cached = Problem(
                    "source",
                    _("no source: add a source column, or a constant source in the mapping"),
                    "",
                )
            else:
                found = self.sources.get(code) or self.sources.get(code.lower())
                cached = (
                    found
                    if found is not None
                    else Problem(
                        "source", _("unknown data source '%(code)s'") % {"code": code}, code
                    )
                )
            self._source_cache[code] = cached
        return cached

    def _disaggregation(
        self, indicator: _Indicator | Problem, dimensions: dict[str, str]
    ) -> str | list[Problem]:
        parts = tuple(
            sorted((k.strip(), v.strip()) for k, v in dimensions.items() if v and v.strip())
        )
        if not parts:
            return ""
        indicator_id = indicator.id if isinstance(indicator, _Indicator) else 0
        cached = self._dims_cache.get((indicator_id, parts))
        if cached is None:
            cached = self._check_dimensions(indicator, parts)
            self._dims_cache[(indicator_id, parts)] = cached
        return cached

    def _check_dimensions(
        self, indicator: _Indicator | Problem, parts: tuple[tuple[str, str], ...]
    ) -> str | list[Problem]:
        problems: list[Problem] = []
        for dimension, value in parts:
            field = f"dim:{dimension}"
            known = self.dimension_values.get(dimension)
            if known is None:
                problems.append(
                    Problem(
                        field,
                        _("unknown dimension '%(dimension)s'; known: %(known)s")
                        % {
                            "dimension": dimension,
                            "known": ", ".join(sorted(self.dimension_values)) or "-",
                        },
                        dimension,
                    )
                )
                continue
            if value not in known:
                problems.append(
                    Problem(
                        field,
                        _(
                            "'%(value)s' is not a value of the dimension %(dimension)s; known: "
                            "%(known)s"
                        )
                        % {
                            "value": value,
                            "dimension": dimension,
                            "known": ", ".join(sorted(known)) or "-",
                        },
                        value,
                    )
                )
            if isinstance(indicator, _Indicator) and dimension not in indicator.dimensions:
                problems.append(
                    Problem(
                        field,
                        _(
                            "indicator %(code)s is not disaggregated by %(dimension)s "
                            "(accepted: %(accepted)s)"
                        )
                        % {
                            "code": indicator.code,
                            "dimension": dimension,
                            "accepted": ", ".join(sorted(indicator.dimensions)) or _("none"),
                        },
                        value,
                    )
                )
        if problems:
            return problems
        key = ";".join(f"{dimension}={value}" for dimension, value in parts)
        if len(key) > DISAGGREGATION_MAX:
            return [
                Problem(
                    "dimensions",
                    _("the disaggregation is longer than %(max)s characters")
                    % {"max": DISAGGREGATION_MAX},
                    key,
                )
            ]
        return key


def problem_errors(line: int, problems: list[Problem]) -> list[RowError]:
    """The row errors for a line's problems."""
    return [RowError(line, p.field, p.message, p.item) for p in problems]
