"""The signed-in user's two-step verification pages: overview, set-up, new recovery codes,
turning it off. Each is about the user's own account only (no other user can be named)."""

from __future__ import annotations

from base64 import b32encode
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from ayni.accounts import services, two_step
from ayni.accounts.forms import ConfirmForm, PasswordAndCodeForm
from ayni.core.security_log import user_event
from ayni.core.views import ScopedView


class OwnAccountView(ScopedView, View):
    """A page about the signed-in user's own account: open to every signed-in user (there is
    no record of anyone else to check), sign-in first for everyone else."""

    public = True

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)


class TwoStepView(OwnAccountView):
    def get(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        context = {
            "enabled": two_step.enabled(user),
            "required": two_step.required(user),
            "since": user.two_step_since,
            "left": services.recovery_codes_left(user=user),
        }
        return render(request, "accounts/two_step.html", context)


def _secret_groups(device: Any) -> str:
    """The key as authenticator apps take it typed in: base32, in groups of four."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


class TwoStepSetupView(OwnAccountView):
    """The QR code and the key of a new authenticator device; a first code confirms it, turns
    two-step verification on and shows the recovery codes, once."""

    template_name = "accounts/two_step_setup.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        if two_step.enabled(request.user):
            return redirect("accounts:two-step")
        return self._render(request, ConfirmForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        if two_step.enabled(user):
            return redirect("accounts:two-step")
        form = ConfirmForm(request.POST)
        if not form.is_valid():
            return self._render(request, form)
        device = services.totp_device_for_setup(user=user)
        codes = services.two_step_confirm(user=user, device=device, code=form.cleaned_data["code"])
        if codes is None:
            form.add_error(
                "code",
                _(
                    "That code is not right. Check that the app shows the account just added, "
                    "wait for the next code and type it in."
                ),
            )
            return self._render(request, form)
        # This session has just shown both factors: it stays; every other one ends.
        update_session_auth_hash(request, user)
        user_event("two_step_on", request, user)
        return render(request, "accounts/recovery_codes.html", {"codes": codes, "first": True})

    def _render(self, request: HttpRequest, form: ConfirmForm) -> HttpResponse:
        device = services.totp_device_for_setup(user=request.user)  # type: ignore[arg-type]
        context = {
            "form": form,
            "qr": mark_safe(two_step.qr_svg(device.config_url, label=_("QR code to scan"))),  # noqa: S308
            "secret": _secret_groups(device),
            "required": two_step.required(request.user),
        }
        return render(request, self.template_name, context)


class _ReauthView(OwnAccountView):
    """Asks the password and a current code before a change to two-step verification."""

    template_name = "accounts/two_step_reauth.html"
    title: Any = ""
    button: Any = ""
    kind = ""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not two_step.enabled(request.user):
            return redirect("accounts:two-step")
        return self._render(request, PasswordAndCodeForm(request=request))

    def post(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        if not two_step.enabled(user):
            return redirect("accounts:two-step")
        form = PasswordAndCodeForm(request.POST, request=request)
        if form.is_valid():
            check = services.two_step_verify(user=user, code=form.cleaned_data["code"])
            if check.device is not None:
                return self.done(request, user)
            form.add_error(
                "code",
                _("Too soon after a wrong code. Wait a few seconds and try again.")
                if check.throttled
                else _("That code is not right, or it was already used."),
            )
        return self._render(request, form)

    def done(self, request: HttpRequest, user: Any) -> HttpResponse:
        raise NotImplementedError

    def _render(self, request: HttpRequest, form: PasswordAndCodeForm) -> HttpResponse:
        context = {"form": form, "title": self.title, "button": self.button, "kind": self.kind}
        return render(request, self.template_name, context)


class RecoveryCodesView(_ReauthView):
    kind = "codes"
    title = gettext_lazy("New recovery codes")
    button = gettext_lazy("Make new recovery codes")

    def done(self, request: HttpRequest, user: Any) -> HttpResponse:
        codes = services.recovery_codes_replace(user=user)
        user_event("recovery_codes_new", request, user)
        return render(request, "accounts/recovery_codes.html", {"codes": codes, "first": False})


class TwoStepOffView(_ReauthView):
    kind = "off"
    title = gettext_lazy("Turn off two-step verification")
    button = gettext_lazy("Turn off")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and two_step.required(request.user):
            messages.error(
                request, _("Two-step verification is required here: it cannot be turned off.")
            )
            return redirect("accounts:two-step")
        return super().dispatch(request, *args, **kwargs)

    def done(self, request: HttpRequest, user: Any) -> HttpResponse:
        services.two_step_turn_off(user=user)
        update_session_auth_hash(request, user)
        user_event("two_step_off", request, user)
        messages.success(
            request, _("Two-step verification is off. Sign-in asks for your password only.")
        )
        return redirect("accounts:two-step")
