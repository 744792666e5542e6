"""Who sees and changes which finance records, over the pages and the API, role by role."""

from datetime import date

import pytest
from django.urls import reverse

from ayni.accounts.models import CountryOffice, User
from ayni.core.roles import Role
from ayni.finance import services
from ayni.finance.models import Allocation, Grant
from ayni.partners.models import Agreement, Organisation

pytestmark = pytest.mark.django_db


def _refs(response) -> set[str]:
    return {row["reference"] for row in response.json()["results"]}


def _allocate_payload(grant, result) -> dict:
    return {
        "grant": grant.pk,
        "result": result.pk,
        "year": 2014,
        "amount": "5.00",
        "date": "2014-01-02",
    }


@pytest.fixture
def fiona(db) -> User:
    """A finance officer of the Peru office."""
    return User.objects.create_user(
        username="fiona",
        password="x" * 20,
        role=Role.FINANCE_OFFICER,
        country_office=CountryOffice.objects.get(code="peru"),
    )


# Donor viewers: their donor's grants and what those grants fund, nothing else.


def test_donor_viewer_lists_only_their_donors_grants_on_the_page(client_for, funded) -> None:
    page = client_for("diego").get(reverse("finance:grant-list")).content.decode()
    assert "G-CIDA" in page
    assert "G-PLAN" not in page
    assert "G-BO" not in page


def test_donor_viewer_gets_404_for_another_donors_grant_page(client_for, funded) -> None:
    client = client_for("diego")
    assert client.get(funded["cida"].get_absolute_url()).status_code == 200
    assert client.get(funded["plan"].get_absolute_url()).status_code == 404


def test_donor_viewer_lists_only_their_donors_grants_in_the_api(api_for, funded) -> None:
    api = api_for("diego")
    assert _refs(api.get("/api/grants/")) == {"G-CIDA"}
    assert api.get(f"/api/grants/{funded['plan'].pk}/").status_code == 404


def test_donor_viewer_reads_only_their_donor_record(api_for, client_for, funded, donors) -> None:
    assert [d["code"] for d in api_for("diego").get("/api/donors/").json()["results"]] == ["cida"]
    assert client_for("diego").get(donors["PLAN"].get_absolute_url()).status_code == 404


def test_donor_viewer_reads_allocations_spending_and_budget_only_of_what_they_fund(
    api_for, funded, result
) -> None:
    api = api_for("diego")
    c11 = result("C1.1").pk
    assert {a["grant"] for a in api.get("/api/allocations/").json()["results"]} == {
        funded["cida"].pk
    }
    assert {e["result"] for e in api.get("/api/expenditures/").json()["results"]} == {c11}
    assert {b["result"] for b in api.get("/api/budget-lines/").json()["results"]} == {c11}


def test_donor_viewer_cannot_allocate(api_for, funded, result) -> None:
    response = api_for("diego").post(
        "/api/allocations/", _allocate_payload(funded["cida"], result("C1.1")), format="json"
    )
    assert response.status_code == 403


def test_donor_viewer_cannot_open_the_budget_page(client_for, funded) -> None:
    url = reverse("finance:budget", args=[funded["programme"].pk])
    assert client_for("diego").get(url).status_code == 403


# Partner focal points: the cash transfers of their own organisation, nothing else.


def test_partner_focal_point_cannot_see_grants(client_for, api_for, funded) -> None:
    assert client_for("pia").get(reverse("finance:grant-list")).status_code == 403
    assert client_for("pia").get(funded["plan"].get_absolute_url()).status_code == 403
    assert api_for("pia").get("/api/grants/").status_code == 403
    assert api_for("pia").get(f"/api/grants/{funded['plan'].pk}/").status_code == 403


def test_partner_focal_point_reads_only_their_organisations_cash_transfers(
    api_for, funded, actor
) -> None:
    office = actor("ana").country_office
    for acronym in ("PLAN", "CARE"):
        agreement = Agreement.objects.create(
            country_office=office,
            organisation=Organisation.objects.get(acronym=acronym),
            programme=funded["programme"],
            reference=f"PCA-{acronym}",
            type="pca",
            title=f"Agreement with {acronym}",
        )
        services.cash_transfer_record(
            agreement=agreement, date=date(2013, 6, 1), amount="25.00", currency="PEN"
        )
    rows = api_for("pia").get("/api/cash-transfers/").json()["results"]
    plan_agreement = Agreement.objects.get(reference="PCA-PLAN")
    assert [r["agreement"] for r in rows] == [plan_agreement.pk]
    assert len(api_for("ana").get("/api/cash-transfers/").json()["results"]) == 2


def test_partner_focal_point_reads_no_budget_allocation_or_donor(api_for, funded) -> None:
    api = api_for("pia")
    for route in ("budget-lines", "allocations", "expenditures", "donors", "exchange-rates"):
        assert api.get(f"/api/{route}/").status_code == 403, route


# Another country office: nothing of Peru.


def test_administrator_of_bolivia_does_not_see_peru_grants(client_for, api_for, funded) -> None:
    assert _refs(api_for("bruno").get("/api/grants/")) == {"G-BO"}
    assert api_for("bruno").get(f"/api/grants/{funded['cida'].pk}/").status_code == 404
    assert client_for("bruno").get(funded["cida"].get_absolute_url()).status_code == 404
    assert "G-CIDA" not in client_for("bruno").get(reverse("finance:grant-list")).content.decode()


def test_administrator_of_bolivia_cannot_allocate_a_peru_grant(api_for, funded, result) -> None:
    response = api_for("bruno").post(
        "/api/allocations/", _allocate_payload(funded["cida"], result("C1.1")), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"grant", "result"}
    assert not Allocation.objects.filter(year=2014).exists()


def test_administrator_of_bolivia_cannot_open_a_peru_budget(client_for, funded) -> None:
    url = reverse("finance:budget", args=[funded["programme"].pk])
    assert client_for("bruno").get(url).status_code == 404


# Office staff: read everything; administrators and finance officers write.


def test_administrator_allocates_through_the_api(api_for, funded, result) -> None:
    response = api_for("ana").post(
        "/api/allocations/", _allocate_payload(funded["cida"], result("C1.1")), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == "5.00"


def test_finance_officer_creates_a_grant_and_allocates_it(
    api_for, funded, fiona, donors, result
) -> None:
    api = api_for("fiona")
    created = api.post(
        "/api/grants/",
        {
            "programme": funded["programme"].pk,
            "donor": donors["CIDA"].pk,
            "reference": "G-NEW",
            "funding_type": "orr",
            "amount": "300.00",
            "currency": "CAD",
            "stage": "signed",
            "signed_date": "2014-01-01",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    grant_id = created.json()["id"]
    allocated = api.post(
        "/api/allocations/",
        {
            "grant": grant_id,
            "result": result("C2.1").pk,
            "year": 2014,
            "amount": "300.00",
            "date": "2014-02-01",
        },
        format="json",
    )
    assert allocated.status_code == 201, allocated.json()
    assert api.get(f"/api/grants/{grant_id}/").json()["available"] == "0.00"


def test_programme_manager_reads_grants_but_cannot_allocate(
    client_for, api_for, funded, result
) -> None:
    assert _refs(api_for("pablo").get("/api/grants/")) == {"G-CIDA", "G-PLAN"}
    response = api_for("pablo").post(
        "/api/allocations/", _allocate_payload(funded["cida"], result("C1.1")), format="json"
    )
    assert response.status_code == 403
    page = client_for("pablo").get(funded["cida"].get_absolute_url())
    assert page.status_code == 200
    assert 'action="' + reverse("finance:grant-allocate", args=[funded["cida"].pk]) not in (
        page.content.decode()
    )
    posted = client_for("pablo").post(
        reverse("finance:grant-allocate", args=[funded["cida"].pk]),
        {"result": result("C1.1").pk, "year": 2014, "amount": "5.00", "date": "2014-01-02"},
    )
    assert posted.status_code == 403
    assert not Allocation.objects.filter(year=2014).exists()


def test_programme_manager_cannot_advance_a_grant(api_for, funded) -> None:
    response = api_for("pablo").post(
        f"/api/grants/{funded['cida'].pk}/advance/", {"stage": "received"}, format="json"
    )
    assert response.status_code == 403
    assert Grant.objects.get(pk=funded["cida"].pk).stage == Grant.Stage.SIGNED


# Regional focal points: the budget, allocations and spending of their office; no grants.


def test_regional_focal_point_reads_the_budget_but_not_grants(client_for, api_for, funded) -> None:
    url = reverse("finance:budget", args=[funded["programme"].pk])
    assert client_for("rosa").get(url).status_code == 200
    assert len(api_for("rosa").get("/api/allocations/").json()["results"]) == 2
    assert api_for("rosa").get("/api/grants/").status_code == 403
    assert client_for("rosa").get(reverse("finance:grant-list")).status_code == 403


# The public and anonymous visitors: nothing.


def test_public_user_and_anonymous_see_no_finance(client, client_for, api_for, funded) -> None:
    assert client_for("paula").get(reverse("finance:grant-list")).status_code == 403
    assert api_for("paula").get("/api/grants/").status_code == 403
    assert api_for(None).get("/api/grants/").status_code in {401, 403}
    response = client.get(reverse("finance:grant-list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
