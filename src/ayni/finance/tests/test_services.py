"""The rules of the finance services: each refusal names its field and saves nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ayni.core.tests.world import make_programme
from ayni.finance import services
from ayni.finance.models import Allocation, BudgetLine, FundingType, Grant, GrantInstalment
from ayni.partners.models import Organisation

pytestmark = pytest.mark.django_db
D = Decimal
DAY = date(2013, 4, 1)


def _refused(field, call, **kwargs) -> str:
    with pytest.raises(ValidationError) as refused:
        call(**kwargs)
    assert list(refused.value.message_dict) == [field]
    return refused.value.message_dict[field][0]


def test_funding_types_are_created_once_with_both_names(types) -> None:
    again = services.funding_types_ensure()
    assert FundingType.objects.count() == 3
    assert again["orr"].pk == types["orr"].pk
    assert (again["ore"].name_en, again["ore"].name_es) == (
        "Other resources – emergency",
        "Otros recursos – emergencia",
    )


def test_a_budget_line_in_an_unknown_currency_is_refused_naming_currency(result, types) -> None:
    before = BudgetLine.objects.count()
    message = _refused(
        "currency",
        services.budget_line_set,
        result=result("C1.1"),
        year=2013,
        funding_type=types["rr"],
        amount=D("10.00"),
        currency="XYZ",
    )
    assert "XYZ" in message
    assert BudgetLine.objects.count() == before


def test_a_budget_line_outside_the_programme_years_is_refused_naming_year(result, types) -> None:
    message = _refused(
        "year",
        services.budget_line_set,
        result=result("C1.1"),
        year=2017,
        funding_type=types["rr"],
        amount=D("10.00"),
        currency="USD",
    )
    assert "2012" in message and "2016" in message


def test_a_negative_budget_line_is_refused_naming_amount(result, types) -> None:
    _refused(
        "amount",
        services.budget_line_set,
        result=result("C1.1"),
        year=2013,
        funding_type=types["rr"],
        amount=D("-1.00"),
        currency="USD",
    )


def test_setting_a_budget_line_again_replaces_its_amount(result, types) -> None:
    for amount in ("10.00", "12.50"):
        services.budget_line_set(
            result=result("C1.1"),
            year=2013,
            funding_type=types["rr"],
            amount=D(amount),
            currency="usd",
        )
    line = BudgetLine.objects.get(result=result("C1.1"))
    assert (line.amount, line.currency) == (D("12.50"), "USD")


def test_allocating_more_than_the_grant_holds_is_refused_naming_amount(make_grant, result) -> None:
    grant = make_grant("CIDA", "G-1", "1000.00")
    services.allocation_create(
        grant=grant, result=result("C1.1"), year=2013, amount=D("700.00"), date=DAY
    )
    before = Allocation.objects.count()
    message = _refused(
        "amount",
        services.allocation_create,
        grant=grant,
        result=result("C2.1"),
        year=2013,
        amount=D("300.01"),
        date=DAY,
    )
    assert Allocation.objects.count() == before
    assert "1,000.00 USD" in message  # what the grant holds
    assert "700.00 USD" in message  # already allocated
    assert "300.00 USD" in message  # available


def test_allocating_exactly_what_remains_is_accepted(make_grant, result) -> None:
    grant = make_grant("CIDA", "G-1", "1000.00")
    services.allocation_create(
        grant=grant, result=result("C1.1"), year=2013, amount=D("700.00"), date=DAY
    )
    services.allocation_create(
        grant=grant, result=result("C2.1"), year=2014, amount=D("300.00"), date=DAY
    )
    assert Allocation.objects.filter(grant=grant).count() == 2


@pytest.mark.parametrize("stage", [Grant.Stage.PIPELINE, Grant.Stage.PLEDGED])
def test_allocating_from_a_grant_not_yet_signed_is_refused_naming_grant(
    make_grant, result, stage
) -> None:
    grant = make_grant("CIDA", "G-P", "1000.00", stage=stage, signed_date=None)
    message = _refused(
        "grant",
        services.allocation_create,
        grant=grant,
        result=result("C1.1"),
        year=2013,
        amount=D("1.00"),
        date=DAY,
    )
    assert str(Grant.Stage(stage).label) in message
    assert not Allocation.objects.filter(grant=grant).exists()


def test_allocating_to_a_result_of_another_programme_is_refused_naming_result(make_grant) -> None:
    grant = make_grant("CIDA", "G-1", "1000.00")
    other = make_programme(code="other").results.get(code="C1")
    _refused(
        "result",
        services.allocation_create,
        grant=grant,
        result=other,
        year=2013,
        amount=D("1.00"),
        date=DAY,
    )


def test_allocating_outside_the_earmarked_component_is_refused_naming_result(
    make_grant, result
) -> None:
    grant = make_grant(
        "CIDA", "G-E", "1000.00", earmark=Grant.Earmark.COMPONENT, earmarked_result=result("C1")
    )
    services.allocation_create(
        grant=grant, result=result("C1.1.2"), year=2013, amount=D("1.00"), date=DAY
    )
    message = _refused(
        "result",
        services.allocation_create,
        grant=grant,
        result=result("C2.1"),
        year=2013,
        amount=D("1.00"),
        date=DAY,
    )
    assert "C1" in message


def test_allocating_to_a_retired_result_is_refused_naming_result(make_grant, result) -> None:
    from ayni.programmes.services import result_retire

    grant = make_grant("CIDA", "G-1", "1000.00")
    result_retire(result=result("C2.1"), reason="dropped")
    _refused(
        "result",
        services.allocation_create,
        grant=grant,
        result=result("C2.1"),
        year=2013,
        amount=D("1.00"),
        date=DAY,
    )


def test_allocating_outside_the_programme_years_is_refused_naming_year(make_grant, result) -> None:
    grant = make_grant("CIDA", "G-1", "1000.00")
    _refused(
        "year",
        services.allocation_create,
        grant=grant,
        result=result("C1"),
        year=2011,
        amount=D("1.00"),
        date=DAY,
    )


def test_a_grant_earmarked_to_a_component_must_name_a_component(
    programme, result, types, donors
) -> None:
    _refused(
        "earmarked_result",
        services.grant_create,
        programme=programme,
        donor=donors["CIDA"],
        reference="G-X",
        amount=D("1.00"),
        currency="USD",
        funding_type=types["rr"],
        earmark=Grant.Earmark.COMPONENT,
        earmarked_result=result("C1.1"),
    )


def test_a_grant_earmarked_to_a_result_must_name_one(programme, types, donors) -> None:
    _refused(
        "earmarked_result",
        services.grant_create,
        programme=programme,
        donor=donors["CIDA"],
        reference="G-X",
        amount=D("1.00"),
        currency="USD",
        funding_type=types["rr"],
        earmark=Grant.Earmark.RESULT,
    )


def test_a_grant_cannot_expire_before_it_starts(programme, types, donors) -> None:
    _refused(
        "expiry_date",
        services.grant_create,
        programme=programme,
        donor=donors["CIDA"],
        reference="G-X",
        amount=D("1.00"),
        currency="USD",
        funding_type=types["rr"],
        start_date=date(2014, 1, 1),
        expiry_date=date(2013, 12, 31),
    )
    assert not Grant.objects.filter(reference="G-X").exists()


def test_a_grant_reference_is_unique_in_its_programme(make_grant) -> None:
    make_grant("CIDA", "G-1", "1.00")
    message = _refused("reference", make_grant, donor="PLAN", reference="G-1", amount="2.00")
    assert "G-1" in message


def test_a_donor_of_another_office_cannot_fund_a_peru_programme(programme, types) -> None:
    bolivian = services.donor_ensure(
        organisation=Organisation.objects.get(acronym="SCB"), code="scb"
    )
    _refused(
        "donor",
        services.grant_create,
        programme=programme,
        donor=bolivian,
        reference="G-X",
        amount=D("1.00"),
        currency="USD",
        funding_type=types["rr"],
    )


def test_a_grant_moves_forward_through_its_stages_and_signing_sets_the_date(make_grant) -> None:
    grant = make_grant("CIDA", "G-1", "10.00", stage=Grant.Stage.PIPELINE, signed_date=None)
    # Each step's date is entered, in order (a step is never dated before the previous one).
    services.grant_advance(grant=grant, stage=Grant.Stage.PLEDGED, on=date(2013, 2, 1))
    services.grant_advance(grant=grant, stage=Grant.Stage.SIGNED, on=date(2013, 5, 2))
    grant.refresh_from_db()
    assert (grant.stage, grant.signed_date) == (Grant.Stage.SIGNED, date(2013, 5, 2))


def test_a_grant_cannot_move_back_to_an_earlier_stage(make_grant) -> None:
    grant = make_grant("CIDA", "G-1", "10.00")
    message = _refused("stage", services.grant_advance, grant=grant, stage=Grant.Stage.PLEDGED)
    assert "signed" in message


def test_signing_without_a_date_is_refused_naming_signed_date(make_grant) -> None:
    grant = make_grant("CIDA", "G-1", "10.00", stage=Grant.Stage.PLEDGED, signed_date=None)
    _refused("signed_date", services.grant_advance, grant=grant, stage=Grant.Stage.SIGNED)
    grant.refresh_from_db()
    assert grant.stage == Grant.Stage.PLEDGED


def test_instalments_cannot_add_up_to_more_than_the_grant(make_grant) -> None:
    grant = make_grant("CIDA", "G-1", "100.00")
    services.instalment_add(grant=grant, due_date=date(2013, 1, 1), amount=D("60.00"))
    message = _refused(
        "amount", services.instalment_add, grant=grant, due_date=date(2014, 1, 1), amount=D("40.01")
    )
    assert "40.00 USD" in message
    assert GrantInstalment.objects.filter(grant=grant).count() == 1


def test_receiving_every_instalment_makes_the_grant_received(make_grant) -> None:
    grant = make_grant("CIDA", "G-1", "100.00")
    first = services.instalment_add(grant=grant, due_date=date(2013, 1, 1), amount=D("60.00"))
    second = services.instalment_add(grant=grant, due_date=date(2014, 1, 1), amount=D("40.00"))
    services.instalment_receive(instalment=first, received_date=date(2013, 1, 10))
    grant.refresh_from_db()
    assert grant.stage == Grant.Stage.SIGNED
    services.instalment_receive(instalment=second, received_date=date(2014, 1, 10))
    grant.refresh_from_db()
    assert grant.stage == Grant.Stage.RECEIVED


def test_an_expenditure_in_an_unknown_currency_is_refused_naming_currency(result) -> None:
    _refused(
        "currency",
        services.expenditure_record,
        result=result("C1.1"),
        year=2013,
        date=DAY,
        amount=D("1.00"),
        currency="ABC",
    )


def test_an_amount_with_fractions_of_a_cent_is_refused(make_grant, result) -> None:
    grant = make_grant("CIDA", "G-1", "100.00")
    _refused(
        "amount",
        services.allocation_create,
        grant=grant,
        result=result("C1"),
        year=2013,
        amount=D("1.005"),
        date=DAY,
    )


def test_a_grant_with_allocations_cannot_be_deleted(make_grant, result) -> None:
    grant = make_grant("CIDA", "G-1", "100.00")
    services.allocation_create(
        grant=grant, result=result("C1"), year=2013, amount=D("1.00"), date=DAY
    )
    _refused("__all__", services.record_delete, record=grant)
    assert Grant.objects.filter(pk=grant.pk).exists()
