"""The finance API: filters, writes through the services, the error format, derived figures."""

from datetime import date
from decimal import Decimal

import pytest

from ayni.finance import services
from ayni.finance.models import Allocation, BudgetLine, Grant

pytestmark = pytest.mark.django_db


def test_grants_carry_allocated_available_and_instalments_as_strings(api_for, funded) -> None:
    services.instalment_add(
        grant=funded["cida"], due_date=date(2013, 1, 1), amount=Decimal("400.00")
    )
    row = api_for("ana").get(f"/api/grants/{funded['cida'].pk}/").json()
    assert (row["amount"], row["allocated"], row["available"]) == ("1000.00", "100.00", "900.00")
    assert row["instalments"] == [
        {
            "id": row["instalments"][0]["id"],
            "due_date": "2013-01-01",
            "amount": "400.00",
            "received_date": None,
        }
    ]
    assert row["funding_type"] == "orr"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("donor={cida_donor}", {"G-CIDA"}),
        ("stage=signed", {"G-CIDA", "G-PLAN"}),
        ("stage=pipeline", set()),
        ("funding_type=orr", {"G-CIDA", "G-PLAN"}),
        ("funding_type=rr", set()),
        ("result={c21}", {"G-PLAN"}),
        ("currency=usd", {"G-CIDA", "G-PLAN"}),
        ("year=2014", set()),
    ],
)
def test_grants_filter_by_query_parameters(
    api_for, funded, donors, result, query, expected
) -> None:
    query = query.format(cida_donor=donors["CIDA"].pk, c21=result("C2.1").pk)
    response = api_for("ana").get(f"/api/grants/?{query}")
    assert {row["reference"] for row in response.json()["results"]} == expected


def test_a_filter_that_is_not_a_number_is_refused_naming_it(api_for, funded) -> None:
    response = api_for("ana").get("/api/allocations/?year=twenty")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["year"]


def test_allocations_filter_by_programme_result_and_year(api_for, funded, result) -> None:
    api = api_for("ana")
    c11 = result("C1.1").pk
    rows = api.get(f"/api/allocations/?programme={funded['programme'].pk}&result={c11}").json()
    assert [(r["result"], r["year"], r["currency"]) for r in rows["results"]] == [
        (c11, 2013, "USD")
    ]
    assert api.get("/api/allocations/?year=2012").json()["results"] == []


def test_allocating_over_the_grant_answers_400_naming_amount_and_saves_nothing(
    api_for, funded, result
) -> None:
    before = Allocation.objects.count()
    response = api_for("ana").post(
        "/api/allocations/",
        {
            "grant": funded["cida"].pk,
            "result": result("C1.1").pk,
            "year": 2014,
            "amount": "900.01",
            "date": "2014-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert list(error["fields"]) == ["amount"]
    assert "900.00 USD" in error["fields"]["amount"][0]
    assert Allocation.objects.count() == before


def test_allocating_from_a_pipeline_grant_answers_400_naming_grant(
    api_for, make_grant, result
) -> None:
    grant = make_grant("CIDA", "G-PIPE", "10.00", stage="pipeline", signed_date=None)
    response = api_for("ana").post(
        "/api/allocations/",
        {
            "grant": grant.pk,
            "result": result("C1").pk,
            "year": 2014,
            "amount": "1.00",
            "date": "2014-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["grant"]


def test_a_budget_line_in_currency_xyz_answers_400_naming_currency(api_for, result, types) -> None:
    response = api_for("ana").post(
        "/api/budget-lines/",
        {
            "result": result("C1.1").pk,
            "year": 2013,
            "funding_type": "rr",
            "amount": "10.00",
            "currency": "XYZ",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "currency" in response.json()["error"]["fields"]
    assert not BudgetLine.objects.exists()


def test_posting_a_budget_line_twice_replaces_it(api_for, result, types) -> None:
    api = api_for("ana")
    payload = {"result": result("C1.1").pk, "year": 2013, "funding_type": "rr", "currency": "PEN"}
    api.post("/api/budget-lines/", {**payload, "amount": "10.00"}, format="json")
    second = api.post("/api/budget-lines/", {**payload, "amount": "12.00"}, format="json")
    assert second.status_code == 201
    assert [(b.amount, b.currency) for b in BudgetLine.objects.all()] == [(Decimal("12.00"), "PEN")]


def test_advancing_a_grant_to_signed_sets_the_signature_date(api_for, make_grant) -> None:
    grant = make_grant("CIDA", "G-ADV", "10.00", stage="pledged", signed_date=None)
    response = api_for("ana").post(
        f"/api/grants/{grant.pk}/advance/", {"stage": "signed", "date": "2014-05-06"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["stage"], response.json()["signed_date"]) == ("signed", "2014-05-06")


def test_moving_a_grant_back_answers_400_naming_stage(api_for, funded) -> None:
    response = api_for("ana").post(
        f"/api/grants/{funded['cida'].pk}/advance/", {"stage": "pledged"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["stage"]


def test_a_grant_stage_cannot_be_changed_by_editing_it(api_for, funded) -> None:
    response = api_for("ana").patch(
        f"/api/grants/{funded['cida'].pk}/", {"stage": "received"}, format="json"
    )
    assert response.status_code == 400
    assert "advance" in response.json()["error"]["fields"]["stage"][0]


def test_lowering_a_grant_below_what_is_allocated_is_refused(api_for, funded) -> None:
    response = api_for("ana").patch(
        f"/api/grants/{funded['cida'].pk}/", {"amount": "99.99"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["amount"]
    assert Grant.objects.get(pk=funded["cida"].pk).amount == Decimal("1000.00")


def test_deleting_a_grant_with_allocations_is_refused(api_for, funded) -> None:
    response = api_for("ana").delete(f"/api/grants/{funded['cida'].pk}/")
    assert response.status_code == 400
    assert Grant.objects.filter(pk=funded["cida"].pk).exists()


def test_scheduling_an_instalment_through_the_api(api_for, funded) -> None:
    api = api_for("ana")
    url = f"/api/grants/{funded['cida'].pk}/instalments/"
    assert (
        api.post(url, {"due_date": "2013-01-01", "amount": "600.00"}, format="json").status_code
        == 201
    )
    refused = api.post(url, {"due_date": "2014-01-01", "amount": "400.01"}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()["error"]["fields"]) == ["amount"]


def test_a_scheduled_instalment_answers_as_the_schema_documents(funded) -> None:
    from ayni.core.tests.openapi import call, conform

    case, response = call(
        "POST /api/grants/{id}/instalments/",
        "ana",
        path_parameters={"id": funded["cida"].pk},
        body={"due_date": "2013-01-01", "amount": "600.00"},
        media_type="application/json",
    )
    assert response.status_code == 201
    conform(case, response)


def test_exchange_rates_are_set_and_read(api_for) -> None:
    created = api_for("root").post(
        "/api/exchange-rates/",
        {"currency": "PEN", "date": "2013-01-01", "units_per_usd": "2.55"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    api = api_for("ana")  # an office user reads the rates a superuser set
    assert [
        r["units_per_usd"] for r in api.get("/api/exchange-rates/?currency=pen").json()["results"]
    ] == ["2.55000000"]


def test_funding_types_are_read_only(api_for, types) -> None:
    api = api_for("ana")
    assert [t["code"] for t in api.get("/api/funding-types/").json()["results"]] == [
        "rr",
        "orr",
        "ore",
    ]
    assert api.post("/api/funding-types/", {"code": "x"}, format="json").status_code in {403, 405}


def test_the_funding_endpoint_gives_the_programme_figures_by_dimension(api_for, funded) -> None:
    response = api_for("ana").get(f"/api/programmes/{funded['programme'].pk}/funding/?by=component")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["planned"] == "1000.00"
    assert data["funded"] == "200.00"
    assert data["funded_pct"] == "20.0"
    assert data["utilization_pct"] == "10.0"
    assert [(r["label"].split()[0], r["figures"]["funded"]) for r in data["rows"]] == [
        ("C1", "100.00"),
        ("C2", "100.00"),
    ]
    assert "budget_mismatch" in {w["kind"] for w in data["warnings"]}


def test_the_funding_endpoint_refuses_donor_viewers_and_other_offices(api_for, funded) -> None:
    url = f"/api/programmes/{funded['programme'].pk}/funding/"
    assert api_for("diego").get(url).status_code == 403
    assert api_for("bruno").get(url).status_code == 404


def test_the_grant_list_reads_a_fixed_number_of_queries(
    api_for, make_grant, result, django_assert_max_num_queries
) -> None:
    for n in range(25):
        grant = make_grant("CIDA" if n % 2 else "PLAN", f"G-{n:02}", "100.00")
        services.instalment_add(grant=grant, due_date=date(2013, 1, 1), amount=Decimal("10.00"))
        services.allocation_create(
            grant=grant,
            result=result("C1.1"),
            year=2013,
            amount=Decimal("1.00"),
            date=date(2013, 1, 1),
        )
    api = api_for("ana")
    with django_assert_max_num_queries(6):
        response = api.get("/api/grants/?page_size=100")
    assert response.json()["count"] == 25


FINANCE_NAMES = (
    "Grant",
    "Allocation",
    "BudgetLine",
    "Donor",
    "Funding",
    "ExchangeRate",
    "Expenditure",
    "CashTransfer",
    "Instalment",
    "finance",
)


def test_the_openapi_schema_has_no_warning_about_finance(capsys) -> None:
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--file", "/dev/null")
    problems = [
        line
        for line in capsys.readouterr().err.splitlines()
        if line.startswith(("Warning", "Error")) and any(n in line for n in FINANCE_NAMES)
    ]
    assert problems == []


@pytest.mark.parametrize("body_format", ["json", "multipart"])
def test_a_nul_character_in_a_body_field_answers_400_naming_it(
    api_for, result, types, body_format
) -> None:
    # PostgreSQL refuses NUL in text: a looked-up code holding one answered 500 there.
    payload = {
        "result": result("C1.1").pk,
        "year": 2013,
        "funding_type": "r\x00r",
        "amount": "10.00",
        "currency": "PEN",
    }
    response = api_for("ana").post("/api/budget-lines/", payload, format=body_format)
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert list(fields) == ["funding_type"] and "NUL" in fields["funding_type"][0]
    assert not BudgetLine.objects.exists()


def test_a_nul_character_in_a_form_encoded_body_answers_400(api_for, result, types) -> None:
    api = api_for("ana")
    made = api.post(
        "/api/budget-lines/",
        {
            "result": result("C1.1").pk,
            "year": 2013,
            "funding_type": "rr",
            "amount": "1",
            "currency": "PEN",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    response = api.generic(
        "PATCH",
        f"/api/budget-lines/{made.json()['id']}/",
        "funding_type=%00x&source=government_regional",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert list(fields) == ["funding_type"] and "NUL" in fields["funding_type"][0]
