import pytest
from django.urls import reverse

from ayni.geography.models import Location
from ayni.geography.selectors import location_search

pytestmark = pytest.mark.django_db


def test_search_ignores_accents_and_case() -> None:
    found = location_search(Location.objects.all(), "apurimac")
    assert found.first().name == "Apurímac"
    assert location_search(Location.objects.all(), "ÁNCASH").first().code == "02"


def test_search_by_code_prefix() -> None:
    codes = set(
        location_search(Location.objects.filter(country__iso2="PE"), "0301").values_list(
            "code", flat=True
        )
    )
    assert "0301" in codes and "030101" in codes and "03" not in codes


def test_location_page_is_public_and_lists_what_is_inside(client) -> None:
    response = client.get(reverse("geography:location-detail", args=["pe", "03"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Apurímac" in body and "Abancay" in body and "PE-APU" in body


def test_location_list_searches(client) -> None:
    response = client.get(reverse("geography:location-list"), {"q": "cusco", "level": "department"})
    assert response.status_code == 200
    assert list(response.context["location_list"]) == [
        Location.objects.get(country__iso2="PE", code="08")
    ]


def test_unknown_location_is_404(client) -> None:
    assert client.get(reverse("geography:location-detail", args=["PE", "99"])).status_code == 404


def test_location_list_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = client.get(reverse("geography:location-list"), {"level": "district"})
    assert len(response.context["location_list"]) == 50


def test_department_page_draws_boundaries_once_imported(client, tmp_path) -> None:
    square = [[[-73.0, -14.0], [-72.0, -14.0], [-72.0, -13.0], [-73.0, -13.0], [-73.0, -14.0]]]
    Location.objects.filter(country__iso2="PE", code="0301").update(
        boundary={"type": "Polygon", "coordinates": square}
    )
    body = client.get(reverse("geography:location-detail", args=["PE", "03"])).content.decode()
    assert "<svg" in body and "<title>Abancay</title>" in body
