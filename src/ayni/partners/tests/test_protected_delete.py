"""Deleting an organisation that other records still refer to is refused with the reason."""

from typing import Any

import pytest

from ayni.finance.models import Donor
from ayni.partners.models import Organisation


@pytest.mark.django_db
def test_deleting_a_donor_organisation_answers_409_naming_what_refers_to_it(
    api_for: Any,
) -> None:
    organisation = Organisation.objects.create(
        country_office=Organisation.objects.get(acronym="PLAN").country_office,
        name="Fondo de prueba",
        type=Organisation.Type.BILATERAL_DONOR,
    )
    Donor.objects.create(organisation=organisation, code="fondo-prueba")
    api = api_for("ana")
    api.raise_request_exception = False
    response = api.delete(f"/api/organisations/{organisation.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert error["message"] == ("It cannot be deleted while other records refer to it: donors (1).")
    assert Organisation.objects.filter(pk=organisation.pk).exists()
