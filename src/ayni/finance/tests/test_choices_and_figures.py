"""Finance choices come from the one permission check (a Peru user never picks Bolivia's
programme, donor, result or grant, on a form or in the API); who reads the office's figures is
the budget line policy's ``view_office_figures`` action; service refusals answer 400."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ayni.accounts.models import CountryOffice, User
from ayni.core.permissions import has_perm
from ayni.core.roles import Role
from ayni.finance.forms import AllocationForm, GrantForm
from ayni.finance.models import Allocation, BudgetLine, CashTransfer, Expenditure, Grant
from ayni.finance.policies import VIEW_OFFICE_FIGURES

pytestmark = pytest.mark.django_db


@pytest.fixture
def bolivian(funded) -> dict:
    grant = funded["bolivia"]
    return {
        "grant": grant,
        "programme": grant.programme,
        "donor": grant.donor,
        "result": grant.programme.results.get(code="C1.1"),
    }


def test_the_grant_form_offers_ana_nothing_of_bolivia(actor, funded, bolivian) -> None:
    form = GrantForm(user=actor("ana"))
    assert list(form.fields["programme"].queryset) == [funded["programme"]]
    assert bolivian["donor"] not in form.fields["donor"].queryset
    assert bolivian["result"] not in form.fields["earmarked_result"].queryset
    assert form.fields["earmarked_result"].queryset.filter(code="C1.1").count() == 1
    assert form.fields["programme"].initial == funded["programme"].pk  # the only one


def test_the_allocation_form_offers_only_results_the_user_may_see(actor, funded) -> None:
    form = AllocationForm(grant=funded["cida"], user=actor("ana"))
    assert form.fields["result"].queryset.count() == 8
    # Another office's user is offered nothing of this grant's programme.
    assert (
        not AllocationForm(grant=funded["cida"], user=actor("bruno"))
        .fields["result"]
        .queryset.exists()
    )


def test_posting_a_bolivian_donor_on_the_grant_page_is_refused_next_to_it(
    client_for, funded, bolivian, types
) -> None:
    response = client_for("ana").post(
        reverse("finance:grant-create"),
        {
            "programme": funded["programme"].pk,
            "donor": bolivian["donor"].pk,
            "reference": "G-MIXED",
            "funding_type": types["orr"].pk,
            "amount": "10.00",
            "currency": "USD",
            "stage": "pipeline",
            "probability": "50",
            "earmark": "programme",
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"donor"}
    assert not Grant.objects.filter(reference="G-MIXED").exists()


@pytest.mark.parametrize(
    ("route", "field", "model"),
    [
        ("expenditures", "grant", Expenditure),
        ("expenditures", "result", Expenditure),
        ("allocations", "grant", Allocation),
        ("cash-transfers", "grant", CashTransfer),
    ],
)
def test_posting_a_bolivian_record_to_the_api_is_refused_naming_it(
    api_for, funded, bolivian, result, route, field, model
) -> None:
    before = model.objects.count()
    data = {
        "result": result("C1.1").pk,
        "grant": funded["cida"].pk,
        "year": 2013,
        "date": "2013-05-01",
        "amount": "1.00",
        "currency": "USD",
        field: bolivian[field].pk,
    }
    if route == "cash-transfers":
        data.update(agreement=_agreement(funded).pk, modality="direct_cash")
    response = api_for("ana").post(f"/api/{route}/", data, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert model.objects.count() == before


def _agreement(funded):
    from ayni.partners.models import Agreement, Organisation
    from ayni.partners.services import agreement_create

    return agreement_create(
        country_office=CountryOffice.objects.get(code="peru"),
        organisation=Organisation.objects.get(acronym="PLAN"),
        reference="PER/PCA/CT",
        type=Agreement.Type.PCA,
        title="Cash",
        programme=funded["programme"],
    )


def test_a_grant_cannot_name_a_bolivian_programme_or_donor_in_the_api(
    api_for, funded, bolivian, types
) -> None:
    for field in ("programme", "donor"):
        data = {
            "programme": funded["programme"].pk,
            "donor": funded["cida"].donor_id,
            "reference": "G-API",
            "title": "",
            "funding_type": "orr",
            "amount": "10.00",
            "currency": "USD",
            "stage": "pipeline",
            "probability": 50,
            "earmark": "programme",
            field: bolivian[field].pk,
        }
        response = api_for("ana").post("/api/grants/", data, format="json")
        assert response.status_code == 400
        assert list(response.json()["error"]["fields"]) == [field]
    assert not Grant.objects.filter(reference="G-API").exists()


def test_a_refusal_that_names_no_field_answers_as_non_field_errors(api_for, funded) -> None:
    response = api_for("ana").delete(f"/api/grants/{funded['cida'].pk}/")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert list(fields) == ["non_field_errors"] and "depend" in fields["non_field_errors"][0]
    assert Grant.objects.filter(pk=funded["cida"].pk).exists()


def test_a_missing_exchange_rate_answers_400_naming_currency(api_for, funded, types) -> None:
    from decimal import Decimal

    from ayni.finance import services

    services.budget_line_set(
        result=funded["programme"].results.get(code="C2.1"),
        year=2015,
        funding_type=types["rr"],
        amount=Decimal("10.00"),
        currency="PEN",
    )
    response = api_for("pablo").get(f"/api/programmes/{funded['programme'].pk}/funding/")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["currency"]


# Who reads the derived figures of their whole office (planned, funded, gap, spent).
READS_OFFICE_FIGURES = {
    "ana": True,
    "pablo": True,
    "rosa": True,  # regional focal points read their office's budget
    "root": True,
    "bruno": True,  # of his own office (Bolivia's)
    "diego": False,  # a donor viewer reads only what their grants fund
    "pia": False,
    "paula": False,
}


@pytest.mark.parametrize(("name", "allowed"), list(READS_OFFICE_FIGURES.items()))
def test_who_reads_the_office_figures(actor, client_for, funded, name, allowed) -> None:
    assert has_perm(actor(name), VIEW_OFFICE_FIGURES, BudgetLine) is allowed
    dashboard = client_for(name).get(funded["programme"].get_absolute_url())
    if dashboard.status_code == 200:
        assert dashboard.context["show_funding"] is allowed


def test_an_office_less_user_reads_no_figures(db) -> None:
    someone = User(username="nobody", role=Role.FINANCE_OFFICER, country_office=None)
    assert has_perm(someone, VIEW_OFFICE_FIGURES, BudgetLine) is False
