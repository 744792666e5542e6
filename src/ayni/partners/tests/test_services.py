"""Agreement and partner report services: what they refuse, naming the field, and what they keep."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ayni.accounts.models import CountryOffice
from ayni.core.permissions import has_perm
from ayni.core.tests.world import make_programme
from ayni.partners.models import Agreement, Organisation, PartnerReport
from ayni.partners.services import (
    agreement_create,
    agreement_update,
    organisation_create,
    partner_report_accept,
    partner_report_create,
    partner_report_return,
    partner_report_submit,
    partner_report_update,
)
from ayni.partners.tests.conftest import place

pytestmark = pytest.mark.django_db
S = Agreement.Status


def errors_of(function, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        function(**kwargs)
    return caught.value.message_dict


def peru() -> CountryOffice:
    return CountryOffice.objects.get(code="peru")


def test_create_keeps_results_places_and_contributions(make_agreement, programme) -> None:
    agreement = make_agreement("CARE", places=["0301", "08"])
    assert agreement.status == S.DRAFT
    assert [r.code for r in agreement.results.all()] == ["C1.1"]
    assert sorted(agreement.locations.values_list("code", flat=True)) == ["0301", "08"]
    assert agreement.unicef_contribution == Decimal("150000.00")


def test_create_refuses_another_offices_partner_and_programme(programme) -> None:
    bolivian = Organisation.objects.get(acronym="SCB")
    other_programme = make_programme("bolivia", code="bo-cp")
    errors = errors_of(
        agreement_create,
        country_office=peru(),
        organisation=bolivian,
        reference="X/1",
        type=Agreement.Type.MOU,
        title="Wrong office",
        programme=other_programme,
    )
    assert set(errors) >= {"organisation", "programme"}
    assert not Agreement.objects.filter(reference="X/1").exists()


def test_results_must_belong_to_the_agreements_programme(programme) -> None:
    other = make_programme(code="other-cp")
    errors = errors_of(
        agreement_create,
        country_office=peru(),
        organisation=Organisation.objects.get(acronym="PLAN"),
        reference="X/2",
        type=Agreement.Type.PCA,
        title="Mixed results",
        programme=programme,
        results=[other.results.get(code="C2.1")],
    )
    assert "C2.1" in errors["results"][0]


def test_results_need_a_programme(programme) -> None:
    errors = errors_of(
        agreement_create,
        country_office=peru(),
        organisation=Organisation.objects.get(acronym="PLAN"),
        reference="X/3",
        type=Agreement.Type.PCA,
        title="No programme",
        results=[programme.results.get(code="C1")],
    )
    assert "results" in errors


def test_currency_dates_amounts_places_and_reference_are_checked(make_agreement) -> None:
    make_agreement(reference="PER/PCA/2012/777")
    bolivian_place = CountryOffice.objects.get(code="bolivia").country.locations.first()
    errors = errors_of(
        agreement_create,
        country_office=peru(),
        organisation=Organisation.objects.get(acronym="PLAN"),
        reference="per/pca/2012/777",
        type=Agreement.Type.PCA,
        title="Everything wrong",
        currency="XXQ",
        start_date=date(2013, 1, 1),
        end_date=date(2012, 1, 1),
        unicef_contribution=Decimal("-1"),
        locations=[bolivian_place],
    )
    assert set(errors) >= {
        "reference",
        "currency",
        "end_date",
        "unicef_contribution",
        "locations",
    }
    assert "ISO 4217" in errors["currency"][0]


def test_an_unknown_type_and_a_blank_title_are_refused() -> None:
    errors = errors_of(
        agreement_create,
        country_office=peru(),
        organisation=Organisation.objects.get(acronym="PLAN"),
        reference="X/4",
        type="grant",
        title="  ",
    )
    assert set(errors) >= {"type", "title"}


def test_update_replaces_links_while_in_review(make_agreement, programme) -> None:
    agreement = make_agreement(status=S.IN_REVIEW, places=["03"])
    updated = agreement_update(
        agreement=agreement,
        title="Renamed",
        results=list(programme.results.filter(code__in=["C1.1", "C2.1"])),
        locations=[place("08")],
    )
    assert updated.title == "Renamed"
    assert sorted(updated.results.values_list("code", flat=True)) == ["C1.1", "C2.1"]
    assert list(updated.locations.values_list("code", flat=True)) == ["08"]


@pytest.mark.parametrize("status", [S.SIGNED, S.ACTIVE, S.ENDED, S.TERMINATED])
def test_signed_terms_cannot_be_edited(make_agreement, status) -> None:
    agreement = make_agreement(status=status)
    errors = errors_of(agreement_update, agreement=agreement, unicef_contribution=Decimal("1"))
    assert list(errors) == ["status"]
    assert Agreement.objects.get(pk=agreement.pk).unicef_contribution == Decimal("150000.00")


def test_status_cannot_be_set_by_update(make_agreement) -> None:
    agreement = make_agreement()
    assert "status" in errors_of(agreement_update, agreement=agreement, status=S.ACTIVE)
    assert Agreement.objects.get(pk=agreement.pk).status == S.DRAFT


def test_organisation_names_are_unique_within_an_office() -> None:
    errors = errors_of(
        organisation_create, country_office=peru(), name="plan international", type="ngo"
    )
    assert "name" in errors
    created = organisation_create(
        country_office=peru(),
        name="Mesa de Concertación para la Lucha contra la Pobreza",
        acronym="MCLCP",
        type=Organisation.Type.COORDINATION_BODY,
    )
    assert created.pk and created.country_office == peru()


# --- partner reports -------------------------------------------------------------------------


def report_for(agreement, start=date(2012, 3, 1), end=date(2012, 6, 30), **kwargs):
    return partner_report_create(agreement=agreement, period_start=start, period_end=end, **kwargs)


@pytest.mark.parametrize("status", [S.DRAFT, S.IN_REVIEW, S.ENDED, S.TERMINATED])
def test_reports_only_on_signed_active_or_suspended_agreements(make_agreement, status) -> None:
    errors = errors_of(report_for, agreement=make_agreement(status=status))
    assert list(errors) == ["agreement"]


def test_report_periods_lie_within_the_agreement(make_agreement) -> None:
    agreement = make_agreement(status=S.ACTIVE)
    errors = errors_of(
        report_for, agreement=agreement, start=date(2012, 1, 1), end=date(2014, 1, 31)
    )
    assert set(errors) == {"period_start", "period_end"}


def test_report_periods_do_not_overlap(make_agreement) -> None:
    agreement = make_agreement(status=S.ACTIVE)
    report_for(agreement)
    errors = errors_of(
        report_for, agreement=agreement, start=date(2012, 6, 1), end=date(2012, 9, 30)
    )
    assert "overlaps" in errors["period_start"][0]
    assert report_for(agreement, start=date(2012, 7, 1), end=date(2012, 9, 30)).pk
    assert PartnerReport.objects.filter(agreement=agreement).count() == 2


def test_report_submit_accept_and_return(make_agreement, actor) -> None:
    agreement = make_agreement("PLAN", status=S.ACTIVE)
    report = report_for(agreement)
    assert "narrative" in errors_of(partner_report_submit, report=report, user=actor("pia"))
    report = partner_report_update(report=report, narrative="12 community centres opened.")
    report = partner_report_submit(report=report, user=actor("pia"))
    assert report.status == PartnerReport.Status.SUBMITTED and report.submitted_at
    # Accepting is the office's decision (asked by the caller, not the service).
    assert not has_perm(actor("pia"), "accept", report) and has_perm(
        actor("pablo"), "accept", report
    )
    assert "confirm" in errors_of(partner_report_accept, report=report, user=actor("pablo"))
    assert "reason" in errors_of(
        partner_report_return, report=report, user=actor("pablo"), reason=""
    )
    report = partner_report_return(report=report, user=actor("pablo"), reason="Add the numbers.")
    assert (report.status, report.return_reason) == ("returned", "Add the numbers.")
    report = partner_report_submit(report=report, user=actor("pia"))
    report = partner_report_accept(report=report, user=actor("pablo"), confirm=True)
    assert report.status == PartnerReport.Status.ACCEPTED
    assert "status" in errors_of(partner_report_update, report=report, narrative="changed")


def test_another_partner_cannot_submit(make_agreement, actor) -> None:
    report = report_for(make_agreement("PLAN", status=S.ACTIVE), narrative="Done")
    assert not has_perm(actor("carlos"), "submit", report)
    assert not has_perm(actor("bruno"), "accept", report)
    assert has_perm(actor("pia"), "submit", report)
