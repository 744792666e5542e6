"""Every answer carries the Content-Security-Policy and Permissions-Policy; the API and the
pages of a signed-in user are never stored by a cache."""

from typing import Any

import pytest

from ayni.core.middleware import CONTENT_SECURITY_POLICY


def _assert_policies(response: Any) -> None:
    csp = response["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("style-src-attr")[0]  # only style attributes
    assert "unsafe-eval" not in csp
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation"):
        assert f"{feature}=()" in policy


@pytest.mark.django_db
def test_an_anonymous_public_page_has_the_policies_and_may_be_cached(client: Any) -> None:
    response = client.get("/places/")
    assert response.status_code == 200
    _assert_policies(response)
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_a_signed_in_page_is_not_stored(client_for: Any) -> None:
    response = client_for("ana").get("/")
    assert response.status_code == 200
    _assert_policies(response)
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", [None, "ana"])
def test_every_api_answer_is_not_stored(api_for: Any, who: str | None) -> None:
    response = api_for(who).get("/api/locations/", {"country": "PE", "level": "department"})
    assert response.status_code == 200
    _assert_policies(response)
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_nul_character_in_a_filter_is_a_400_naming_it(client: Any, api_for: Any) -> None:
    response = api_for(None).get("/api/locations/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["q"]
    page = client.get("/places/", {"q": "\x00"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400
    assert "q: The value holds a NUL character." in page.content.decode()
    _assert_policies(page)
