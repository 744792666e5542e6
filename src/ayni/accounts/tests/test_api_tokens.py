"""API tokens: a token that does not work answers 401 with a challenge; a read-only token
cannot write; a token stops with its owner's password, deactivation and lock-out."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from ayni.accounts import services
from ayni.accounts.models import ApiToken, User
from ayni.geography.models import Location

pytestmark = pytest.mark.django_db


def _token(name: str, scope: str = "read", days: int = 30) -> tuple[ApiToken, str]:
    new = services.api_token_create(
        user=User.objects.get(username=name), name="script", scope=scope, days=days
    )
    return new.token, new.secret


def _api(secret: str | None = None, keyword: str = "Token") -> APIClient:
    """A client in English (the API answers in the request's language, Spanish by default)."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if secret is not None:
        client.credentials(HTTP_AUTHORIZATION=f"{keyword} {secret}")
    return client


def _refused(response: Any, words: str) -> None:
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == 'Token realm="api"'
    error = response.json()["error"]
    assert error["status"] == 401
    assert words in error["message"], error["message"]


def test_a_token_reads_as_its_owner() -> None:
    _token_row, secret = _token("pia")
    assert _api(secret).get("/api/organisations/").json()["count"] == 1


def test_bearer_is_accepted_as_well() -> None:
    _token_row, secret = _token("pia")
    assert _api(secret, "Bearer").get("/api/organisations/").status_code == 200


def test_no_credentials_on_a_private_list_answer_401_with_a_challenge() -> None:
    _refused(_api().get("/api/grants/"), "credentials were not provided")


def test_an_unknown_token_answers_401() -> None:
    _refused(_api("ayni_" + "x" * 43).get("/api/organisations/"), "not valid")


def test_an_unknown_token_answers_401_even_on_a_public_list() -> None:
    _refused(_api("0123456789abcdef").get("/api/locations/"), "not valid")


def test_a_malformed_header_answers_401() -> None:
    _refused(_api("a b").get("/api/organisations/"), "one space")


def test_the_refusal_is_in_spanish_by_default() -> None:
    token, secret = _token("pia")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    response = client.get("/api/organisations/")
    assert response.status_code == 401
    assert "venció" in response.json()["error"]["message"]


def test_an_expired_token_answers_401() -> None:
    token, secret = _token("pia")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _refused(_api(secret).get("/api/organisations/"), "expired")


def test_a_revoked_token_answers_401() -> None:
    token, secret = _token("pia")
    services.api_token_revoke(token=token)
    _refused(_api(secret).get("/api/organisations/"), "revoked")


def test_a_read_only_token_cannot_write() -> None:
    _token_row, secret = _token("ana", scope="read")
    location = Location.objects.get(country__iso2="PE", code="0301")
    response = _api(secret).patch(f"/api/locations/{location.pk}/", {"capital": "X"}, format="json")
    assert response.status_code == 403
    assert "read-only" in response.json()["error"]["message"]
    response = _api(secret).post("/api/organisations/", {"name": "X"}, format="json")
    assert response.status_code == 403
    location.refresh_from_db()
    assert location.capital == "Abancay"


def test_a_read_write_token_writes_and_is_the_audit_actor() -> None:
    from auditlog.models import LogEntry

    _token_row, secret = _token("ana", scope="write")
    location = Location.objects.get(country__iso2="PE", code="0301")
    response = _api(secret).patch(
        f"/api/locations/{location.pk}/", {"capital": "Abancay II"}, format="json"
    )
    assert response.status_code == 200
    entry = LogEntry.objects.get_for_object(location).latest("timestamp")
    assert entry.actor == User.objects.get(username="ana")


def test_a_token_can_do_no_more_than_its_owner() -> None:
    _token_row, secret = _token("pia", scope="write")
    location = Location.objects.get(country__iso2="PE", code="0301")
    response = _api(secret).patch(f"/api/locations/{location.pk}/", {"capital": "X"})
    assert response.status_code == 403


def test_last_used_is_written_at_most_once_a_minute(django_assert_num_queries: Any) -> None:
    token, secret = _token("pia")
    api = _api(secret)
    api.get("/api/organisations/")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api.get("/api/organisations/")
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    api.get("/api/organisations/")
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=2)


def test_a_token_stops_when_the_password_is_set() -> None:
    _token_row, secret = _token("pablo")
    user = User.objects.get(username="pablo")
    user.set_password("a completely new passphrase 42")
    user.save()
    _refused(_api(secret).get("/api/organisations/"), "password changed")


def test_a_token_stops_when_an_administrator_changes_the_password_in_the_admin(
    client_for: Any,
) -> None:
    _token_row, secret = _token("pablo")
    pablo = User.objects.get(username="pablo")
    url = reverse("admin:auth_user_password_change", args=[pablo.pk])
    new = "a completely new passphrase 42"
    response = client_for("root").post(
        url, {"password1": new, "password2": new, "usable_password": "true"}
    )
    assert response.status_code == 302, response.content
    _refused(_api(secret).get("/api/organisations/"), "password changed")


def test_a_token_stops_when_the_account_is_deactivated() -> None:
    token, secret = _token("pablo")
    user = User.objects.get(username="pablo")
    user.is_active = False
    user.save()
    _refused(_api(secret).get("/api/organisations/"), "revoked")
    token.refresh_from_db()
    assert token.revoked_at is not None
    # Reactivated, the account does not get its old tokens back.
    user.is_active = True
    user.save()
    _refused(_api(secret).get("/api/organisations/"), "revoked")


def test_a_token_stops_when_the_account_is_deactivated_without_save() -> None:
    _token_row, secret = _token("pablo")
    User.objects.filter(username="pablo").update(is_active=False)
    _refused(_api(secret).get("/api/organisations/"), "deactivated")


def _fail_sign_ins(settings: Any, address: str) -> None:
    from django.test import Client

    client = Client(REMOTE_ADDR=address)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "pablo", "password": "wrong"})


def test_a_lock_out_pauses_the_tokens_until_it_ends(settings: Any) -> None:
    from axes.models import AccessAttempt

    _token_row, secret = _token("pablo")
    api = _api(secret)
    assert api.get("/api/organisations/").status_code == 200
    _fail_sign_ins(settings, "203.0.113.9")
    _refused(api.get("/api/organisations/"), "locked out")
    # The cool-off ends: the same token works again.
    AccessAttempt.objects.filter(username="pablo").update(
        attempt_time=timezone.now() - timedelta(minutes=settings.AXES_COOLOFF_TIME * 60 + 1)
    )
    assert api.get("/api/organisations/").status_code == 200


def test_a_few_failed_sign_ins_do_not_pause_the_tokens(settings: Any) -> None:
    from django.test import Client

    _token_row, secret = _token("pablo")
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("accounts:login"), {"username": "pablo", "password": "wrong"})
    assert _api(secret).get("/api/organisations/").status_code == 200


def test_session_authentication_still_checks_csrf(client: Any) -> None:
    client.force_login(User.objects.get(username="ana"))
    api = APIClient(enforce_csrf_checks=True)
    api.cookies = client.cookies
    location = Location.objects.get(country__iso2="PE", code="0301")
    assert api.get("/api/organisations/").status_code == 200
    response = api.patch(f"/api/locations/{location.pk}/", {"capital": "X"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_only_a_hash_of_the_secret_is_stored() -> None:
    token, secret = _token("pia")
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret.startswith("ayni_") and len(secret) == 5 + 43
    assert all(secret not in str(value) for value in row.values())
    assert row["key_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(row["prefix"]) and len(row["prefix"]) == 13


def test_creation_and_revocation_are_audited_without_the_secret_or_its_hash() -> None:
    from auditlog.models import LogEntry

    token, secret = _token("pia")
    services.api_token_revoke(token=token)
    entries = LogEntry.objects.get_for_object(token).order_by("timestamp")
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert "revoked_at" in entries[1].changes_dict
    for entry in entries:
        text = f"{entry.changes} {entry.object_repr} {entry.serialized_data or ''}"
        assert secret not in text and token.key_hash not in text
        assert "key_hash" not in entry.changes_dict
        assert "password_fingerprint" not in entry.changes_dict


def test_a_token_lasts_no_longer_than_the_maximum(settings: Any) -> None:
    from django.core.exceptions import ValidationError

    settings.AYNI_TOKEN_MAX_DAYS = 30
    with pytest.raises(ValidationError):
        _token("pia", days=31)
    token, _secret = _token("pia", days=30)
    assert token.expires_at - token.created_at <= timedelta(days=30)


def test_a_superuser_revokes_a_token_in_the_admin_but_cannot_make_one(client_for: Any) -> None:
    token, secret = _token("pia")
    client = client_for("root")
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    page = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    assert token.prefix in page and token.key_hash not in page
    client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    _refused(_api(secret).get("/api/organisations/"), "revoked")


def test_the_openapi_schema_declares_the_token_scheme() -> None:
    schema = _api().get("/api/schema/", {"format": "json"}).json()
    assert schema["components"]["securitySchemes"]["tokenAuth"]["scheme"] == "bearer"
    operation = schema["paths"]["/api/organisations/"]["get"]
    assert {"tokenAuth": []} in operation["security"]
