"""The finance pages: grant list, grant page with the allocation form, new grant, budget."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from ayni.finance import services
from ayni.finance.models import Allocation, Grant

pytestmark = pytest.mark.django_db


def test_the_grant_list_filters_by_stage_and_searches_by_reference(
    client_for, funded, make_grant
) -> None:
    make_grant("PLAN", "PIPE-1", "5.00", stage="pipeline", signed_date=None)
    client = client_for("ana")
    page = client.get(reverse("finance:grant-list"), {"stage": "pipeline"}).content.decode()
    assert "PIPE-1" in page and "G-CIDA" not in page
    page = client.get(reverse("finance:grant-list"), {"q": "cida"}).content.decode()
    assert "G-CIDA" in page and "G-PLAN" not in page


def test_the_grant_list_filters_by_donor_and_funding_type(client_for, funded, donors) -> None:
    client = client_for("ana")
    page = client.get(reverse("finance:grant-list"), {"donor": donors["PLAN"].pk}).content.decode()
    assert "G-PLAN" in page and "G-CIDA" not in page
    page = client.get(reverse("finance:grant-list"), {"funding_type": "orr"}).content.decode()
    assert "G-CIDA" in page and "G-PLAN" in page
    page = client.get(reverse("finance:grant-list"), {"funding_type": "rr"}).content.decode()
    assert "G-CIDA" not in page and "G-PLAN" not in page


def test_the_grant_list_sorts_by_a_column(client_for, funded) -> None:
    page = (
        client_for("ana").get(reverse("finance:grant-list"), {"sort": "-amount"}).content.decode()
    )
    assert page.index("G-PLAN") < page.index("G-CIDA")
    page = client_for("ana").get(reverse("finance:grant-list"), {"sort": "amount"}).content.decode()
    assert page.index("G-CIDA") < page.index("G-PLAN")


def test_the_grant_list_shows_totals_per_currency(client_for, funded, make_grant) -> None:
    make_grant("PLAN", "G-CAD", "70.00", currency="CAD")
    response = client_for("ana").get(reverse("finance:grant-list"))
    totals = {t["currency"]: t for t in response.context["totals"]}
    assert totals["USD"]["amount"] == Decimal("3000.00")
    assert totals["USD"]["allocated"] == Decimal("200.00")
    assert totals["CAD"]["available"] == Decimal("70.00")


def test_the_grant_list_downloads_as_csv_and_xlsx(client_for, funded) -> None:
    client = client_for("ana")
    csv = client.get(reverse("finance:grant-list"), {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    body = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0].startswith("Reference,")
    assert "G-CIDA" in body and "1000.00" in body
    xlsx = client.get(reverse("finance:grant-list"), {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_grant_list_page_reads_a_fixed_number_of_queries(
    client_for, make_grant, result, django_assert_max_num_queries
) -> None:
    for n in range(30):
        grant = make_grant("CIDA" if n % 2 else "PLAN", f"G-{n:02}", "100.00")
        services.allocation_create(
            grant=grant,
            result=result("C1.1"),
            year=2013,
            amount=Decimal("1.00"),
            date=date(2013, 1, 1),
        )
    client = client_for("ana")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("finance:grant-list"))
    assert len(response.context["grant_list"]) == 30


def test_an_administrator_creates_a_grant_through_the_form(
    client_for, programme, donors, types
) -> None:
    response = client_for("ana").post(
        reverse("finance:grant-create"),
        {
            "programme": programme.pk,
            "donor": donors["CIDA"].pk,
            "reference": "CIDA-2013-07",
            "funding_type": types["orr"].pk,
            "amount": "250000.00",
            "currency": "CAD",
            "stage": "signed",
            "probability": "100",
            "signed_date": "2013-07-01",
            "earmark": "programme",
        },
    )
    grant = Grant.objects.get(reference="CIDA-2013-07")
    assert response.status_code == 302
    assert response["Location"] == grant.get_absolute_url()
    assert (grant.amount, grant.currency, grant.stage) == (Decimal("250000.00"), "CAD", "signed")


def test_a_refused_grant_shows_the_error_next_to_the_field(
    client_for, programme, donors, types, result
) -> None:
    response = client_for("ana").post(
        reverse("finance:grant-create"),
        {
            "programme": programme.pk,
            "donor": donors["CIDA"].pk,
            "reference": "G-X",
            "funding_type": types["orr"].pk,
            "amount": "10.00",
            "currency": "USD",
            "stage": "pipeline",
            "probability": "50",
            "earmark": "component",
            "earmarked_result": result("C1.1").pk,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["earmarked_result"]
    assert not Grant.objects.filter(reference="G-X").exists()


def test_the_new_grant_form_is_refused_to_a_programme_manager(client_for, programme) -> None:
    assert client_for("pablo").get(reverse("finance:grant-create")).status_code == 403


def test_an_administrator_allocates_from_the_grant_page(client_for, funded, result) -> None:
    url = reverse("finance:grant-allocate", args=[funded["cida"].pk])
    response = client_for("ana").post(
        url,
        {"result": result("C1.1.1").pk, "year": "2014", "amount": "150.00", "date": "2014-02-03"},
    )
    assert response.status_code == 302
    allocation = Allocation.objects.get(grant=funded["cida"], year=2014)
    assert (allocation.result.code, allocation.amount) == ("C1.1.1", Decimal("150.00"))
    page = client_for("ana").get(funded["cida"].get_absolute_url()).content.decode()
    assert "C1.1.1" in page


def test_allocating_too_much_on_the_page_keeps_the_input_and_names_the_amount(
    client_for, funded, result
) -> None:
    url = reverse("finance:grant-allocate", args=[funded["cida"].pk])
    before = Allocation.objects.count()
    response = client_for("ana").post(
        url,
        {"result": result("C1.1.1").pk, "year": "2014", "amount": "900.01", "date": "2014-02-03"},
    )
    assert response.status_code == 200
    assert Allocation.objects.count() == before
    form = response.context["form"]
    assert "900.00 USD" in form.errors["amount"][0]
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert 'value="900.01"' in page


def test_allocating_from_a_pipeline_grant_shows_no_form_and_is_refused(
    client_for, make_grant, result
) -> None:
    grant = make_grant("CIDA", "G-PIPE", "10.00", stage="pipeline", signed_date=None)
    page = client_for("ana").get(grant.get_absolute_url())
    assert page.context["can_allocate"] is False
    response = client_for("ana").post(
        reverse("finance:grant-allocate", args=[grant.pk]),
        {"result": result("C1").pk, "year": "2014", "amount": "1.00", "date": "2014-02-03"},
    )
    assert response.status_code == 403


def test_the_budget_page_shows_results_by_year_with_totals(client_for, funded, result) -> None:
    response = client_for("ana").get(reverse("finance:budget", args=[funded["programme"].pk]))
    assert response.status_code == 200
    rows = {row["result"].code: row for row in response.context["rows"]}
    assert rows["C1"]["cells"] == [Decimal("0.00"), Decimal("500.00")] + [Decimal("0.00")] * 3
    assert response.context["year_totals"][1] == Decimal("1000.00")
    assert response.context["figures"].funded == Decimal("200.00")
    assert {w.kind for w in response.context["warnings"]} == {"budget_mismatch"}


def test_the_budget_downloads_as_csv(client_for, funded) -> None:
    response = client_for("ana").get(
        reverse("finance:budget", args=[funded["programme"].pk]),
        {"format": "csv"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:4] == ["Code", "Result", "Level", "2012"]
    assert lines[1].startswith("C1,")
    assert "500.00" in lines[1]


def test_the_budget_page_says_when_an_exchange_rate_is_missing(
    client_for, funded, result, types
) -> None:
    services.budget_line_set(
        result=result("C1.1"),
        year=2014,
        funding_type=types["rr"],
        amount=Decimal("1.00"),
        currency="EUR",
    )
    response = client_for("ana").get(reverse("finance:budget", args=[funded["programme"].pk]))
    assert response.status_code == 200
    assert "EUR" in response.context["figures_error"]


def test_the_donor_page_lists_grants_and_the_results_they_fund(client_for, funded, donors) -> None:
    response = client_for("diego").get(donors["CIDA"].get_absolute_url())
    page = response.content.decode()
    assert "G-CIDA" in page
    assert [e["result"].code for e in response.context["funded_results"]] == ["C1.1"]


def test_the_donor_list_shows_the_office_donors(client_for, funded) -> None:
    page = client_for("ana").get(reverse("finance:donor-list")).content.decode()
    assert "CIDA" in page and "Plan International" in page
    assert "Save the Children" not in page


def test_illustrative_grants_carry_a_badge(client_for, make_grant) -> None:
    make_grant("CIDA", "G-DEMO", "1.00", is_illustrative=True)
    page = client_for("ana").get(reverse("finance:grant-list")).content.decode()
    assert 'class="badge illustrative"' in page


def test_the_funding_home_links_budgets_only_for_those_who_read_them(client_for, funded) -> None:
    budget = reverse("finance:budget", args=[funded["programme"].pk])
    assert budget in client_for("ana").get(reverse("finance:home")).content.decode()
    page = client_for("diego").get(reverse("finance:home")).content.decode()
    assert budget not in page
    assert reverse("finance:grant-list") in page


def test_donor_list_sorts_searches_and_downloads(client_for, make_grant) -> None:
    make_grant("CIDA", "G-A", "100.00")
    make_grant("PLAN", "G-B", "100.00")
    client = client_for("ana")
    names = [
        d.organisation.acronym
        for d in client.get("/funding/donors/", {"sort": "-organisation__name"}).context[
            "donor_list"
        ]
    ]
    assert names == ["PLAN", "CIDA"]
    found = client.get("/funding/donors/", {"q": "canadian"}).context["donor_list"]
    assert [d.organisation.acronym for d in found] == ["CIDA"]
    response = client.get("/funding/donors/", {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
