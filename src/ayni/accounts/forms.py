"""Forms of the sign-in's code step and the two-step verification pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """A 6-digit code from the authenticator app, or a recovery code."""

    code = forms.CharField(label=_("Code"), max_length=64, strip=True)


class ConfirmForm(forms.Form):
    code = forms.CharField(label=_("Code from the app"), max_length=16, strip=True)


class PasswordAndCodeForm(forms.Form):
    """Asks both factors again before two-step verification is changed: the password (through
    ``authenticate``, so django-axes counts a wrong one) and a current code."""

    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(render_value=False)
    )
    code = forms.CharField(
        label=_("Code from the app, or a recovery code"), max_length=64, strip=True
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        user: Any = self.request.user
        if authenticate(self.request, username=user.get_username(), password=password) is None:
            raise forms.ValidationError(_("The password is not right."), code="invalid")
        return password
