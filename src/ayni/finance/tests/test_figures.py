"""The derived figures on a small case in soles, with grants in Canadian and US dollars.

Rates (units per USD): PEN 2.70 from 2012, 2.80 from 2014; CAD 1.00 from 2012, 1.25 from 2014.

Budget lines: C1.1.1 2012 rr 27,000.00 PEN; C1.1.2 2013 orr 10,000.00 USD (= 27,000.00 PEN at
1 Jan 2013); C2.1.1 2014 orr 1,000.00 CAD (= 2,240.00 PEN at 1 Jan 2014). Planned 56,240.00.
Grants: G1 CIDA 10,000 CAD signed orr; G2 PLAN 5,000 USD signed rr; G3 CIDA 2,000 USD pipeline
at 25 % orr; G4 PLAN 1,000 USD pledged rr.
Allocations: G1 3,000 CAD → C1.1.1 2012 (8,100.00 PEN); G1 1,000 CAD → C2.1.1 2014 (2,240.00);
G2 3,333.33 USD → C1.1.2 2013 (8,999.991 → 8,999.99). Funded 19,339.99.
Expenditures: 5,400.00 PEN on C1.1.1 (G1); 1,000.00 USD on C1.1.2 in 2013 (G2, 2,700.00). Spent
8,100.00.
Outlook on 2015-01-01: unallocated G1 6,000 CAD = 13,440.00; G2 1,666.67 USD = 4,666.68;
G3 2,000 USD = 5,600.00 × 25 % = 1,400.00; G4 1,000 USD = 2,800.00 → 19,339.99 + 22,306.68.
"""

from datetime import date
from decimal import Decimal

import pytest

from ayni.core.tests.world import make_programme
from ayni.finance import selectors, services
from ayni.finance.models import Grant

pytestmark = pytest.mark.django_db
ON = date(2015, 1, 1)
D = Decimal


@pytest.fixture
def soles(rates, types, donors):
    """The case above, in a programme whose currency is the sol."""
    programme = make_programme(code="soles")
    programme.currency = "PEN"
    programme.planned_total = D("56240.00")
    programme.save()
    r = {x.code: x for x in programme.results.all()}
    services.budget_line_set(
        result=r["C1.1.1"],
        year=2012,
        funding_type=types["rr"],
        amount=D("27000.00"),
        currency="PEN",
    )
    services.budget_line_set(
        result=r["C1.1.2"],
        year=2013,
        funding_type=types["orr"],
        amount=D("10000.00"),
        currency="USD",
    )
    services.budget_line_set(
        result=r["C2.1.1"],
        year=2014,
        funding_type=types["orr"],
        amount=D("1000.00"),
        currency="CAD",
    )

    def grant(donor, reference, amount, currency, ftype, stage, **extra):
        return services.grant_create(
            programme=programme,
            donor=donors[donor],
            reference=reference,
            amount=D(amount),
            currency=currency,
            funding_type=types[ftype],
            stage=stage,
            signed_date=date(2012, 2, 1) if stage == Grant.Stage.SIGNED else None,
            **extra,
        )

    g1 = grant("CIDA", "G1", "10000.00", "CAD", "orr", Grant.Stage.SIGNED)
    g2 = grant("PLAN", "G2", "5000.00", "USD", "rr", Grant.Stage.SIGNED)
    grant("CIDA", "G3", "2000.00", "USD", "orr", Grant.Stage.PIPELINE, probability=25)
    grant("PLAN", "G4", "1000.00", "USD", "rr", Grant.Stage.PLEDGED)
    for g, code, year, amount, day in [
        (g1, "C1.1.1", 2012, "3000.00", date(2012, 6, 1)),
        (g1, "C2.1.1", 2014, "1000.00", date(2014, 3, 1)),
        (g2, "C1.1.2", 2013, "3333.33", date(2013, 2, 1)),
    ]:
        services.allocation_create(grant=g, result=r[code], year=year, amount=D(amount), date=day)
    services.expenditure_record(
        result=r["C1.1.1"],
        year=2012,
        date=date(2012, 9, 1),
        amount=D("5400.00"),
        currency="PEN",
        grant=g1,
    )
    services.expenditure_record(
        result=r["C1.1.2"],
        year=2013,
        date=date(2013, 5, 1),
        amount=D("1000.00"),
        currency="USD",
        grant=g2,
    )
    return programme


def test_programme_figures_in_soles_are_exact(soles) -> None:
    assert selectors.programme_funding(soles, on=ON) == selectors.FundingFigures(
        planned=D("56240.00"),
        funded=D("19339.99"),
        gap=D("36900.01"),
        funded_pct=D("34.4"),
        spent=D("8100.00"),
        utilization_pct=D("41.9"),
        outlook=D("41646.67"),
        currency="PEN",
    )


def test_the_same_case_reported_in_dollars_converts_each_record_at_its_date(soles) -> None:
    soles.currency = "USD"
    figures = selectors.programme_funding(soles, on=ON)
    # Planned: 10,000.00 + 10,000.00 (27,000 / 2.70 each) + 800.00 (1,000 CAD / 1.25).
    assert figures.planned == D("20800.00")
    # Funded: 3,000.00 + 800.00 + 3,333.33.
    assert figures.funded == D("7133.33")
    # Spent: 2,000.00 (5,400 / 2.70) + 1,000.00.
    assert figures.spent == D("3000.00")
    assert figures.funded_pct == D("34.3")  # 34.2948…
    assert figures.utilization_pct == D("42.1")  # 42.0561…


def test_nothing_planned_and_nothing_funded_gives_zero_percent_and_no_utilization(
    programme,
) -> None:
    figures = selectors.programme_funding(programme)
    assert (figures.planned, figures.funded, figures.gap) == (D("0.00"), D("0.00"), D("0.00"))
    assert figures.funded_pct == D("0.0")
    assert figures.utilization_pct is None
    assert figures.currency == "USD"


def test_gap_is_never_negative_when_funding_exceeds_the_plan(make_grant, result) -> None:
    grant = make_grant("CIDA", "G-OVER", "500.00")
    services.allocation_create(
        grant=grant, result=result("C1.1"), year=2012, amount=D("500.00"), date=date(2012, 5, 1)
    )
    figures = selectors.programme_funding(result("C1").programme)
    assert figures.gap == D("0.00")
    assert figures.funded_pct == D("0.0")  # nothing planned


def test_funding_by_component_rolls_up_each_subtree(soles) -> None:
    rows = {
        row.label.split()[0]: row.figures for row in selectors.funding_by(soles, "component", on=ON)
    }
    assert list(rows) == ["C1", "C2"]
    assert (rows["C1"].planned, rows["C1"].funded, rows["C1"].spent) == (
        D("54000.00"),
        D("17099.99"),
        D("8100.00"),
    )
    assert (rows["C2"].planned, rows["C2"].funded, rows["C2"].gap) == (
        D("2240.00"),
        D("2240.00"),
        D("0.00"),
    )
    assert rows["C2"].funded_pct == D("100.0")


def test_funding_by_result_gives_every_result_its_subtree(soles) -> None:
    rows = {row.obj.code: row.figures for row in selectors.funding_by(soles, "result", on=ON)}
    assert list(rows) == ["C1", "C1.1", "C1.1.1", "C1.1.2", "C2", "C2.1", "C2.1.1", "C2.1.2"]
    assert rows["C1.1"].funded == D("17099.99")
    assert rows["C1.1.2"].funded == D("8999.99")
    assert rows["C1.1.2"].spent == D("2700.00")
    assert rows["C2.1.2"].planned == D("0.00")


def test_funding_by_year_follows_the_year_of_each_record(soles) -> None:
    rows = {row.key: row.figures for row in selectors.funding_by(soles, "year", on=ON)}
    assert list(rows) == [2012, 2013, 2014, 2015, 2016]
    assert (rows[2012].planned, rows[2012].funded, rows[2012].spent) == (
        D("27000.00"),
        D("8100.00"),
        D("5400.00"),
    )
    assert (rows[2013].planned, rows[2013].funded, rows[2013].spent) == (
        D("27000.00"),
        D("8999.99"),
        D("2700.00"),
    )
    assert rows[2014].funded == D("2240.00")
    assert rows[2016].planned == D("0.00")
    # Money not yet allocated has no year: the outlook of a year is what is funded in it.
    assert rows[2013].outlook == rows[2013].funded


def test_funding_by_funding_type_weights_the_pipeline(soles, types) -> None:
    rows = {row.key: row.figures for row in selectors.funding_by(soles, "funding_type", on=ON)}
    rr, orr, ore = rows[types["rr"].pk], rows[types["orr"].pk], rows[types["ore"].pk]
    assert (rr.planned, rr.funded, rr.spent, rr.outlook) == (
        D("27000.00"),
        D("8999.99"),
        D("2700.00"),
        D("16466.67"),
    )
    assert (orr.planned, orr.funded, orr.spent, orr.outlook) == (
        D("29240.00"),
        D("10340.00"),
        D("5400.00"),
        D("25180.00"),
    )
    assert ore.planned == ore.funded == D("0.00")
    assert None not in rows  # every expenditure is charged to a grant


def test_funding_by_donor_sets_planned_to_what_the_donor_funds(soles, donors) -> None:
    rows = {row.key: row.figures for row in selectors.funding_by(soles, "donor", on=ON)}
    cida, plan = rows[donors["CIDA"].pk], rows[donors["PLAN"].pk]
    assert (cida.planned, cida.funded, cida.gap, cida.funded_pct) == (
        D("10340.00"),
        D("10340.00"),
        D("0.00"),
        D("100.0"),
    )
    assert (cida.spent, cida.outlook) == (D("5400.00"), D("25180.00"))
    assert (plan.funded, plan.spent, plan.outlook) == (D("8999.99"), D("2700.00"), D("16466.67"))


def test_spending_charged_to_no_grant_has_its_own_row(soles) -> None:
    services.expenditure_record(
        result=soles.results.get(code="C2.1.2"),
        year=2015,
        date=date(2015, 2, 1),
        amount=D("100.00"),
        currency="PEN",
    )
    rows = selectors.funding_by(soles, "donor", on=ON)
    assert rows[-1].key is None
    assert rows[-1].figures.spent == D("100.00")
    assert sum(row.figures.spent for row in rows) == selectors.programme_funding(soles, on=ON).spent


def test_an_unknown_dimension_is_an_error(programme) -> None:
    with pytest.raises(ValueError, match="region"):
        selectors.funding_by(programme, "region")


def test_funding_tree_adds_each_amount_to_its_result_and_every_ancestor(
    make_grant, result, types
) -> None:
    programme = result("C1").programme
    for code, amount in [("C1.1.1", "100.00"), ("C1.1.2", "50.00"), ("C1", "7.00")]:
        services.budget_line_set(
            result=result(code),
            year=2013,
            funding_type=types["rr"],
            amount=D(amount),
            currency="USD",
        )
    grant = make_grant("CIDA", "G-T", "1000.00")
    services.allocation_create(
        grant=grant, result=result("C1.1.2"), year=2013, amount=D("40.00"), date=date(2013, 1, 5)
    )
    tree = selectors.funding_tree(programme)
    assert tree[result("C1.1.1").pk].planned == D("100.00")
    assert tree[result("C1.1").pk].planned == D("150.00")
    assert tree[result("C1").pk].planned == D("157.00")
    assert tree[result("C1").pk].funded == tree[result("C1.1").pk].funded == D("40.00")
    assert tree[result("C1.1.1").pk].funded == D("0.00")
    assert tree[result("C2").pk].planned == D("0.00")
    assert selectors.result_funding(result("C1.1")) == tree[result("C1.1").pk]


def test_an_earmarked_grant_counts_in_the_outlook_of_its_result_and_those_above(
    make_grant, result
) -> None:
    make_grant(
        "CIDA", "G-E", "300.00", earmark=Grant.Earmark.RESULT, earmarked_result=result("C2.1")
    )
    make_grant("PLAN", "G-P", "1000.00")  # the whole programme: no single result
    tree = selectors.funding_tree(result("C1").programme)
    assert tree[result("C2.1").pk].outlook == D("300.00")
    assert tree[result("C2").pk].outlook == D("300.00")
    assert tree[result("C2.1.1").pk].outlook == D("0.00")
    assert tree[result("C1").pk].outlook == D("0.00")
    assert selectors.programme_funding(result("C1").programme).outlook == D("1300.00")


def test_figures_read_a_fixed_number_of_queries_whatever_the_rows(
    soles, django_assert_max_num_queries
) -> None:
    grant = Grant.objects.get(programme=soles, reference="G2")
    for n in range(20):
        services.allocation_create(
            grant=grant,
            result=soles.results.get(code="C2.1.2"),
            year=2015,
            amount=D("1.00"),
            date=date(2015, 1, 2 + n % 20),
        )
    with django_assert_max_num_queries(7):
        selectors.programme_funding(soles, on=ON)
    with django_assert_max_num_queries(7):
        selectors.funding_tree(soles, on=ON)
    with django_assert_max_num_queries(8):
        selectors.funding_by(soles, "donor", on=ON)
