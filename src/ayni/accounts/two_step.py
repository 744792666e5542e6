"""Two-step verification: what it means for a user, the half-done sign-in, codes and QR codes.

Signing in takes the password, then (when the user has turned two-step verification on) a
6-digit code from an authenticator app (TOTP, RFC 6238, django-otp's device) or one of ten
recovery codes. The password step does not sign the user in: it keeps a *pending sign-in* in
the session (user, time, how many wrong codes) for ``PENDING_SECONDS``. Only a right code
calls ``django.contrib.auth.login``, so ``user_logged_in`` (the security log, the session
clock of ``core.sessions``, django-axes' reset) fires once, after both factors.

A code is accepted once: the TOTP device keeps the last time step it accepted
(``last_t``) and accepts only a later one; a recovery code is deleted when used. Both devices
throttle wrong codes (django-otp: 1, 2, 4, 8… seconds after each failure), and every wrong
code counts as a failed sign-in for django-axes' lock-out.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest

# The half-done sign-in, in the (anonymous) session.
PENDING = "ayni_two_step_pending"
# How long the code step waits after the password step.
PENDING_SECONDS = 5 * 60
# Wrong codes accepted in one half-done sign-in before the password is asked again.
MAX_CODE_FAILURES = 5

RECOVERY_CODE_COUNT = 10
# Crockford's base32: no I, L, O or U, so a code read aloud or from paper is not misread; 24
# characters are 120 random bits.
RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
RECOVERY_CODE_LENGTH = 24
RECOVERY_GROUP = 4


def required(user: Any) -> bool:
    """Whether this user must use two-step verification (``AYNI_MFA_REQUIRED``)."""
    return bool(settings.AYNI_MFA_REQUIRED)


def enabled(user: Any) -> bool:
    return getattr(user, "two_step_since", None) is not None


def setup_needed(user: Any) -> bool:
    """A signed-in user who must use two-step verification and has not set it up."""
    return bool(user.is_authenticated and required(user) and not enabled(user))


# Recovery codes ------------------------------------------------------------------------------


def recovery_code_new() -> str:
    """A new recovery code from the system's CSPRNG, grouped for reading: ``abcd-efgh-…``."""
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[i : i + RECOVERY_GROUP] for i in range(0, len(raw), RECOVERY_GROUP))


def recovery_code_normalise(text: str) -> str:
    """What the person typed, as the code was generated: case, spaces and hyphens do not
    matter, and the letters Crockford's base32 leaves out read as the digits they resemble."""
    cleaned = "".join(ch for ch in text.lower() if ch not in " -\t")
    return cleaned.translate(str.maketrans("ilo", "110"))


def recovery_code_digest(text: str) -> str:
    return hashlib.sha256(recovery_code_normalise(text).encode()).hexdigest()


def looks_like_totp(code: str) -> bool:
    cleaned = code.replace(" ", "")
    return len(cleaned) == 6 and cleaned.isdigit()


# The half-done sign-in -----------------------------------------------------------------------


@dataclass
class Pending:
    user: Any
    failures: int


def pending_start(request: HttpRequest, user: Any) -> None:
    """After the right password: remember who is signing in, not signed in yet. The session
    key is renewed, so a session planted before the password step cannot take its place."""
    request.session.cycle_key()
    request.session[PENDING] = {
        "user": user.pk,
        "at": int(time.time()),
        "backend": getattr(user, "backend", "django.contrib.auth.backends.ModelBackend"),
        "hash": user.get_session_auth_hash(),
        "failures": 0,
    }


def pending_get(request: HttpRequest) -> Pending | None:
    """The half-done sign-in of this session while it lasts; None when there is none, it is
    older than ``PENDING_SECONDS``, or the user changed since (password, two-step, inactive)."""
    data = request.session.get(PENDING)
    if not isinstance(data, dict):
        return None
    if time.time() - data.get("at", 0) > PENDING_SECONDS:
        return None
    user: Any = get_user_model().objects.filter(pk=data.get("user") or 0, is_active=True).first()
    if user is None or user.get_session_auth_hash() != data.get("hash"):
        return None
    user.backend = data.get("backend")
    return Pending(user=user, failures=int(data.get("failures", 0)))


def pending_failed(request: HttpRequest) -> int:
    """Counts a wrong code; returns how many this half-done sign-in has had."""
    data = dict(request.session.get(PENDING) or {})
    data["failures"] = int(data.get("failures", 0)) + 1
    request.session[PENDING] = data
    return data["failures"]


def pending_clear(request: HttpRequest) -> None:
    request.session.pop(PENDING, None)


# The QR code of the set-up page --------------------------------------------------------------


def qr_svg(text: str, *, label: str) -> str:
    """``text`` as a QR code in an inline SVG: one path of dark modules on a white square
    (no image library, no style element, nothing the CSP refuses)."""
    import qrcode
    from django.utils.html import escape

    qr = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()  # with the border, True for a dark module
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return (
        f'<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'role="img" aria-label="{escape(label)}" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )
