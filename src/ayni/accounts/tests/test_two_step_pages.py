"""Two-step verification pages (set up, recovery codes, turn off) and where it is enforced:
the confinement of a user who must set it up, the API, the admin's sign-in, API tokens."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ayni.accounts import services, two_step
from ayni.accounts.models import RecoveryCode
from ayni.accounts.tests.two_step_helpers import (
    code_now,
    code_step,
    password_step,
    signed_in_user,
    with_two_step,
)
from ayni.core.tests.world import PASSWORD

pytestmark = pytest.mark.django_db


# Set-up ---------------------------------------------------------------------------------------


def test_set_up_shows_a_qr_code_and_the_key_then_a_first_code_turns_it_on(client_for) -> None:
    client = client_for("pablo")
    page = client.get(reverse("accounts:two-step-setup"))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<svg class="qr"' in html and "<path" in html and "<script>" not in html
    secret = page.context["secret"].replace(" ", "")
    assert len(secret) == 32  # 20 random bytes in base32

    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username="pablo", confirmed=False)
    assert device.tolerance == 0 and device.step == 30
    # Reloading keeps the key the app may have scanned already.
    assert (
        client.get(reverse("accounts:two-step-setup")).context["secret"] == page.context["secret"]
    )

    response = client.post(reverse("accounts:two-step-setup"), {"code": code_now(device)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    user = signed_in_user(client)  # this session stays signed in
    assert user.username == "pablo" and two_step.enabled(user)
    # Only digests are kept: no code appears in the database.
    stored = set(RecoveryCode.objects.filter(device__user=user).values_list("digest", flat=True))
    assert stored == {two_step.recovery_code_digest(code) for code in codes}
    assert not stored & set(codes)


def test_a_wrong_first_code_leaves_two_step_off(client_for, actor) -> None:
    client = client_for("pablo")
    client.get(reverse("accounts:two-step-setup"))
    response = client.post(reverse("accounts:two-step-setup"), {"code": "000000"})
    assert response.status_code == 200
    assert b"error-summary" in response.content
    assert not two_step.enabled(actor("pablo"))


def test_turning_it_on_ends_the_other_sessions_opened_with_a_password(actor) -> None:
    elsewhere = Client()
    elsewhere.force_login(actor("pablo"))  # signed in with the password alone, before
    here = Client()
    here.force_login(actor("pablo"))
    here.get(reverse("accounts:two-step-setup"))
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username="pablo")
    here.post(reverse("accounts:two-step-setup"), {"code": code_now(device)})

    assert signed_in_user(here).is_authenticated
    assert not signed_in_user(elsewhere).is_authenticated


def test_codes_in_recovery_codes_and_status_on_the_overview(client_for, actor) -> None:
    with_two_step(actor("pablo"))
    page = client_for("pablo").get(reverse("accounts:two-step"), HTTP_ACCEPT_LANGUAGE="en")
    assert "10 recovery codes left" in page.content.decode()


# Recovery codes and turning off ---------------------------------------------------------------


def test_new_recovery_codes_need_the_password_and_a_code_and_replace_the_old(
    client_for, actor
) -> None:
    device, old = with_two_step(actor("pablo"))
    client = client_for("pablo")
    url = reverse("accounts:two-step-recovery-codes")
    refused = client.post(url, {"password": "wrong", "code": code_now(device)})
    assert refused.status_code == 200 and "codes" not in refused.context

    response = client.post(url, {"password": PASSWORD, "code": old[0]})
    new = response.context["codes"]
    assert len(new) == 10
    client.post(reverse("accounts:logout"))
    password_step(client, "pablo")
    assert code_step(client, new[0]).status_code == 302
    client.post(reverse("accounts:logout"))
    password_step(client, "pablo")
    assert code_step(client, old[1]).status_code == 200  # the old ones stopped working


def test_turning_off_needs_the_password_and_a_current_code(client_for, actor, settings) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a right code just after a wrong one
    device, _codes = with_two_step(actor("pablo"))
    client = client_for("pablo")
    url = reverse("accounts:two-step-off")
    client.post(url, {"password": PASSWORD, "code": "123456"})
    assert two_step.enabled(actor("pablo"))

    response = client.post(url, {"password": PASSWORD, "code": code_now(device)})
    assert response["Location"] == reverse("accounts:two-step")
    assert not two_step.enabled(actor("pablo"))
    assert signed_in_user(client).is_authenticated
    assert not RecoveryCode.objects.filter(device__user__username="pablo").exists()


def test_it_cannot_be_turned_off_where_it_is_required(client_for, actor, settings) -> None:
    settings.AYNI_MFA_REQUIRED = True
    device, _codes = with_two_step(actor("pablo"))
    client = client_for("pablo")
    client.force_login(actor("pablo"))  # the session of a user who has it on
    response = client.post(
        reverse("accounts:two-step-off"), {"password": PASSWORD, "code": code_now(device)}
    )
    assert response["Location"] == reverse("accounts:two-step")
    assert two_step.enabled(actor("pablo"))


def test_the_pages_ask_anonymous_visitors_to_sign_in(client) -> None:
    for name in ("two-step", "two-step-setup", "two-step-recovery-codes", "two-step-off"):
        response = client.get(reverse(f"accounts:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


# Enforcement ----------------------------------------------------------------------------------


def test_a_user_who_must_set_it_up_reaches_only_the_set_up_page(client_for, settings) -> None:
    settings.AYNI_MFA_REQUIRED = True
    client = client_for("pablo")
    for path in ("/", "/finance/", reverse("accounts:two-step"), "/admin/", "/jobs/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == reverse("accounts:two-step-setup"), path
    assert client.get(reverse("accounts:two-step-setup")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302
    client.post(reverse("accounts:logout"))
    assert not signed_in_user(client).is_authenticated


def test_the_api_refuses_a_user_who_must_set_it_up(client_for, actor, settings) -> None:
    settings.AYNI_MFA_REQUIRED = True
    session = client_for("pablo").get("/api/programmes/", HTTP_ACCEPT_LANGUAGE="en")
    assert session.status_code == 403
    assert "Two-step verification is required" in session.json()["error"]["message"]

    made = services.api_token_create(user=actor("pablo"), name="script", scope="read", days=30)
    by_token = Client().get("/api/programmes/", HTTP_AUTHORIZATION=f"Token {made.secret}")
    assert by_token.status_code == 403


def test_once_set_up_the_user_goes_everywhere_again(actor, client, settings) -> None:
    settings.AYNI_MFA_REQUIRED = True
    device, _codes = with_two_step(actor("pablo"))
    password_step(client, "pablo")
    code_step(client, code_now(device))
    assert client.get("/").status_code == 200
    assert client.get("/api/programmes/").status_code == 200


def test_the_admin_sign_in_sends_to_the_two_step_sign_in(client) -> None:
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=%2Fadmin%2Faccounts%2Fuser%2F"
    # Its form posted directly signs no one in.
    client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert not signed_in_user(client).is_authenticated
    assert client.get("/admin/").status_code == 302


def test_the_admin_cannot_be_reached_with_the_password_alone(actor, client) -> None:
    device, _codes = with_two_step(actor("root"))
    password_step(client, "root", next="/admin/")
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    response = client.get(reverse("accounts:login-code") + "?next=/admin/")
    response = code_step(client, code_now(device), next="/admin/")
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_refuses_a_signed_in_office_user(client_for) -> None:
    assert client_for("ana").get("/admin/login/?next=/admin/").status_code == 403


def test_drf_has_no_sign_in_page_of_its_own() -> None:
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("rest_framework:login")


def test_no_endpoint_trades_a_password_for_an_api_token() -> None:
    # Tokens are made on the account page, from a signed-in (two-step verified) session.
    response = Client().post("/api/auth/token/", {"username": "pablo", "password": PASSWORD})
    assert response.status_code == 404


def test_a_superuser_resets_the_two_step_verification_of_a_user_who_lost_everything(
    actor, client_for, caplog
) -> None:
    pablo = actor("pablo")
    with_two_step(pablo)
    response = client_for("root").post(
        "/admin/accounts/user/",
        {"action": "reset_two_step", "_selected_action": [pablo.pk]},
    )
    assert response.status_code == 302
    assert not two_step.enabled(actor("pablo"))
    assert not RecoveryCode.objects.filter(device__user=pablo).exists()
    assert any(
        "two_step_off" in r.getMessage() and "by=root" in r.getMessage() for r in caplog.records
    )
    # The user signs in with the password again (and, where required, sets it up at once).
    client = Client()
    assert password_step(client, "pablo")["Location"] == reverse("reporting:home")
