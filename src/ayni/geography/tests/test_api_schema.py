"""The places API answers as its schema says, the country itself (which has no parent) too."""

from __future__ import annotations

import pytest

from ayni.core.tests.openapi import call, conform
from ayni.geography.models import Location


@pytest.mark.django_db
@pytest.mark.parametrize("username", [None, "ana"])
def test_a_place_without_a_parent_conforms_to_the_schema(username) -> None:
    peru = Location.objects.get(country__iso2="PE", parent__isnull=True)
    case, response = call("GET /api/locations/", username, query={"code": peru.code})
    assert [row["parent_code"] for row in response.json()["results"]] == [None]
    conform(case, response)
    case, response = call("GET /api/locations/{id}/", username, path_parameters={"id": peru.pk})
    assert response.json()["parent_code"] is None
    conform(case, response)
