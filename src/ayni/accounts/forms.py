"""The account page's forms (Django's own password change, a new API token) and those of the
sign-in's code step and the two-step verification pages."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ayni.accounts.models import ApiToken

# The lifetimes offered, in days; those above AYNI_TOKEN_MAX_DAYS are left out and the
# maximum itself is offered when it is not one of them.
LIFETIMES = (30, 90, 365)


def lifetime_choices() -> list[tuple[int, str]]:
    limit = settings.AYNI_TOKEN_MAX_DAYS
    days = sorted({d for d in LIFETIMES if d <= limit} | {limit})
    return [(d, ngettext("%(days)d day", "%(days)d days", d) % {"days": d}) for d in days]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_(
            "What the token is for, so that you recognise it later (e.g. “Reports script”)."
        ),
    )
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        help_text=_(
            "Read only is enough to download data. Either way the token can do no more than you."
        ),
    )
    days = forms.TypedChoiceField(
        label=_("Expires after"),
        coerce=int,
        help_text=_("After this the token stops working and you make a new one."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = lifetime_choices()
        days = cast(forms.TypedChoiceField, self.fields["days"])
        days.choices = choices
        days.initial = 90 if any(d == 90 for d, _label in choices) else choices[-1][0]


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
