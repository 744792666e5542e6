"""The one period type: a year, a quarter, a month, an ISO week or a day.

Every reporting period Ayni reads or writes goes through ``Period``: the template readers
(CSV/XLSX), the DHIS2 and SDMX readers, the values stored and the analytics store. Its forms::

    kind       Ayni (stored, template)   DHIS2        SDMX (written)   SDMX (also read)
    year       2014                      2014         2014             2014-A1
    quarter    2014Q1                    2014Q1       2014-Q1          2014Q1
    month      2014-03                   201403       2014-03          2014-M03
    ISO week   2014-W03                  2014W3       2014-W03
    day        2014-03-15                20140315     2014-03-15       2014-D074

The Ayni form (``Period.code``) is what ``DataValue.period`` stores: fixed width within a
kind, so that codes of one kind sort in time order. The template form reads it and, for
convenience, every DHIS2 and SDMX spelling too, letters in either case (``2014q1``,
``2014M03``, ``2014w3``); the DHIS2 and SDMX forms read only their own system's spellings.
Ayni's years run from 1900 to 2100.

**The year a period belongs to** (``Period.year``) is its calendar year, except for an ISO
week, which belongs to its ISO year: 2015-W53 (28 December 2015 to 3 January 2016) belongs to
2015, and 2020-W01 (30 December 2019 to 5 January 2020) to 2020. That keeps every week whole
in one year, with the 52 or 53 weeks of a year numbered without gaps, and it is what DHIS2
and SDMX mean by the year of a week. ``DataValue.year`` and the year partitions of the
analytics store follow it.

Periods are ordered by start date, then end date (a quarter before the year that starts on the
same day); two periods are equal when they cover the same days, which only happens when they
are the same period. Parsing raises ``PeriodError`` (a ``ValueError``) with a message fit for
an import's error report; callers that parse millions of values keep a dictionary of what
each distinct text parsed to (the readers and the resolver do).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from django.utils.translation import gettext as _

__all__ = [
    "YEAR_MAX",
    "YEAR_MIN",
    "Period",
    "PeriodError",
    "PeriodKind",
    "iso_weeks_in",
]

YEAR_MIN, YEAR_MAX = 1900, 2100


class PeriodKind(StrEnum):
    """The kinds of period, by the one-letter code ``DataValue.period_type`` stores."""

    YEAR = "Y"
    QUARTER = "Q"
    MONTH = "M"
    WEEK = "W"
    DAY = "D"


class PeriodError(ValueError):
    """A text that is not a period of the form asked for, with the reason in plain words."""


def iso_weeks_in(year: int) -> int:
    """How many ISO weeks ``year`` has: 53 when it starts on a Thursday (or a Wednesday in a
    leap year), else 52. 28 December is always in the last week."""
    return date(year, 12, 28).isocalendar().week


def _check_year(year: int) -> None:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise PeriodError(
            _("year %(year)s is outside %(min)s–%(max)s")
            % {"year": year, "min": YEAR_MIN, "max": YEAR_MAX}
        )


@dataclass(frozen=True, slots=True, order=True, repr=False)
class Period:
    """One reporting period; build it with the ``of_*`` class methods or a parser.

    ``start`` and ``end`` are its first and last day (both included), ``kind`` its
    ``PeriodKind``, ``year`` the year it belongs to (the ISO year for a week, see the module's
    docstring) and ``code`` the form Ayni stores. The ``of_*`` methods raise ``PeriodError``
    for a period that does not exist, quoting ``written`` (the text as the file wrote it)
    when a parser gives it.
    """

    start: date
    end: date
    kind: PeriodKind = field(compare=False)
    year: int = field(compare=False)
    code: str = field(compare=False)

    # --- building ----------------------------------------------------------------------------

    @classmethod
    def of_year(cls, year: int) -> Period:
        _check_year(year)
        return cls(date(year, 1, 1), date(year, 12, 31), PeriodKind.YEAR, year, f"{year:04d}")

    @classmethod
    def of_quarter(cls, year: int, quarter: int, *, written: str = "") -> Period:
        _check_year(year)
        if not 1 <= quarter <= 4:
            raise PeriodError(
                _("'%(period)s' is not a quarter: quarters are 1 to 4")
                % {"period": written or f"{year}Q{quarter}"}
            )
        first = 3 * quarter - 2
        end = date(year, first + 2, calendar.monthrange(year, first + 2)[1])
        return cls(date(year, first, 1), end, PeriodKind.QUARTER, year, f"{year:04d}Q{quarter}")

    @classmethod
    def of_month(cls, year: int, month: int, *, written: str = "") -> Period:
        _check_year(year)
        if not 1 <= month <= 12:
            raise PeriodError(
                _("'%(period)s' is not a month: months are 01 to 12")
                % {"period": written or f"{year}-{month:02d}"}
            )
        end = date(year, month, calendar.monthrange(year, month)[1])
        return cls(date(year, month, 1), end, PeriodKind.MONTH, year, f"{year:04d}-{month:02d}")

    @classmethod
    def of_week(cls, year: int, week: int, *, written: str = "") -> Period:
        """ISO week ``week`` of the ISO year ``year`` (Monday to Sunday)."""
        _check_year(year)
        weeks = iso_weeks_in(year)
        if not 1 <= week <= weeks:
            raise PeriodError(
                _(
                    "'%(period)s' is not a week: week %(week)s does not exist in %(year)s, "
                    "which has %(weeks)s ISO weeks"
                )
                % {
                    "period": written or f"{year}-W{week:02d}",
                    "week": week,
                    "year": year,
                    "weeks": weeks,
                }
            )
        start = date.fromisocalendar(year, week, 1)
        return cls(
            start, start + timedelta(days=6), PeriodKind.WEEK, year, f"{year:04d}-W{week:02d}"
        )

    @classmethod
    def of_day(cls, day: date) -> Period:
        _check_year(day.year)
        return cls(day, day, PeriodKind.DAY, day.year, day.isoformat())

    @classmethod
    def of_date(cls, year: int, month: int, day: int, *, written: str = "") -> Period:
        """The day ``year-month-day``, with a plain message for a date that does not exist."""
        _check_year(year)
        text = written or f"{year:04d}-{month:02d}-{day:02d}"
        if not 1 <= month <= 12:
            raise PeriodError(
                _("'%(period)s' is not a day: months are 01 to 12") % {"period": text}
            )
        days = calendar.monthrange(year, month)[1]
        if not 1 <= day <= days:
            raise PeriodError(
                _("'%(period)s' is not a day: %(month)s has %(days)s days")
                % {"period": text, "month": f"{year:04d}-{month:02d}", "days": days}
            )
        return cls.of_day(date(year, month, day))

    @classmethod
    def of_day_of_year(cls, year: int, number: int, *, written: str = "") -> Period:
        """Day ``number`` (1 = 1 January) of ``year``, as SDMX writes ``2014-D074``."""
        _check_year(year)
        days = 366 if calendar.isleap(year) else 365
        if not 1 <= number <= days:
            raise PeriodError(
                _("'%(period)s' is not a day: %(year)s has %(days)s days")
                % {"period": written or f"{year}-D{number:03d}", "year": year, "days": days}
            )
        return cls.of_day(date(year, 1, 1) + timedelta(days=number - 1))

    @classmethod
    def containing(cls, kind: PeriodKind, day: date) -> Period:
        """The period of ``kind`` that ``day`` falls in."""
        if kind is PeriodKind.YEAR:
            return cls.of_year(day.year)
        if kind is PeriodKind.QUARTER:
            return cls.of_quarter(day.year, (day.month + 2) // 3)
        if kind is PeriodKind.MONTH:
            return cls.of_month(day.year, day.month)
        if kind is PeriodKind.WEEK:
            iso = day.isocalendar()
            return cls.of_week(iso.year, iso.week)
        return cls.of_day(day)

    # --- parsing -----------------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> Period:
        """A period as written in a CSV/XLSX template: the Ayni form, or any DHIS2 or SDMX
        spelling (see the module's table). Surrounding spaces are ignored."""
        return _parse(text, _TEMPLATE, _template_hint)

    @classmethod
    def from_dhis2(cls, text: str) -> Period:
        """A DHIS2 period: ``2014``, ``2014Q1``, ``201403``, ``2014W3`` or ``20140315``.

        DHIS2's other period types (bi-weekly, six-monthly, financial years …) are refused."""
        return _parse(text, _DHIS2, _dhis2_hint)

    @classmethod
    def from_sdmx(cls, text: str) -> Period:
        """An SDMX ``TIME_PERIOD``: ``2014``, ``2014-A1``, ``2014-Q1``, ``2014Q1``,
        ``2014-03``, ``2014-M03``, ``2014-W03``, ``2014-03-15`` or ``2014-D074``.

        Half-years, trimesters, date-times and ranges (``2013/2014``) are refused."""
        return _parse(text, _SDMX, _sdmx_hint)

    # --- writing -----------------------------------------------------------------------------

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return f"Period({self.code!r})"

    def to_template(self) -> str:
        """The form a CSV/XLSX template is written in: the Ayni form."""
        return self.code

    def to_dhis2(self) -> str:
        kind = self.kind
        if kind is PeriodKind.MONTH:
            return f"{self.year:04d}{self.start.month:02d}"
        if kind is PeriodKind.WEEK:
            return f"{self.year:04d}W{self.week}"
        if kind is PeriodKind.DAY:
            return self.start.strftime("%Y%m%d")
        return self.code  # a year or a quarter: the same in DHIS2

    def to_sdmx(self) -> str:
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year:04d}-Q{self.quarter}"
        return self.code  # ISO 8601, as SDMX writes them

    # --- parts -------------------------------------------------------------------------------

    @property
    def quarter(self) -> int | None:
        """The quarter of a quarter, month or day; ``None`` for a year or a week (which may
        straddle two quarters)."""
        if self.kind in (PeriodKind.QUARTER, PeriodKind.MONTH, PeriodKind.DAY):
            return (self.start.month + 2) // 3
        return None

    @property
    def month(self) -> int | None:
        """The month of a month or day; ``None`` otherwise."""
        if self.kind in (PeriodKind.MONTH, PeriodKind.DAY):
            return self.start.month
        return None

    @property
    def week(self) -> int | None:
        """The ISO week number of a week; ``None`` otherwise."""
        return self.start.isocalendar().week if self.kind is PeriodKind.WEEK else None


# --- the grammars --------------------------------------------------------------------------------
# Each form is a list of patterns; the groups they name say what was matched: ``y`` the year
# and one of ``q`` (quarter), ``m`` (month, with ``d`` for a day of the month), ``w`` (ISO
# week) or ``j`` (day of the year). [0-9], not \d, which also matches other scripts' digits.
Grammar = Sequence[re.Pattern[str]]

_TEMPLATE: Grammar = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"(?P<y>[0-9]{4})(?:-A1)?",
        r"(?P<y>[0-9]{4})-?Q(?P<q>[0-9])",
        r"(?P<y>[0-9]{4})(?:-M?|M)?(?P<m>[0-9]{2})",
        r"(?P<y>[0-9]{4})-?W(?P<w>[0-9]{1,2})",
        r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})",
        r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})",
        r"(?P<y>[0-9]{4})-D(?P<j>[0-9]{3})",
    )
]
_DHIS2: Grammar = [
    re.compile(pattern)
    for pattern in (
        r"(?P<y>[0-9]{4})",
        r"(?P<y>[0-9]{4})Q(?P<q>[0-9])",
        r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})",
        r"(?P<y>[0-9]{4})W(?P<w>[0-9]{1,2})",
        r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})",
    )
]
_SDMX: Grammar = [
    re.compile(pattern)
    for pattern in (
        r"(?P<y>[0-9]{4})(?:-A1)?",
        r"(?P<y>[0-9]{4})-?Q(?P<q>[0-9])",
        r"(?P<y>[0-9]{4})-M?(?P<m>[0-9]{2})",
        r"(?P<y>[0-9]{4})-W(?P<w>[0-9]{2})",
        r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})",
        r"(?P<y>[0-9]{4})-D(?P<j>[0-9]{3})",
    )
]


def _template_hint(text: str) -> str:
    return _(
        "'%(period)s' is not a period: write a year (2014), a quarter (2014Q1), a month "
        "(2014-01), an ISO week (2014-W03) or a day (2014-01-15)"
    ) % {"period": text}


def _dhis2_hint(text: str) -> str:
    return _(
        "'%(period)s' is not a DHIS2 period Ayni reads (yearly 2014, quarterly 2014Q1, "
        "monthly 201401, weekly 2014W3 or daily 20140115)"
    ) % {"period": text}


def _sdmx_hint(text: str) -> str:
    return _(
        "'%(period)s' is not an SDMX period Ayni reads (2014, 2014-Q1, 2014-01, 2014-W03 "
        "or 2014-01-15)"
    ) % {"period": text}


def _parse(text: str, grammar: Grammar, hint: Callable[[str], str]) -> Period:
    text = text.strip()
    if not text:
        raise PeriodError(_("the period is empty"))
    for pattern in grammar:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        parts = match.groupdict()
        year = int(parts["y"])
        if (quarter := parts.get("q")) is not None:
            return Period.of_quarter(year, int(quarter), written=text)
        if (week := parts.get("w")) is not None:
            return Period.of_week(year, int(week), written=text)
        if (number := parts.get("j")) is not None:
            return Period.of_day_of_year(year, int(number), written=text)
        if (month := parts.get("m")) is not None:
            if (day := parts.get("d")) is not None:
                return Period.of_date(year, int(month), int(day), written=text)
            return Period.of_month(year, int(month), written=text)
        return Period.of_year(year)
    raise PeriodError(hint(text))
