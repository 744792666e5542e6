"""What a user may pick for an agreement (form and API) is what the one permission check lets
them pick; reporting on an agreement is the agreement policy's ``report`` action, and a
service's refusal answers 400 naming its field.

The shared world has two offices: a Peru user never picks Bolivia's organisation (Save the
Children Bolivia), results (of a Bolivian programme) or places (La Paz)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from ayni.accounts.models import CountryOffice, User
from ayni.core.permissions import has_perm
from ayni.core.roles import Role
from ayni.core.tests.world import make_programme
from ayni.geography.models import Location
from ayni.partners.forms import AgreementForm
from ayni.partners.models import Agreement, Organisation, PartnerReport
from ayni.partners.policies import REPORT
from ayni.partners.services import partner_report_create
from ayni.partners.tests.conftest import place

pytestmark = pytest.mark.django_db


@pytest.fixture
def bolivia() -> dict:
    programme = make_programme(office_code="bolivia", code="bo-cp")
    return {
        "organisation": Organisation.objects.get(acronym="SCB"),
        "result": programme.results.get(code="C1.1"),
        "place": Location.objects.get(country__iso2="BO", code="02"),
        "programme": programme,
    }


# Field, the Bolivian record to post in it, whether the field takes several.
BOLIVIAN_CHOICES = [
    ("organisation", "organisation", False),
    ("results", "result", True),
    ("locations", "place", True),
    ("programme", "programme", False),
]


def payload(cp, **overrides) -> dict:
    data = {
        "reference": "PER/MOU/2012/777",
        "type": "mou",
        "title": "Child budget tracking",
        "organisation": Organisation.objects.get(acronym="CARE").pk,
        "programme": cp.pk,
        "start_date": "2012-01-01",
        "end_date": "2016-12-31",
        "results": [cp.results.get(code="C1").pk],
        "locations": [place("03").pk],
    }
    return {**data, **overrides}


def test_the_agreement_form_offers_pablo_nothing_of_bolivia(actor, programme, bolivia) -> None:
    form = AgreementForm(user=actor("pablo"))
    assert bolivia["organisation"] not in form.fields["organisation"].queryset
    assert bolivia["programme"] not in form.fields["programme"].queryset
    assert bolivia["result"] not in form.fields["results"].queryset
    assert bolivia["place"] not in form.fields["locations"].queryset
    assert programme.results.get(code="C1.1") in form.fields["results"].queryset
    assert place("03") in form.fields["locations"].queryset


def test_bruno_is_offered_bolivia_only(actor, programme, bolivia) -> None:
    form = AgreementForm(user=actor("bruno"))
    assert set(form.fields["organisation"].queryset) == {bolivia["organisation"]}
    assert bolivia["place"] in form.fields["locations"].queryset
    assert not form.fields["locations"].queryset.filter(country__iso2="PE").exists()
    assert not form.fields["results"].queryset.filter(programme=programme).exists()


@pytest.mark.parametrize(("field", "key", "many"), BOLIVIAN_CHOICES[:3])
def test_posting_a_bolivian_choice_on_the_page_is_refused_next_to_it(
    client_for, programme, bolivia, field, key, many
) -> None:
    data = {
        "reference": "PER/PCA/2012/901",
        "type": "pca",
        "title": "Early learning",
        "organisation": Organisation.objects.get(acronym="PLAN").pk,
        "programme": programme.pk,
        "start_date": "2012-01-01",
        "end_date": "2013-12-31",
        "currency": "USD",
        "results": [programme.results.get(code="C1.1").pk],
        "locations": [place("0301").pk],
        "source": "",
    }
    data[field] = [bolivia[key].pk] if many else bolivia[key].pk
    response = client_for("pablo").post(reverse("partners:agreement-create"), data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {field}
    assert not Agreement.objects.filter(reference="PER/PCA/2012/901").exists()


@pytest.mark.parametrize(("field", "key", "many"), BOLIVIAN_CHOICES)
def test_posting_a_bolivian_choice_to_the_api_is_refused_naming_it(
    api_for, programme, bolivia, field, key, many
) -> None:
    value = [bolivia[key].pk] if many else bolivia[key].pk
    response = api_for("pablo").post(
        "/api/agreements/", payload(programme, **{field: value}), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert not Agreement.objects.filter(reference="PER/MOU/2012/777").exists()


def test_a_peruvian_report_cannot_name_a_bolivian_agreement(api_for, programme) -> None:
    from ayni.partners.services import agreement_create

    bolivian = agreement_create(
        country_office=CountryOffice.objects.get(code="bolivia"),
        organisation=Organisation.objects.get(acronym="SCB"),
        reference="BOL/PCA/1",
        type=Agreement.Type.PCA,
        title="Bolivia",
    )
    response = api_for("pablo").post(
        "/api/partner-reports/",
        {"agreement": bolivian.pk, "period_start": "2012-07-01", "period_end": "2012-09-30"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["agreement"]


# Who may report on PLAN's agreement (the ``report`` action of the agreement policy).
MAY_REPORT_ON_PLAN = {
    "ana": True,
    "pablo": True,
    "root": True,
    "pia": True,
    "carlos": False,  # CARE's focal point: not his organisation's agreement
    "rosa": False,
    "diego": False,
    "bruno": False,
    "paula": False,
}


@pytest.mark.parametrize(("name", "allowed"), list(MAY_REPORT_ON_PLAN.items()))
def test_who_may_report_on_an_agreement(actor, make_agreement, name, allowed) -> None:
    plan = make_agreement("PLAN", status=Agreement.Status.ACTIVE)
    assert has_perm(actor(name), REPORT, plan) is allowed
    # On the model: editors of any office and partner focal points (each on their own).
    assert has_perm(actor(name), REPORT, Agreement) is (
        name in {"ana", "pablo", "root", "bruno", "pia", "carlos"}
    )


def test_the_report_button_follows_the_report_action(client_for, make_agreement) -> None:
    plan = make_agreement("PLAN", status=Agreement.Status.ACTIVE)
    page = reverse("partners:agreement-detail", args=[plan.pk])
    assert client_for("pia").get(page).context["can_report"] is True
    assert client_for("carlos").get(page).status_code == 404  # not his organisation's
    care = make_agreement("CARE", status=Agreement.Status.ACTIVE)
    page = reverse("partners:agreement-detail", args=[care.pk])
    assert client_for("pablo").get(page).context["can_report"] is True


def test_submitting_without_progress_answers_400_naming_narrative(api_for, make_agreement) -> None:
    plan = make_agreement("PLAN", status=Agreement.Status.ACTIVE)
    report = partner_report_create(
        agreement=plan, period_start=date(2012, 3, 1), period_end=date(2012, 6, 30)
    )
    response = api_for("pia").post(f"/api/partner-reports/{report.pk}/submit/")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["narrative"]
    assert PartnerReport.objects.get(pk=report.pk).status == PartnerReport.Status.DRAFT


def test_an_office_reader_who_may_not_change_a_report_cannot_submit_it(
    client_for, make_agreement
) -> None:
    # The service no longer asks who submits: the page asks before calling it.
    User.objects.create_user(
        username="mercedes",
        role=Role.ME_OFFICER,
        country_office=CountryOffice.objects.get(code="peru"),
    )
    plan = make_agreement("PLAN", status=Agreement.Status.ACTIVE)
    report = partner_report_create(
        agreement=plan,
        period_start=date(2012, 3, 1),
        period_end=date(2012, 6, 30),
        narrative="Done",
    )
    mercedes = client_for("mercedes")
    assert mercedes.get(report.get_absolute_url()).status_code == 200  # she reads it
    submit = reverse("partners:report-action", args=[report.pk, "submit"])
    assert mercedes.post(submit).status_code == 403
    assert PartnerReport.objects.get(pk=report.pk).status == PartnerReport.Status.DRAFT
    assert client_for("pia").post(submit).status_code == 302
    assert PartnerReport.objects.get(pk=report.pk).status == PartnerReport.Status.SUBMITTED
