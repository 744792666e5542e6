"""An address under /api/ that matches no endpoint answers 404 in the API's error format
(JSON, as documented), not the HTML page people get."""

from __future__ import annotations

import pytest

from ayni.core.tests.openapi import call, conform


@pytest.mark.django_db
@pytest.mark.parametrize("record", ["1.5", "a.b", "-"])
def test_an_id_the_router_does_not_match_answers_a_json_404(record) -> None:
    case, response = call(
        "GET /api/partner-reports/{id}/history/", "ana", path_parameters={"id": record}
    )
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404
    conform(case, response)


@pytest.mark.django_db
def test_an_unknown_api_address_answers_json_and_a_page_answers_html(client) -> None:
    response = client.get("/api/no-such-endpoint/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {"status": 404, "code": "not_found", "message": "Not found.", "fields": {}}
    }
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
