"""Helpers of the two-step verification tests: a user with an authenticator, and its codes
computed the way the app on a phone computes them (django-otp's own TOTP)."""

from __future__ import annotations

import time
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ayni.accounts import two_step
from ayni.accounts.models import RecoveryCode, RecoveryCodeDevice
from ayni.core.tests.world import PASSWORD


def with_two_step(user: Any) -> tuple[TOTPDevice, list[str]]:
    """Gives ``user`` a confirmed authenticator and ten recovery codes, as the set-up page
    leaves them, without spending a code (the tests then sign in within the same 30 s)."""
    device = TOTPDevice.objects.create(
        user=user, name="authenticator", confirmed=True, step=30, digits=6, tolerance=0
    )
    recovery = RecoveryCodeDevice.objects.create(user=user, name="recovery codes")
    codes = [two_step.recovery_code_new() for _ in range(two_step.RECOVERY_CODE_COUNT)]
    for code in codes:
        RecoveryCode.objects.create(device=recovery, digest=two_step.recovery_code_digest(code))
    user.two_step_since = timezone.now()
    user.save(update_fields=["two_step_since"])
    return device, codes


def code_now(device: TOTPDevice) -> str:
    """The code the app shows now. Near the end of a 30-second step it waits for the next
    step, so that the code is still the current one when the server checks it."""
    if device.step - (time.time() - device.t0) % device.step < 2:
        time.sleep(2.1)
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def code_not_now(device: TOTPDevice) -> str:
    """A well-formed code that is none the device accepts now."""
    right = code_now(device)
    return f"{(int(right) + 1) % 1_000_000:06d}"


def password_step(client: Client, username: str, **extra: Any) -> Any:
    data = {"username": username, "password": PASSWORD, **extra}
    return client.post(reverse("accounts:login"), data)


def code_step(client: Client, code: str, **extra: Any) -> Any:
    return client.post(reverse("accounts:login-code"), {"code": code, **extra})


def signed_in_user(client: Client) -> Any:
    return client.get(reverse("reporting:home")).wsgi_request.user


__all__ = [
    "code_not_now",
    "code_now",
    "code_step",
    "password_step",
    "signed_in_user",
    "with_two_step",
]
