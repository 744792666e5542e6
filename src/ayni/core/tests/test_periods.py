"""The one period type: every kind parsed from and written to every form, and the refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from ayni.core.periods import YEAR_MAX, YEAR_MIN, Period, PeriodError, PeriodKind, iso_weeks_in

# (name, parse, write): each form Ayni reads and writes.
FORMS: list[tuple[str, Callable[[str], Period], Callable[[Period], str]]] = [
    ("template", Period.parse, Period.to_template),
    ("dhis2", Period.from_dhis2, Period.to_dhis2),
    ("sdmx", Period.from_sdmx, Period.to_sdmx),
]


def every_day(first: date, last: date, step: int = 1) -> list[date]:
    return [first + timedelta(days=n) for n in range(0, (last - first).days + 1, step)]


# Every day of 1990–2040 (every ISO week pattern, leap years, century-free), and every 7th day
# across the whole range Ayni accepts.
DAYS = every_day(date(1990, 1, 1), date(2040, 12, 31)) + every_day(
    date(YEAR_MIN, 1, 1), date(YEAR_MAX, 12, 31), step=7
)


@pytest.mark.parametrize("kind", list(PeriodKind))
@pytest.mark.parametrize(("form", "parse", "write"), FORMS, ids=[f[0] for f in FORMS])
def test_every_period_reads_back_from_what_it_writes(
    kind: PeriodKind,
    form: str,
    parse: Callable[[str], Period],
    write: Callable[[Period], str],
) -> None:
    seen: set[Period] = set()
    for day in DAYS:
        period = Period.containing(kind, day)
        if period in seen:
            continue
        seen.add(period)
        assert period.start <= day <= period.end
        assert period.kind is kind
        text = write(period)
        again = parse(text)
        assert again == period, (form, text)
        assert (again.kind, again.code, again.year) == (period.kind, period.code, period.year)
        # The Ayni form is read back by every parser that reads it (the template's does).
        assert Period.parse(period.code) == period


@pytest.mark.parametrize("kind", list(PeriodKind))
def test_consecutive_periods_tile_time_and_their_codes_sort_in_time_order(
    kind: PeriodKind,
) -> None:
    period = Period.containing(kind, date(1990, 1, 1))
    periods = [period]
    while period.end < date(2040, 12, 31):
        period = Period.containing(kind, period.end + timedelta(days=1))
        assert period.start == periods[-1].end + timedelta(days=1)
        periods.append(period)
    assert sorted(periods) == periods
    assert sorted(periods, key=lambda p: p.code) == periods
    assert len({p.code for p in periods}) == len(periods)


@pytest.mark.parametrize(
    ("text", "kind", "code", "start", "end", "year"),
    [
        ("2014", "Y", "2014", date(2014, 1, 1), date(2014, 12, 31), 2014),
        ("2014Q1", "Q", "2014Q1", date(2014, 1, 1), date(2014, 3, 31), 2014),
        ("2014-Q4", "Q", "2014Q4", date(2014, 10, 1), date(2014, 12, 31), 2014),
        ("2016q1", "Q", "2016Q1", date(2016, 1, 1), date(2016, 3, 31), 2016),
        ("201401", "M", "2014-01", date(2014, 1, 1), date(2014, 1, 31), 2014),
        ("2014-12", "M", "2014-12", date(2014, 12, 1), date(2014, 12, 31), 2014),
        ("2014M07", "M", "2014-07", date(2014, 7, 1), date(2014, 7, 31), 2014),
        ("2016-M02", "M", "2016-02", date(2016, 2, 1), date(2016, 2, 29), 2016),
        (" 2016 ", "Y", "2016", date(2016, 1, 1), date(2016, 12, 31), 2016),
        ("2014-W03", "W", "2014-W03", date(2014, 1, 13), date(2014, 1, 19), 2014),
        ("2014W3", "W", "2014-W03", date(2014, 1, 13), date(2014, 1, 19), 2014),
        ("2014w03", "W", "2014-W03", date(2014, 1, 13), date(2014, 1, 19), 2014),
        # 53-week years; the last week ends in January of the next year but belongs to its own.
        ("2015-W53", "W", "2015-W53", date(2015, 12, 28), date(2016, 1, 3), 2015),
        ("2020W53", "W", "2020-W53", date(2020, 12, 28), date(2021, 1, 3), 2020),
        # Week 1 that starts in the previous December belongs to the new year.
        ("2020-W01", "W", "2020-W01", date(2019, 12, 30), date(2020, 1, 5), 2020),
        ("2015W1", "W", "2015-W01", date(2014, 12, 29), date(2015, 1, 4), 2015),
        ("2014-03-15", "D", "2014-03-15", date(2014, 3, 15), date(2014, 3, 15), 2014),
        ("20160229", "D", "2016-02-29", date(2016, 2, 29), date(2016, 2, 29), 2016),
        ("2014-D074", "D", "2014-03-15", date(2014, 3, 15), date(2014, 3, 15), 2014),
        ("2014-A1", "Y", "2014", date(2014, 1, 1), date(2014, 12, 31), 2014),
    ],
)
def test_the_template_form_reads_every_spelling(
    text: str, kind: str, code: str, start: date, end: date, year: int
) -> None:
    period = Period.parse(text)
    assert (period.kind, period.code, period.start, period.end, period.year) == (
        kind,
        code,
        start,
        end,
        year,
    )
    assert str(period) == code and repr(period) == f"Period({code!r})"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2014", "2014"),
        ("2014Q1", "2014Q1"),
        ("2014Q4", "2014Q4"),
        ("201401", "2014-01"),
        ("201412", "2014-12"),
        ("2014W1", "2014-W01"),
        ("2014W03", "2014-W03"),
        ("2015W53", "2015-W53"),
        ("20140101", "2014-01-01"),
        (" 201401 ", "2014-01"),
    ],
)
def test_dhis2_periods(text: str, code: str) -> None:
    assert Period.from_dhis2(text).code == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2014", "2014"),
        ("2014-A1", "2014"),
        ("2014-Q1", "2014Q1"),
        ("2014Q3", "2014Q3"),
        ("2014-01", "2014-01"),
        ("2014-M12", "2014-12"),
        ("2014-W03", "2014-W03"),
        ("2015-W53", "2015-W53"),
        ("2014-01-15", "2014-01-15"),
        ("2014-D001", "2014-01-01"),
        ("2016-D366", "2016-12-31"),
    ],
)
def test_sdmx_periods(text: str, code: str) -> None:
    assert Period.from_sdmx(text).code == code


@pytest.mark.parametrize(
    ("period", "dhis2", "sdmx"),
    [
        (Period.of_year(2014), "2014", "2014"),
        (Period.of_quarter(2014, 2), "2014Q2", "2014-Q2"),
        (Period.of_month(2014, 3), "201403", "2014-03"),
        (Period.of_week(2014, 3), "2014W3", "2014-W03"),
        (Period.of_week(2015, 53), "2015W53", "2015-W53"),
        (Period.of_day(date(2014, 3, 5)), "20140305", "2014-03-05"),
    ],
)
def test_each_system_is_written_its_own_way(period: Period, dhis2: str, sdmx: str) -> None:
    assert (period.to_dhis2(), period.to_sdmx()) == (dhis2, sdmx)


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (Period.parse, "", "the period is empty"),
        (Period.parse, "  ", "the period is empty"),
        (Period.parse, "14", "'14' is not a period: write a year (2014)"),
        (Period.parse, "x", "'x' is not a period"),
        (Period.parse, "2014-1", "'2014-1' is not a period"),
        (Period.parse, "2014-01-15T00:00", "'2014-01-15T00:00' is not a period"),
        (Period.parse, "2014-13", "'2014-13' is not a month: months are 01 to 12"),
        (Period.parse, "201400", "'201400' is not a month"),
        (Period.parse, "2014Q5", "'2014Q5' is not a quarter: quarters are 1 to 4"),
        (Period.parse, "2014Q0", "'2014Q0' is not a quarter"),
        (
            Period.parse,
            "2015-W54",
            "'2015-W54' is not a week: week 54 does not exist in 2015, which has 53 ISO weeks",
        ),
        (Period.parse, "2014W53", "week 53 does not exist in 2014, which has 52 ISO weeks"),
        (Period.parse, "2014-W00", "week 0 does not exist in 2014"),
        (Period.parse, "2015-02-29", "'2015-02-29' is not a day: 2015-02 has 28 days"),
        (Period.parse, "2014-13-01", "'2014-13-01' is not a day: months are 01 to 12"),
        (Period.parse, "2014-D366", "'2014-D366' is not a day: 2014 has 365 days"),
        (Period.parse, "1850", "year 1850 is outside 1900–2100"),
        (Period.parse, "2101", "year 2101 is outside 1900–2100"),
        (Period.parse, "2101-W01", "year 2101 is outside 1900–2100"),
        # Other scripts' digits are not digits here.
        (Period.parse, "٢٠١٤", "is not a period"),
        (Period.from_dhis2, "201413", "'201413' is not a month"),
        (Period.from_dhis2, "2014Q5", "is not a quarter"),
        (Period.from_dhis2, "2015W54", "week 54 does not exist in 2015"),
        (Period.from_dhis2, "20150229", "is not a day: 2015-02 has 28 days"),
        (Period.from_dhis2, "2014BiW1", "'2014BiW1' is not a DHIS2 period Ayni reads"),
        (Period.from_dhis2, "2014S1", "is not a DHIS2 period"),
        (Period.from_dhis2, "2014April", "is not a DHIS2 period"),
        (Period.from_dhis2, "201401B", "is not a DHIS2 period"),
        (Period.from_dhis2, "2014-01", "is not a DHIS2 period"),
        (Period.from_dhis2, "2014-W03", "is not a DHIS2 period"),
        (Period.from_sdmx, "2014-13", "'2014-13' is not a month"),
        (Period.from_sdmx, "2014-S1", "'2014-S1' is not an SDMX period Ayni reads"),
        (Period.from_sdmx, "2013/2014", "is not an SDMX period"),
        (Period.from_sdmx, "2014-01/P1Y", "is not an SDMX period"),
        (Period.from_sdmx, "2013-2014", "is not an SDMX period"),
        (Period.from_sdmx, "201401", "is not an SDMX period"),
        (Period.from_sdmx, "2014W3", "is not an SDMX period"),
    ],
)
def test_bad_periods_are_refused_with_the_reason(
    parse: Callable[[str], Period], text: str, message: str
) -> None:
    with pytest.raises(PeriodError) as refused:
        parse(text)
    assert message in str(refused.value)
    assert isinstance(refused.value, ValueError)


def test_iso_week_years() -> None:
    fifty_three = [year for year in range(2000, 2031) if iso_weeks_in(year) == 53]
    assert fifty_three == [2004, 2009, 2015, 2020, 2026]


def test_the_year_of_a_week_is_its_iso_year() -> None:
    assert Period.containing(PeriodKind.WEEK, date(2016, 1, 3)).code == "2015-W53"
    assert Period.containing(PeriodKind.WEEK, date(2016, 1, 3)).year == 2015
    assert Period.containing(PeriodKind.WEEK, date(2019, 12, 30)).year == 2020
    assert Period.containing(PeriodKind.DAY, date(2019, 12, 30)).year == 2019


def test_order_equality_and_parts() -> None:
    year, quarter = Period.of_year(2014), Period.of_quarter(2014, 1)
    week = Period.of_week(2014, 1)  # 30 December 2013 – 5 January 2014
    assert sorted([year, quarter, week]) == [week, quarter, year]
    assert Period.parse("2014-Q1") == Period.from_sdmx("2014-Q1") == quarter
    assert len({Period.parse("201401"), Period.from_dhis2("201401"), Period.of_month(2014, 1)}) == 1
    assert year != Period.of_month(2014, 1)
    parts = [
        (p.quarter, p.month, p.week)
        for p in (year, quarter, Period.of_month(2014, 5), week, Period.of_day(date(2014, 8, 2)))
    ]
    assert parts == [
        (None, None, None),
        (1, None, None),
        (2, 5, None),
        (None, None, 1),
        (3, 8, None),
    ]
