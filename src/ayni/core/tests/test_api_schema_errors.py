"""The schema documents the error answers of every operation, in the one error format."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

METHODS = {"get", "post", "put", "patch", "delete"}


def _schema(api: Any) -> dict[str, Any]:
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in METHODS
    ]


@pytest.mark.django_db
def test_every_operation_documents_its_error_answers(api_for) -> None:
    schema = _schema(api_for(None))
    missing = []
    for method, path, operation in _operations(schema):
        expected = {"400", "401", "403", "404"} | ({"409"} if method == "delete" else set())
        expected |= {"415"} if method in ("post", "put", "patch") else set()
        for code in sorted(expected):
            content = operation["responses"].get(code, {}).get("content", {})
            ref = content.get("application/json", {}).get("schema", {}).get("$ref")
            if ref != "#/components/schemas/Error":
                missing.append(f"{method.upper()} {path} {code}")
    assert not missing, missing


@pytest.mark.django_db
def test_the_error_bodies_conform_to_the_documented_error(api_for, programme) -> None:
    schema = _schema(api_for(None))
    error = {"$ref": "#/components/schemas/Error", "components": schema["components"]}
    answers = [
        api_for("ana").get("/api/results/", {"programme": "abc"}),  # 400
        api_for(None).get("/api/grants/"),  # 401
        api_for("pia").get("/api/grants/"),  # 403
        api_for("ana").get("/api/grants/999999999/"),  # 404
    ]
    answers.append(  # 415: a body in a media type the endpoint does not read
        api_for("ana").post(
            f"/api/results/{programme.results.first().pk}/retire/", "x", content_type="text/plain"
        )
    )
    assert [answer.status_code for answer in answers] == [400, 401, 403, 404, 415]
    for answer in answers:
        jsonschema.validate(answer.json(), error)
