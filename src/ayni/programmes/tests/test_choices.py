"""Results are placed only under what the user may change and tagged only with zones of their
office's country, on the pages and in the API (the one permission check, ``scope()``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ayni.core.tests.world import make_programme
from ayni.geography.models import Country, Zone
from ayni.programmes.forms import MoveForm, ResultForm
from ayni.programmes.models import Result

pytestmark = pytest.mark.django_db


@pytest.fixture
def zones(db) -> dict[str, Zone]:
    return {
        iso2: Zone.objects.create(
            country=Country.objects.get(iso2=iso2), code=f"focus-{iso2.lower()}", name_es=iso2
        )
        for iso2 in ("PE", "BO")
    }


@pytest.fixture
def bolivian_result(db) -> Result:
    return make_programme(office_code="bolivia", code="bo-cp").results.get(code="C1")


def test_the_result_form_offers_zones_of_the_office_country(actor, programme, zones) -> None:
    form = ResultForm(programme=programme, user=actor("pablo"))
    assert zones["PE"] in form.fields["zones"].queryset
    assert zones["BO"] not in form.fields["zones"].queryset


def test_the_move_form_offers_no_other_office_parent(actor, programme, bolivian_result) -> None:
    c1_1 = programme.results.get(code="C1.1")
    parents = MoveForm(result=c1_1, user=actor("pablo")).fields["parent"].queryset
    assert programme.results.get(code="C2") in parents and bolivian_result not in parents
    assert not MoveForm(result=c1_1, user=actor("bruno")).fields["parent"].queryset.exists()


def test_moving_under_another_office_result_on_the_page_is_refused(
    client_for, programme, bolivian_result
) -> None:
    c1_1 = programme.results.get(code="C1.1")
    url = reverse("programmes:result-action", args=[c1_1.pk, "move"])
    response = client_for("pablo").post(url, {"parent": bolivian_result.pk}, follow=True)
    assert any("parent" in str(m) for m in response.context["messages"])
    c1_1.refresh_from_db()
    assert c1_1.parent_id == programme.results.get(code="C1").pk


@pytest.mark.parametrize("field", ["parent", "zones"])
def test_the_api_refuses_another_office_parent_or_zone_naming_it(
    api_for, programme, bolivian_result, zones, field
) -> None:
    value = bolivian_result.pk if field == "parent" else [zones["BO"].pk]
    response = api_for("pablo").post(
        "/api/results/",
        {"programme": programme.pk, "code": "C9", "title_es": "Nuevo", field: value},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert not Result.objects.filter(code="C9").exists()


def test_the_api_refuses_bruno_a_peru_programme_naming_it(api_for, programme) -> None:
    response = api_for("bruno").post(
        "/api/results/", {"programme": programme.pk, "code": "Z", "title_es": "Z"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["programme"]
    assert not Result.objects.filter(code="Z").exists()


def test_a_tree_refusal_from_the_service_answers_400_naming_the_field(api_for, programme) -> None:
    c1 = programme.results.get(code="C1")
    response = api_for("pablo").patch(
        f"/api/results/{c1.pk}/", {"parent": programme.results.get(code="C1.1.1").pk}, format="json"
    )
    assert response.status_code == 400
    assert "parent" in response.json()["error"]["fields"]
    c1.refresh_from_db()
    assert c1.parent_id is None
