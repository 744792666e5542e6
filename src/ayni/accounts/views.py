from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from ayni.accounts import selectors, services
from ayni.accounts.forms import ApiTokenForm
from ayni.accounts.models import ApiToken, User
from ayni.accounts.policies import CHANGE_PASSWORD, REVOKE
from ayni.accounts.tokens import Status
from ayni.core.forms import add_service_errors
from ayni.core.permissions import Action, has_perm
from ayni.core.views import ScopedView


class LoginView(ScopedView, auth_views.LoginView):
    """Sign in. django-axes counts failures and locks out after AXES_FAILURE_LIMIT."""

    public = True
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(ScopedView, auth_views.LogoutView):
    public = True


def _account_page(
    request: HttpRequest,
    *,
    password_form: PasswordChangeForm | None = None,
    token_form: ApiTokenForm | None = None,
) -> HttpResponse:
    """The account page, with a refused form shown again (nothing lost but the passwords)."""
    if password_form is None:
        password_form = PasswordChangeForm(request.user)
        # Django's form takes the focus; this page is as often opened for its tokens.
        password_form.fields["old_password"].widget.attrs.pop("autofocus", None)
    return render(
        request,
        "accounts/account.html",
        {
            "password_form": password_form,
            "token_form": token_form or ApiTokenForm(),
            "token_rows": selectors.api_token_rows(request.user),
            "may_add_token": has_perm(request.user, Action.ADD, ApiToken),
        },
    )


class AccountView(ScopedView, View):
    """My account: change my password and keep my API tokens."""

    model = User

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _account_page(request)


class PasswordChangeView(ScopedView, View):
    """POST: change my password (Django's form: the current one, then the new one twice). The
    session goes on; every API token of mine stops (``accounts.tokens``)."""

    model = User
    permission_action = CHANGE_PASSWORD
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = cast(User, request.user)  # signed in: ScopedView asked the policy
        form = PasswordChangeForm(user, request.POST)
        if not form.is_valid():
            return _account_page(request, password_form=form)
        had_tokens = any(row.status is Status.ACTIVE for row in selectors.api_token_rows(user))
        services.account_password_change(user=user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        if had_tokens:
            messages.warning(
                request,
                _("Your API tokens stopped working with the old password: make new ones below."),
            )
        return HttpResponseRedirect(reverse("accounts:account"))


class ApiTokenCreateView(ScopedView, View):
    """POST: make a token; the answer shows it, once. It is never stored nor shown again."""

    model = ApiToken
    permission_action = Action.ADD
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = cast(User, request.user)  # signed in: ScopedView asked the policy
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                new = services.api_token_create(user=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                api_url = request.build_absolute_uri(reverse("api-root"))
                return render(
                    request,
                    "accounts/token_created.html",
                    {"token": new.token, "secret": new.secret, "api_url": api_url},
                    status=201,
                )
        return _account_page(request, token_form=form)


class ApiTokenRevokeView(ScopedView, View):
    """GET: ask to confirm; POST: revoke one of my tokens. Another person's token is 404."""

    model = ApiToken
    permission_action = REVOKE

    def _token(self, request: HttpRequest, pk: int) -> ApiToken:
        token = get_object_or_404(selectors.api_tokens_of(request.user), pk=pk)
        if not has_perm(request.user, REVOKE, token):
            raise PermissionDenied
        return token

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = self._token(request, kwargs["pk"])
        return render(request, "accounts/token_revoke.html", {"token": token})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = self._token(request, kwargs["pk"])
        services.api_token_revoke(token=token)
        messages.success(
            request,
            _("The token “%(name)s” has been revoked: it no longer works.") % {"name": token.name},
        )
        return HttpResponseRedirect(reverse("accounts:account"))
