"""Writes through the programmes API refuse what the database would refuse, with a 400 naming
the field: retiring a result (its body read through a serializer), a programme's years."""

from __future__ import annotations

import pytest

from ayni.programmes.models import Result


@pytest.mark.django_db
@pytest.mark.parametrize("body", [-9.1e-126, [], "reason", None, {"reason": ["x"]}])
def test_a_body_that_is_not_an_object_with_a_text_reason_answers_400(api_for, programme, body):
    result = Result.objects.get(programme=programme, code="C2")
    response = api_for("pablo").post(f"/api/results/{result.pk}/retire/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"
    result.refresh_from_db()
    assert result.retired_at is None


@pytest.mark.django_db
def test_a_result_is_retired_with_a_reason_and_refused_without(api_for, programme) -> None:
    result = Result.objects.get(programme=programme, code="C2")
    api = api_for("pablo")
    refused = api.post(f"/api/results/{result.pk}/retire/", {}, format="json")
    assert refused.status_code == 400
    assert "retired_reason" in refused.json()["error"]["fields"]
    response = api.post(f"/api/results/{result.pk}/retire/", {"reason": "merged"}, format="json")
    assert response.status_code == 200, response.content
    result.refresh_from_db()
    assert result.retired_reason == "merged"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body", [{"start_year": 2017}, {"end_year": 2011}, {"start_year": 2020, "end_year": 2019}]
)
def test_a_programme_cannot_end_before_it_starts(api_for, programme, body) -> None:
    response = api_for("ana").patch(f"/api/programmes/{programme.pk}/", body, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == ["end_year"]
    programme.refresh_from_db()
    assert (programme.start_year, programme.end_year) == (2012, 2016)


@pytest.mark.django_db
def test_a_programme_s_years_change_in_order(api_for, programme) -> None:
    body = {"start_year": 2013, "end_year": 2013}
    response = api_for("ana").patch(f"/api/programmes/{programme.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    programme.refresh_from_db()
    assert (programme.start_year, programme.end_year) == (2013, 2013)
