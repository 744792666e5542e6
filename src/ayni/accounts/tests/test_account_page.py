"""The account page: change my password, list, create and revoke my API tokens."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ayni.accounts import services
from ayni.accounts.models import ApiToken, User
from ayni.core.tests.world import PASSWORD

pytestmark = pytest.mark.django_db

ACCOUNT = reverse("accounts:account")
NEW_PASSWORD = "a completely new passphrase 42"


def _token(name: str, token_name: str = "script") -> ApiToken:  # noqa: S107
    user = User.objects.get(username=name)
    return services.api_token_create(user=user, name=token_name, scope="read", days=30).token


def test_the_header_links_to_the_account_page(client_for: Any) -> None:
    body = client_for("pia").get(reverse("reporting:home")).content.decode()
    assert f'href="{ACCOUNT}"' in body


def test_the_page_is_in_spanish_by_default_and_in_english(client_for: Any) -> None:
    client = client_for("pia")
    _token("pia", "Informe mensual")
    spanish = client.get(ACCOUNT).content.decode()
    assert "Mi cuenta" in spanish and "Tokens de la API" in spanish and "Informe mensual" in spanish
    assert "Cambiar la contraseña" in spanish
    english = client.get(ACCOUNT, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My account" in english and "API tokens" in english and "Change password" in english


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(ACCOUNT)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    response = client.post(reverse("accounts:token-create"), {"name": "x"})
    assert response.status_code == 302 and ApiToken.objects.count() == 0


def test_the_list_shows_my_tokens_only(client_for: Any) -> None:
    mine, theirs = _token("pia", "mine"), _token("carlos", "theirs")
    response = client_for("pia").get(ACCOUNT)
    assert [row.token for row in response.context["token_rows"]] == [mine]
    body = response.content.decode()
    assert mine.prefix in body and theirs.prefix not in body


def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(client_for: Any) -> None:
    client = client_for("pia")
    response = client.post(
        reverse("accounts:token-create"), {"name": "Reports", "scope": "read", "days": "90"}
    )
    assert response.status_code == 201
    secret = response.context["secret"]
    assert secret in response.content.decode()
    token = ApiToken.objects.get(user__username="pia")
    assert token.name == "Reports" and token.scope == "read"
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert 89 <= (token.expires_at - token.created_at).days <= 90
    assert secret not in client.get(ACCOUNT).content.decode()


def test_a_token_longer_than_the_maximum_is_refused_on_the_form(
    client_for: Any, settings: Any
) -> None:
    settings.AYNI_TOKEN_MAX_DAYS = 60
    client = client_for("pia")
    page = client.get(ACCOUNT)
    assert [d for d, _label in page.context["token_form"].fields["days"].choices] == [30, 60]
    response = client.post(
        reverse("accounts:token-create"), {"name": "Reports", "scope": "write", "days": "365"}
    )
    assert response.status_code == 200
    assert "days" in response.context["token_form"].errors
    assert "error-summary" in response.content.decode()
    assert ApiToken.objects.filter(user__username="pia").count() == 0


def test_a_token_without_a_name_is_refused(client_for: Any) -> None:
    response = client_for("pia").post(
        reverse("accounts:token-create"), {"name": " ", "scope": "read", "days": "30"}
    )
    assert response.status_code == 200 and "name" in response.context["token_form"].errors
    assert not ApiToken.objects.filter(user__username="pia").exists()


def test_i_revoke_my_token_after_confirming(client_for: Any) -> None:
    token = _token("pia")
    client = client_for("pia")
    url = reverse("accounts:token-revoke", args=[token.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and token.prefix in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # asking is not revoking
    assert client.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize("who", ["carlos", "ana", "root"])
def test_nobody_else_revokes_or_sees_my_token(client_for: Any, who: str) -> None:
    token = _token("pia")
    client = client_for(who)
    url = reverse("accounts:token-revoke", args=[token.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_revocation_is_audited_with_its_actor(client_for: Any) -> None:
    from auditlog.models import LogEntry

    token = _token("pia")
    client_for("pia").post(reverse("accounts:token-revoke", args=[token.pk]))
    entry = LogEntry.objects.get_for_object(token).latest("timestamp")
    assert entry.action == LogEntry.Action.UPDATE and entry.actor.username == "pia"


def test_changing_my_password_keeps_me_signed_in_and_stops_my_tokens(client: Client) -> None:
    from rest_framework.test import APIClient

    new = services.api_token_create(
        user=User.objects.get(username="pablo"), name="script", scope="read", days=30
    )
    client.force_login(User.objects.get(username="pablo"))
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert User.objects.get(username="pablo").check_password(NEW_PASSWORD)
    page = client.get(ACCOUNT)
    assert page.status_code == 200 and page.context["user"].username == "pablo"
    [row] = page.context["token_rows"]
    assert row.status == "password_changed"
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {new.secret}")
    assert api.get("/api/organisations/").status_code == 401


def test_a_wrong_current_password_changes_nothing(client_for: Any) -> None:
    client = client_for("pablo")
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "old_password" in response.context["password_form"].errors
    assert "There is a problem" in response.content.decode()
    assert User.objects.get(username="pablo").check_password(PASSWORD)


def test_the_token_list_says_a_lock_out_pauses_the_tokens(client_for: Any, settings: Any) -> None:
    _token("pablo")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(reverse("accounts:login"), {"username": "pablo", "password": "wrong"})
    [row] = client_for("pablo").get(ACCOUNT).context["token_rows"]
    assert row.status == "locked_out"
