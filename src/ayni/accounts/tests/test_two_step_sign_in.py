"""Sign-in in two steps: the password, then a code from the authenticator app (or a recovery
code). Codes are computed with django-otp's own TOTP, at the real time."""

from __future__ import annotations

import time
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.signals import user_logged_in
from django.test import Client
from django.urls import reverse

from ayni.accounts import two_step
from ayni.accounts.tests.two_step_helpers import (
    code_not_now,
    code_now,
    code_step,
    password_step,
    signed_in_user,
    with_two_step,
)
from ayni.core import sessions

pytestmark = pytest.mark.django_db


@pytest.fixture
def logins() -> Any:
    """Every ``user_logged_in`` signal sent during the test."""
    seen: list[str] = []

    def receiver(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        seen.append(user.get_username())

    user_logged_in.connect(receiver, dispatch_uid="test-two-step-logins")
    yield seen
    user_logged_in.disconnect(dispatch_uid="test-two-step-logins")


def test_the_password_alone_does_not_sign_in(actor, client, logins) -> None:
    with_two_step(actor("pablo"))
    response = password_step(client, "pablo")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login-code")
    assert not signed_in_user(client).is_authenticated
    assert logins == []
    assert sessions.AUTH_AT not in client.session


def test_the_right_code_signs_in_once_after_both_steps(actor, client, logins) -> None:
    device, _codes = with_two_step(actor("pablo"))
    password_step(client, "pablo")
    response = code_step(client, code_now(device))
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:home")
    assert signed_in_user(client).username == "pablo"
    assert logins == ["pablo"]
    assert sessions.AUTH_AT in client.session  # the session clock starts at the second step
    assert two_step.PENDING not in client.session


def test_a_user_without_two_step_signs_in_with_the_password(client, logins) -> None:
    response = password_step(client, "pablo")
    assert response["Location"] == reverse("reporting:home")
    assert logins == ["pablo"]


def test_a_wrong_code_does_not_sign_in_and_counts_as_a_failed_sign_in(actor, client) -> None:
    device, _codes = with_two_step(actor("pablo"))
    password_step(client, "pablo")
    response = code_step(client, code_not_now(device))
    assert response.status_code == 200
    assert b"error-summary" in response.content
    assert not signed_in_user(client).is_authenticated
    attempt = AccessAttempt.objects.get(username="pablo")
    assert attempt.failures_since_start == 1
    assert "code=" not in attempt.post_data or "********" in attempt.post_data


def test_a_right_code_just_after_a_wrong_one_waits_for_the_throttle(actor, client) -> None:
    device, _codes = with_two_step(actor("pablo"))
    password_step(client, "pablo")
    code_step(client, code_not_now(device))
    response = code_step(client, code_now(device))
    assert (
        "Too soon" in response.content.decode() or "Demasiado pronto" in response.content.decode()
    )
    assert not signed_in_user(client).is_authenticated


def test_a_code_is_accepted_once(actor, client) -> None:
    device, _codes = with_two_step(actor("pablo"))
    code = code_now(device)
    password_step(client, "pablo")
    assert code_step(client, code).status_code == 302
    client.post(reverse("accounts:logout"))

    password_step(client, "pablo")
    response = code_step(client, code)  # the same code, within its 30 seconds
    assert response.status_code == 200
    assert not signed_in_user(client).is_authenticated


def test_the_half_done_sign_in_expires(actor, client) -> None:
    device, _codes = with_two_step(actor("pablo"))
    password_step(client, "pablo")
    session = client.session
    pending = session[two_step.PENDING]
    pending["at"] = int(time.time()) - two_step.PENDING_SECONDS - 1
    session[two_step.PENDING] = pending
    session.save()

    response = code_step(client, code_now(device))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert not signed_in_user(client).is_authenticated
    assert two_step.PENDING not in client.session


def test_the_code_step_without_a_password_step_goes_back_to_sign_in(actor, client) -> None:
    device, _codes = with_two_step(actor("pablo"))
    response = code_step(client, code_now(device))
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not signed_in_user(client).is_authenticated


def test_a_password_change_voids_the_half_done_sign_in(actor, client) -> None:
    user = actor("pablo")
    device, _codes = with_two_step(user)
    password_step(client, "pablo")
    user.set_password("another long passphrase for pablo")
    user.save()
    response = code_step(client, code_now(device))
    assert response["Location"] == reverse("accounts:login")
    assert not signed_in_user(client).is_authenticated


def test_a_recovery_code_works_once(actor, client) -> None:
    _device, codes = with_two_step(actor("pablo"))
    password_step(client, "pablo")
    # Typed loosely: upper case, spaces for hyphens.
    response = code_step(client, codes[3].upper().replace("-", " "))
    assert response.status_code == 302
    assert signed_in_user(client).username == "pablo"
    client.post(reverse("accounts:logout"))

    password_step(client, "pablo")
    response = code_step(client, codes[3])
    assert response.status_code == 200
    assert not signed_in_user(client).is_authenticated


def test_five_wrong_codes_ask_for_the_password_again(actor, client, settings) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the device's own back-off is tested above
    settings.AXES_FAILURE_LIMIT = 20  # this tests the sign-in's own limit
    device, _codes = with_two_step(actor("pablo"))
    password_step(client, "pablo")
    for _ in range(two_step.MAX_CODE_FAILURES - 1):
        assert code_step(client, code_not_now(device)).status_code == 200
    response = code_step(client, code_not_now(device))
    assert response["Location"] == reverse("accounts:login")
    # The right code no longer helps: the password step comes first.
    response = code_step(client, code_now(device))
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not signed_in_user(client).is_authenticated


def test_wrong_codes_lead_to_the_axes_lock_out(actor, client, settings) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device, _codes = with_two_step(actor("pablo"))
    password_step(client, "pablo")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        code_step(client, code_not_now(device))
    assert code_step(client, code_not_now(device)).status_code == 429
    # Locked out: even the right password is refused now.
    assert password_step(Client(), "pablo").status_code == 429


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/finance/", "/finance/"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("/\\evil.example", "/"),
    ],
)
def test_the_next_address_is_kept_and_checked(actor, client, target, expected) -> None:
    device, _codes = with_two_step(actor("pablo"))
    response = client.post(
        reverse("accounts:login") + "?next=" + target,
        {"username": "pablo", "password": "correct horse battery staple 42", "next": target},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    page = client.get(response["Location"])
    next_value = page.context["next"]
    response = code_step(client, code_now(device), next=next_value)
    assert response["Location"] == (expected if expected != "/" else reverse("reporting:home"))


def test_the_code_page_is_in_spanish_and_english(actor, client) -> None:
    with_two_step(actor("pablo"))
    password_step(client, "pablo")
    spanish = client.get(reverse("accounts:login-code")).content.decode()
    english = client.get(reverse("accounts:login-code"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Código de 6 dígitos" in spanish
    assert "6-digit code" in english.content.decode()
