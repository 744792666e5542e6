"""Who is not signed in is told so (401, with how to sign in); who is, but may not, gets 403."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.mark.django_db
def test_without_credentials_the_api_answers_401_saying_how_to_sign_in(api_for) -> None:
    response = api_for(None).get("/api/grants/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Token realm="api"'
    assert response.json()["error"]["status"] == 401


@pytest.mark.django_db
def test_a_token_that_is_not_valid_answers_401() -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get("/api/locations/")  # public, yet the credentials given are wrong
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Token realm="api"'


@pytest.mark.django_db
def test_a_signed_in_user_who_may_not_gets_403(api_for, client_for) -> None:
    assert api_for("pia").get("/api/grants/").status_code == 403
    # Signed in through the session (the pages' own sign-in) as well.
    assert client_for("pia").get("/api/grants/").status_code == 403
    assert client_for("ana").get("/api/grants/").status_code == 200
