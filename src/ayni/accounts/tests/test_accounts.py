from typing import Any

import pytest
from django.urls import reverse

from ayni.accounts.models import User
from ayni.core.tests.world import PASSWORD

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2(actor) -> None:
    assert actor("ana").password.startswith("argon2")


def test_login_and_logout(client) -> None:
    response = client.post(reverse("accounts:login"), {"username": "ana", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("reporting:home")).context["user"].username == "ana"
    client.post(reverse("accounts:logout"))
    assert not client.get(reverse("reporting:home")).context["user"].is_authenticated


def test_wrong_password_shows_an_error(client) -> None:
    response = client.post(reverse("accounts:login"), {"username": "ana", "password": "nope"})
    assert response.status_code == 200
    assert b"error-summary" in response.content


def test_lock_out_after_repeated_failures_even_with_the_right_password(client, settings) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "pablo", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "pablo", "password": PASSWORD})
    assert response.status_code == 429
    assert not client.get(reverse("reporting:home")).context["user"].is_authenticated


def test_partner_focal_point_needs_an_organisation(actor) -> None:
    from django.core.exceptions import ValidationError

    user = User(
        username="x", role="partner_focal_point", country_office=actor("ana").country_office
    )
    with pytest.raises(ValidationError, match="organisation"):
        user.full_clean()


def test_django_admin_is_for_superusers_only(client_for) -> None:
    assert client_for("root").get("/admin/").status_code == 200
    ana = client_for("ana")
    assert ana.get("/admin/").status_code == 302


def test_signing_out_clears_the_browser_cache_and_storage(client_for: Any) -> None:
    response = client_for("ana").post(reverse("accounts:logout"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'
