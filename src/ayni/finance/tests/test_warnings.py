"""What needs attention: expiring grants with money left, unfunded results, a budget that does
not add up."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from ayni.finance import selectors, services
from ayni.finance.models import Grant

pytestmark = pytest.mark.django_db
TODAY = date(2015, 6, 1)
D = Decimal


def _kinds(programme, kind):
    return [w for w in selectors.funding_warnings(programme, today=TODAY) if w.kind == kind]


def test_a_signed_grant_expiring_within_90_days_with_money_unspent_is_flagged(
    make_grant, result
) -> None:
    grant = make_grant("CIDA", "G-EXP", "1000.00", expiry_date=TODAY + timedelta(days=90))
    services.allocation_create(
        grant=grant, result=result("C1.1"), year=2015, amount=D("600.00"), date=TODAY
    )
    services.expenditure_record(
        result=result("C1.1"),
        year=2015,
        date=TODAY,
        amount=D("250.00"),
        currency="USD",
        grant=grant,
    )
    [warning] = _kinds(grant.programme, "grant_expiring")
    assert "G-EXP" in warning.message
    assert "2015-08-30" in warning.message
    assert "750.00 USD" in warning.message  # unspent
    assert "400.00 USD" in warning.message  # not allocated
    assert warning.url == grant.get_absolute_url()


def test_a_grant_expiring_later_than_90_days_is_not_flagged(make_grant) -> None:
    grant = make_grant("CIDA", "G-LATER", "1000.00", expiry_date=TODAY + timedelta(days=91))
    assert _kinds(grant.programme, "grant_expiring") == []


def test_a_grant_already_expired_is_not_flagged_as_expiring(make_grant) -> None:
    grant = make_grant("CIDA", "G-GONE", "1000.00", expiry_date=TODAY - timedelta(days=1))
    assert _kinds(grant.programme, "grant_expiring") == []


def test_an_expiring_grant_fully_spent_is_not_flagged(make_grant, result) -> None:
    grant = make_grant("CIDA", "G-DONE", "1000.00", expiry_date=TODAY + timedelta(days=10))
    services.allocation_create(
        grant=grant, result=result("C1.1"), year=2015, amount=D("1000.00"), date=TODAY
    )
    services.expenditure_record(
        result=result("C1.1"),
        year=2015,
        date=TODAY,
        amount=D("1000.00"),
        currency="USD",
        grant=grant,
    )
    assert _kinds(grant.programme, "grant_expiring") == []


def test_an_expiring_pipeline_grant_is_not_flagged(make_grant) -> None:
    grant = make_grant(
        "CIDA",
        "G-PIPE",
        "1000.00",
        stage=Grant.Stage.PIPELINE,
        signed_date=None,
        expiry_date=TODAY + timedelta(days=10),
    )
    assert _kinds(grant.programme, "grant_expiring") == []


def test_components_and_outputs_with_a_budget_and_no_allocation_are_flagged(
    make_grant, result, types
) -> None:
    for code in ("C1.1.1", "C2.1.1"):
        services.budget_line_set(
            result=result(code),
            year=2013,
            funding_type=types["rr"],
            amount=D("100.00"),
            currency="USD",
        )
    grant = make_grant("CIDA", "G-C1", "1000.00")
    services.allocation_create(
        grant=grant, result=result("C1.1.2"), year=2013, amount=D("10.00"), date=TODAY
    )
    flagged = [w.message.split()[0] for w in _kinds(grant.programme, "result_unfunded")]
    # C1 is funded through C1.1.2; activities are not flagged one by one.
    assert flagged == ["C2", "C2.1"]
    assert _kinds(grant.programme, "result_unfunded")[0].url.endswith(f"#result-{result('C2').pk}")


def test_a_retired_output_is_not_flagged_as_unfunded(result, types) -> None:
    from ayni.programmes.services import result_retire

    services.budget_line_set(
        result=result("C2.1.1"),
        year=2013,
        funding_type=types["rr"],
        amount=D("100.00"),
        currency="USD",
    )
    result_retire(result=result("C2.1"), reason="merged")
    flagged = [w.message.split()[0] for w in _kinds(result("C2").programme, "result_unfunded")]
    assert flagged == ["C2"]


def test_budget_lines_that_do_not_add_up_to_the_planned_total_are_flagged(result, types) -> None:
    programme = result("C1").programme
    services.budget_line_set(
        result=result("C1.1.1"),
        year=2013,
        funding_type=types["rr"],
        amount=D("999000.00"),
        currency="USD",
    )
    [warning] = _kinds(programme, "budget_mismatch")
    assert "999,000.00 USD" in warning.message
    assert "1,000,000.00 USD" in warning.message
    assert "1,000.00 USD" in warning.message


def test_budget_lines_that_add_up_raise_no_mismatch(result, types) -> None:
    services.budget_line_set(
        result=result("C1.1.1"),
        year=2013,
        funding_type=types["rr"],
        amount=D("1000000.00"),
        currency="USD",
    )
    assert _kinds(result("C1").programme, "budget_mismatch") == []
