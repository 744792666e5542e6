import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_openapi_schema_and_docs_are_served(client) -> None:
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/locations/" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_lists_are_paginated(api_for) -> None:
    body = api_for(None).get("/api/locations/?country=PE&level=district&page_size=10").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert len(body["results"]) == 10 and body["count"] >= 1870


def test_location_api_search_is_accent_insensitive(api_for) -> None:
    body = api_for(None).get("/api/locations/?q=apurimac&level=department").json()
    assert [r["code"] for r in body["results"]] == ["03"]


def test_validation_errors_share_one_format(api_for) -> None:
    from ayni.geography.models import Location

    pk = Location.objects.get(country__iso2="PE", code="03").pk
    response = api_for("ana").patch(f"/api/locations/{pk}/", {"latitude": "200"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and "latitude" in error["fields"]


def test_token_authentication(api_for) -> None:
    from rest_framework.test import APIClient

    from ayni.accounts.models import User
    from ayni.accounts.services import api_token_create

    pia = User.objects.get(username="pia")
    new = api_token_create(user=pia, name="script", scope="read", days=30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {new.secret}")
    assert client.get("/api/organisations/").json()["count"] == 1


def test_spanish_is_the_default_and_english_is_a_switch(client) -> None:
    home = client.get(reverse("reporting:home")).content.decode()
    assert 'lang="es"' in home and "Lugares" in home
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    home = client.get(reverse("reporting:home")).content.decode()
    assert 'lang="en"' in home and "Places" in home


def test_home_reads_without_javascript(client) -> None:
    body = client.get(reverse("reporting:home")).content.decode()
    assert "196" in body  # provinces of Peru, rendered on the server
