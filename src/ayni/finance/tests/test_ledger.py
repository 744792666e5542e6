"""One ledger per request: the figures read from a ledger built once equal those each selector
reads on its own, on the default programme (soles and Canadian dollars among its grants)."""

from datetime import date

import pytest

from ayni.accounts.models import CountryOffice
from ayni.demo.programme import load_default_programme
from ayni.finance import selectors
from ayni.finance.models import Grant

pytestmark = pytest.mark.django_db
ON = date(2015, 6, 1)
# Before the cycle, inside it, and 90 days before the demo grants expire (31 December 2016).
TODAYS = (date(2012, 1, 1), ON, date(2016, 10, 15))


@pytest.fixture
def default_programme():
    return load_default_programme(CountryOffice.objects.get(code="peru")).programme


def _rows(rows):
    return [(row.key, row.label, row.figures, getattr(row.obj, "pk", None)) for row in rows]


def test_every_figure_from_one_ledger_equals_the_figure_read_on_its_own(
    default_programme,
) -> None:
    ledger = selectors.ledger(default_programme, on=ON)
    totals = selectors.programme_funding(ledger)
    assert totals == selectors.programme_funding(default_programme, on=ON)
    assert totals.planned == default_programme.planned_total
    for dimension in selectors.DIMENSIONS:
        rows = _rows(selectors.funding_by(ledger, dimension))
        assert rows, dimension
        assert rows == _rows(selectors.funding_by(default_programme, dimension, on=ON))
    tree = selectors.funding_tree(ledger)
    assert tree == selectors.funding_tree(default_programme, on=ON)
    assert len(tree) == default_programme.results.count()
    for result in default_programme.results.all():
        assert tree[result.pk] == selectors.result_funding(result, on=ON)
    table, year_totals = selectors.budget_table(ledger)
    old_table, old_year_totals = selectors.budget_table(default_programme, on=ON)
    assert [(r.pk, by_year, f) for r, by_year, f in table] == [
        (r.pk, by_year, f) for r, by_year, f in old_table
    ]
    assert year_totals == old_year_totals


@pytest.mark.parametrize("today", TODAYS)
def test_the_warnings_from_a_ledger_of_any_date_equal_those_read_on_their_own(
    default_programme, today
) -> None:
    expected = selectors.funding_warnings(default_programme, today=today)
    for read_on in (today, ON):
        ledger = selectors.ledger(default_programme, on=read_on)
        assert selectors.funding_warnings(ledger, today=today) == expected


def test_the_demo_has_expiring_grants_so_the_warnings_above_compare_grant_spending(
    default_programme,
) -> None:
    warnings = selectors.funding_warnings(default_programme, today=date(2016, 10, 15))
    assert any(w.kind == "grant_expiring" for w in warnings)


def test_a_ledger_gives_each_grant_s_spending_in_the_grant_s_currency_as_grant_spent(
    default_programme,
) -> None:
    grants = {g.pk: g.currency for g in Grant.objects.filter(programme=default_programme)}
    assert {"CAD", "PEN", "USD"} <= set(grants.values())
    spent = selectors.ledger(default_programme).spent_by_grant(grants)
    assert spent and spent == selectors.grant_spent(grants, grants)


def test_the_figures_read_nothing_more_from_a_ledger(
    default_programme, django_assert_num_queries
) -> None:
    with django_assert_num_queries(6):  # results, budget, allocations, spending, grants, rates
        ledger = selectors.ledger(default_programme)
    with django_assert_num_queries(0):
        selectors.programme_funding(ledger)
        selectors.funding_tree(ledger)
        selectors.budget_table(ledger)
        for dimension in ("component", "result", "year"):
            selectors.funding_by(ledger, dimension)
    with django_assert_num_queries(1):  # the funding types' names
        selectors.funding_by(ledger, "funding_type")
    with django_assert_num_queries(1):  # the grants expiring soon
        selectors.funding_warnings(ledger, today=date(2016, 10, 15))


def test_a_ledger_read_on_one_date_refuses_to_answer_for_another(default_programme) -> None:
    ledger = selectors.ledger(default_programme, on=ON)
    assert selectors.programme_funding(ledger, on=ON) == selectors.programme_funding(ledger)
    with pytest.raises(ValueError, match="2015-06-01"):
        selectors.programme_funding(ledger, on=date(2016, 1, 1))
