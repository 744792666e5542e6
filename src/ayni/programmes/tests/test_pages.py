from decimal import Decimal

import pytest
from django.urls import reverse

from ayni.programmes.models import Result

pytestmark = pytest.mark.django_db


def test_dashboard_answers_first_with_planned_funded_and_gap(client_for, programme) -> None:
    response = client_for("pablo").get(programme.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.planned == Decimal("0.00")  # no budget lines in the bare test programme
    body = response.content.decode()
    assert 'data-testid="funded-pct"' in body and "<svg" in body


def test_dashboard_is_refused_to_partner_focal_points(client_for, programme) -> None:
    assert client_for("pia").get(programme.get_absolute_url()).status_code == 403


def test_another_office_programme_is_not_found(client_for, programme) -> None:
    assert client_for("bruno").get(programme.get_absolute_url()).status_code == 404


def test_tree_page_lists_results_in_order(client_for, programme, django_assert_max_num_queries):
    with django_assert_max_num_queries(35):
        response = client_for("pablo").get(reverse("reporting:result-tree", args=[programme.pk]))
    codes = [node.code for node in response.context["nodes"]]
    assert codes[:3] == ["C1", "C1.1", "C1.1.1"]


def test_programme_manager_adds_an_output_through_the_form(client_for, programme) -> None:
    parent = programme.results.get(code="C2")
    response = client_for("pablo").post(
        reverse("programmes:result-create", args=[parent.pk]),
        {"code": "C2.2", "title_es": "Nuevo producto", "title_en": "New output"},
    )
    assert response.status_code == 302
    created = Result.objects.get(programme=programme, code="C2.2")
    assert created.level == "output" and created.parent == parent


def test_a_refused_form_keeps_what_was_typed(client_for, programme) -> None:
    parent = programme.results.get(code="C2")
    response = client_for("pablo").post(
        reverse("programmes:result-create", args=[parent.pk]),
        {"code": "C2.2", "title_es": "Nuevo", "sector_code": "12"},
    )
    assert response.status_code == 200
    assert "sector_code" in response.context["form"].errors
    assert 'value="Nuevo"' in response.content.decode()


def test_regional_focal_point_cannot_open_the_result_form(client_for, programme) -> None:
    result = programme.results.get(code="C1")
    assert (
        client_for("rosa").get(reverse("programmes:result-edit", args=[result.pk])).status_code
        == 403
    )


def test_move_up_and_retire_through_the_tree_buttons(client_for, programme) -> None:
    client = client_for("pablo")
    c2 = programme.results.get(code="C2")
    client.post(reverse("programmes:result-action", args=[c2.pk, "up"]))
    c2.refresh_from_db()
    assert c2.position == 1
    client.post(reverse("programmes:result-action", args=[c2.pk, "retire"]), {"reason": "x"})
    c2.refresh_from_db()
    assert c2.retired_at is not None


def test_retire_without_a_reason_shows_the_error(client_for, programme) -> None:
    c1 = programme.results.get(code="C1")
    response = client_for("pablo").post(
        reverse("programmes:result-action", args=[c1.pk, "retire"]), follow=True
    )
    assert "retired_reason" in response.content.decode()
    c1.refresh_from_db()
    assert c1.retired_at is None


def test_result_page_shows_funding_and_links(client_for, programme) -> None:
    result = programme.results.get(code="C1.1")
    response = client_for("diego").get(result.get_absolute_url())
    assert response.status_code == 200
    assert response.context["figures"] is None  # donors see funding on their donor page
    assert client_for("pablo").get(result.get_absolute_url()).context["figures"].currency == "USD"


def test_api_funding_endpoint(api_for, programme) -> None:
    body = api_for("pablo").get(f"/api/programmes/{programme.pk}/funding/?by=component").json()
    assert body["currency"] == "USD"
    assert body["rows"][0]["label"].startswith("C1")
