"""Security events reach the ``ayni.security`` log with who, from where and what, and no secret."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ayni.core.tests.world import PASSWORD

pytestmark = pytest.mark.django_db


def lines(caplog: Any) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "ayni.security"]


def sign_in(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_a_sign_in_and_a_sign_out_are_logged(caplog: Any, actor: Any) -> None:
    caplog.set_level(logging.INFO, logger="ayni.security")
    client = Client()
    sign_in(client, "ana", PASSWORD)
    client.post(reverse("accounts:logout"))

    ana = actor("ana")
    assert lines(caplog) == [
        f"sign_in user={ana.pk}:ana ip=127.0.0.1",
        f"sign_out user={ana.pk}:ana ip=127.0.0.1",
    ]


def test_a_failed_sign_in_names_the_user_tried_and_never_the_password(caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="ayni.security")
    sign_in(Client(), "ana", "wrong-Secret-123")

    (line,) = lines(caplog)
    assert line == "sign_in_failed user=anonymous ip=127.0.0.1 username=ana"
    assert "wrong-Secret-123" not in caplog.text


def test_a_lock_out_is_logged(caplog: Any, settings: Any) -> None:
    caplog.set_level(logging.INFO, logger="ayni.security")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "ana", "wrong")

    assert "locked_out user=anonymous ip=127.0.0.1 username=ana" in lines(caplog)


def test_a_refused_page_is_logged_with_the_user_and_path(caplog: Any, client_for: Any) -> None:
    caplog.set_level(logging.INFO, logger="ayni.security")
    response = client_for("paula").get(reverse("monitoring:import"))
    assert response.status_code == 403

    paula = [r for r in lines(caplog) if r.startswith("refused")]
    assert paula and "user=" in paula[0] and ":paula" in paula[0]
    assert "status=403 method=GET path=/" in paula[0]


def test_a_refused_api_call_names_the_token_user(caplog: Any, actor: Any) -> None:
    from rest_framework.test import APIClient

    caplog.set_level(logging.INFO, logger="ayni.security")
    client = APIClient()
    client.force_authenticate(actor("paula"))
    response = client.post("/api/imports/", {})
    assert response.status_code == 403

    (line,) = [r for r in lines(caplog) if r.startswith("refused")]
    assert f"user={actor('paula').pk}:paula" in line
    assert "method=POST path=/api/imports/" in line


def test_a_user_name_tried_cannot_forge_a_log_line(caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="ayni.security")
    sign_in(Client(), "nobody\nsign_in user=1:root ip=10.0.0.1", "x")

    (line,) = lines(caplog)
    assert "\n" not in line
    assert line.startswith("sign_in_failed user=anonymous ip=127.0.0.1 username=nobody ")
