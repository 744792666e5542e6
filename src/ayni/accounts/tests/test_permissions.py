"""Object-level permissions over views and API, for each role that is scoped."""

import pytest
from django.urls import reverse

from ayni.geography.models import Location
from ayni.partners.models import Organisation

pytestmark = pytest.mark.django_db


def _org(acronym: str) -> Organisation:
    return Organisation.objects.get(acronym=acronym)


def _loc(code: str) -> Location:
    return Location.objects.get(country__iso2="PE", code=code)


# Partner focal points see their own organisation and nothing else.


def test_partner_focal_point_reads_own_organisation_page(client_for) -> None:
    response = client_for("pia").get(_org("PLAN").get_absolute_url())
    assert response.status_code == 200


def test_partner_focal_point_cannot_read_another_organisation_page(client_for) -> None:
    assert client_for("pia").get(_org("CARE").get_absolute_url()).status_code == 404


def test_partner_focal_point_lists_only_own_organisation(client_for) -> None:
    response = client_for("pia").get(reverse("partners:organisation-list"))
    assert [o.acronym for o in response.context["organisation_list"]] == ["PLAN"]


def test_partner_focal_point_api_sees_only_own_organisation(api_for) -> None:
    api = api_for("pia")
    listed = api.get("/api/organisations/").json()
    assert [o["acronym"] for o in listed["results"]] == ["PLAN"]
    response = api.get(f"/api/organisations/{_org('CARE').pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_partner_focal_point_cannot_edit_own_organisation_via_api(api_for) -> None:
    response = api_for("pia").patch(f"/api/organisations/{_org('PLAN').pk}/", {"acronym": "X"})
    assert response.status_code == 403
    assert _org("PLAN").acronym == "PLAN"


def test_donor_viewer_sees_only_their_organisation(api_for) -> None:
    listed = api_for("diego").get("/api/organisations/").json()
    assert [o["acronym"] for o in listed["results"]] == ["CIDA"]


def test_office_staff_see_only_their_office(api_for) -> None:
    peru = {o["acronym"] for o in api_for("pablo").get("/api/organisations/").json()["results"]}
    bolivia = {o["acronym"] for o in api_for("bruno").get("/api/organisations/").json()["results"]}
    assert peru == {"PLAN", "CARE", "CIDA"}
    assert bolivia == {"SCB"}


def test_programme_manager_creates_an_organisation_in_their_office(api_for) -> None:
    response = api_for("pablo").post(
        "/api/organisations/", {"name": "MCLCP", "acronym": "MCLCP", "type": "coordination_body"}
    )
    assert response.status_code == 201, response.json()
    assert Organisation.objects.get(acronym="MCLCP").country_office.code == "peru"


def test_anonymous_cannot_list_organisations(client, api_for) -> None:
    response = client.get(reverse("partners:organisation-list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert api_for(None).get("/api/organisations/").status_code in {401, 403}


# Regional focal points edit only inside their places.


def test_regional_focal_point_edits_inside_their_region(client_for) -> None:
    district = _loc("030101")
    url = reverse("geography:location-edit", args=["PE", district.code])
    response = client_for("rosa").post(
        url,
        {
            "name": district.name,
            "capital": "Abancay (ciudad)",
            "latitude": "-13.63",
            "longitude": "-72.88",
        },
    )
    assert response.status_code == 302
    assert _loc("030101").capital == "Abancay (ciudad)"


def test_regional_focal_point_cannot_edit_outside_their_region(client_for) -> None:
    cusco = _loc("0801")
    url = reverse("geography:location-edit", args=["PE", cusco.code])
    client = client_for("rosa")
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Hacked", "capital": ""}).status_code == 403
    assert _loc("0801").name == cusco.name


def test_regional_focal_point_api_edit_inside_and_outside(api_for) -> None:
    api = api_for("rosa")
    inside = api.patch(f"/api/locations/{_loc('0301').pk}/", {"capital": "Abancay"}, format="json")
    assert inside.status_code == 200
    outside = api.patch(f"/api/locations/{_loc('08').pk}/", {"capital": "X"}, format="json")
    assert outside.status_code == 403
    assert outside.json()["error"]["status"] == 403
    assert _loc("08").capital == "Cusco"


def test_regional_focal_point_still_reads_every_place(api_for) -> None:
    assert api_for("rosa").get(f"/api/locations/{_loc('08').pk}/").status_code == 200


def test_administrator_of_another_country_cannot_edit_peru(api_for) -> None:
    response = api_for("bruno").patch(
        f"/api/locations/{_loc('03').pk}/", {"capital": "X"}, format="json"
    )
    assert response.status_code == 403


def test_administrator_edits_their_country(api_for) -> None:
    response = api_for("ana").patch(
        f"/api/locations/{_loc('03').pk}/", {"capital": "Abancay"}, format="json"
    )
    assert response.status_code == 200


def test_partner_focal_point_cannot_edit_places(client_for) -> None:
    url = reverse("geography:location-edit", args=["PE", "03"])
    assert client_for("pia").get(url).status_code == 403


def test_public_and_anonymous_read_places(api_for) -> None:
    assert api_for(None).get("/api/locations/?level=department&country=PE").json()["count"] == 25
    assert api_for("paula").get("/api/zones/").status_code == 200
