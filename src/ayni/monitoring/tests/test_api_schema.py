"""The monitoring API answers as its schema documents: data values as pages of JSON or, with
``?output=csv``, as CSV."""

from __future__ import annotations

import pytest

from ayni.core.tests.openapi import call, conform


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{}, {"output": "csv"}])
def test_data_values_answer_as_documented(query) -> None:
    case, response = call("GET /api/data-values/", "ana", query=query)
    assert response.status_code == 200
    expected = "text/csv" if query else "application/json"
    assert response.headers["content-type"][0].startswith(expected)
    conform(case, response)


@pytest.mark.django_db
@pytest.mark.parametrize("username", [None, "ana"])
def test_a_malformed_filter_of_the_csv_answers_400_before_the_body(username) -> None:
    case, response = call(
        "GET /api/data-values/", username, query={"output": "csv", "year": "framework goals"}
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["year"]
    conform(case, response)
