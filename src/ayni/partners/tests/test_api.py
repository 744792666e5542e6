"""The agreements API: writes through the services, the transition endpoint, filters, and a
bounded number of queries."""

from decimal import Decimal

import pytest

from ayni.partners.models import Agreement, Organisation
from ayni.partners.tests.conftest import place

pytestmark = pytest.mark.django_db


def payload(cp, **overrides) -> dict:
    data = {
        "reference": "PER/MOU/2012/010",
        "type": "mou",
        "title": "Child budget tracking with the MCLCP",
        "organisation": Organisation.objects.get(acronym="CARE").pk,
        "programme": cp.pk,
        "start_date": "2012-01-01",
        "end_date": "2016-12-31",
        "results": [cp.results.get(code="C1").pk],
        "locations": [place("03").pk],
    }
    data.update(overrides)
    return data


def test_create_read_and_update_an_agreement(api_for, programme) -> None:
    pablo = api_for("pablo")
    created = pablo.post("/api/agreements/", payload(programme), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and body["currency"] == "USD"
    assert body["available_transitions"] == ["submit", "terminate"]
    agreement = Agreement.objects.get(pk=body["id"])
    assert agreement.country_office.code == "peru"
    changed = pablo.patch(
        f"/api/agreements/{agreement.pk}/",
        {"unicef_contribution": "45000.00", "status": "signed"},
        format="json",
    )
    assert changed.status_code == 200
    agreement.refresh_from_db()
    # Status is read-only: it moves only through /transition/.
    assert agreement.unicef_contribution == Decimal("45000.00") and agreement.status == "draft"


def test_create_errors_name_the_field(api_for, programme) -> None:
    pablo = api_for("pablo")
    for overrides, field in [
        ({"currency": "ABC"}, "currency"),
        ({"end_date": "2011-01-01"}, "end_date"),
        ({"results": [], "programme": None, "title": ""}, "title"),
    ]:
        response = pablo.post("/api/agreements/", payload(programme, **overrides), format="json")
        assert response.status_code == 400
        assert list(response.json()["error"]["fields"]) == [field]
    assert not Agreement.objects.filter(reference="PER/MOU/2012/010").exists()


def test_another_offices_ids_are_unknown(api_for, programme) -> None:
    bolivian = Organisation.objects.get(acronym="SCB")
    response = api_for("pablo").post(
        "/api/agreements/", payload(programme, organisation=bolivian.pk), format="json"
    )
    assert response.status_code == 400 and "organisation" in response.json()["error"]["fields"]


def test_delete_is_not_offered(api_for, make_agreement) -> None:
    agreement = make_agreement()
    assert api_for("ana").delete(f"/api/agreements/{agreement.pk}/").status_code in {403, 405}
    assert Agreement.objects.filter(pk=agreement.pk).exists()


def test_transition_endpoint_signs_and_refuses_naming_the_field(api_for, make_agreement) -> None:
    agreement = make_agreement(status="in_review", unicef_contribution=None)
    url = f"/api/agreements/{agreement.pk}/transition/"
    refused = api_for("pablo").post(
        url,
        {"transition": "sign", "date": "2012-05-01", "reason": ""},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["unicef_contribution"]
    assert "without a budget" in error["message"]
    assert Agreement.objects.get(pk=agreement.pk).status == "in_review"

    api_for("pablo").patch(
        f"/api/agreements/{agreement.pk}/", {"unicef_contribution": "5000"}, format="json"
    )
    signed = api_for("pablo").post(url, {"transition": "sign", "date": "2012-05-01"}, format="json")
    assert signed.status_code == 200
    assert (signed.json()["status"], signed.json()["signed_date"]) == ("signed", "2012-05-01")
    assert signed.json()["available_transitions"] == ["activate", "suspend", "terminate"]
    events = api_for("pablo").get(f"/api/agreement-events/?agreement={agreement.pk}").json()
    assert events["results"][-1]["transition"] == "sign"
    assert events["results"][-1]["user"] == "pablo"


def test_transition_endpoint_validates_its_input(api_for, make_agreement) -> None:
    url = f"/api/agreements/{make_agreement(status='active').pk}/transition/"
    unknown = api_for("ana").post(url, {"transition": "approve"}, format="json")
    assert unknown.status_code == 400 and "transition" in unknown.json()["error"]["fields"]
    no_reason = api_for("ana").post(url, {"transition": "terminate"}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["error"]["fields"]
    wrong_state = api_for("ana").post(url, {"transition": "resume"}, format="json")
    assert wrong_state.status_code == 400 and "status" in wrong_state.json()["error"]["fields"]


def test_signed_terms_cannot_change_through_the_api(api_for, make_agreement) -> None:
    agreement = make_agreement(status="active")
    response = api_for("pablo").patch(
        f"/api/agreements/{agreement.pk}/", {"title": "New"}, format="json"
    )
    assert response.status_code == 400 and "status" in response.json()["error"]["fields"]


def test_filters(api_for, make_agreement, programme) -> None:
    active = make_agreement("PLAN", status="active")
    draft = make_agreement("CARE", type=Agreement.Type.SSFA)
    pablo = api_for("pablo")

    def ids(query: str) -> set[int]:
        return {r["id"] for r in pablo.get(f"/api/agreements/?{query}").json()["results"]}

    assert ids("status=active") == {active.pk}
    assert ids("type=ssfa") == {draft.pk}
    assert ids(f"organisation={draft.organisation_id}") == {draft.pk}
    assert ids(f"programme={programme.pk}") == {active.pk, draft.pk}
    assert ids("programme=999999") == set()


def test_api_list_query_count_does_not_grow(
    api_for, make_agreement, django_assert_max_num_queries
) -> None:
    for _ in range(25):
        make_agreement(places=["03", "08"])
    client = api_for("pablo")
    with django_assert_max_num_queries(8):
        response = client.get("/api/agreements/")
    assert response.json()["count"] == 25
    assert len(response.json()["results"][0]["locations"]) == 2


def test_schema_documents_the_new_routes(client) -> None:
    schema = client.get("/api/schema/").content
    for route in (
        b"/api/agreements/{id}/transition/",
        b"/api/partner-reports/{id}/return/",
        b"/api/agreement-events/",
    ):
        assert route in schema


def test_a_superuser_without_an_office_adds_organisations_in_the_admin(api_for) -> None:
    """As on the page: the organisation would belong to no office (it answered 500)."""
    api = api_for("root")
    api.raise_request_exception = False
    response = api.post("/api/organisations/", {"name": "Nueva", "type": "ngo"}, format="json")
    assert response.status_code == 403
    assert not Organisation.objects.filter(name="Nueva").exists()
