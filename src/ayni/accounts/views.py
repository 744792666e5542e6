from __future__ import annotations

from typing import Any, cast

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from ayni.accounts import selectors, services, two_step
from ayni.accounts.forms import ApiTokenForm, CodeForm
from ayni.accounts.models import ApiToken, User
from ayni.accounts.policies import CHANGE_PASSWORD, REVOKE
from ayni.accounts.tokens import Status
from ayni.core.forms import add_service_errors
from ayni.core.permissions import Action, has_perm
from ayni.core.security_log import user_event
from ayni.core.views import ScopedView, next_url


class LoginView(ScopedView, auth_views.LoginView):
    """Sign in, first step: the password. django-axes counts failures and locks out after
    AXES_FAILURE_LIMIT. A user with two-step verification is not signed in here: the session
    keeps a half-done sign-in and the code step (``LoginCodeView``) finishes it."""

    public = True
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if not two_step.enabled(user):
            return super().form_valid(form)
        two_step.pending_start(self.request, user)
        url = reverse("accounts:login-code")
        target = self.get_redirect_url()  # "" unless it is a page of this site
        return redirect(f"{url}?{urlencode({'next': target})}" if target else url)


class LoginCodeView(ScopedView, View):
    """Sign in, second step: a code from the authenticator app or a recovery code. Only a
    right code signs the user in. Wrong codes count as failed sign-ins for django-axes and,
    after ``MAX_CODE_FAILURES``, the password is asked again."""

    public = True
    template_name = "accounts/login_code.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        pending = two_step.pending_get(request)
        if pending is None:
            return self._restart(request)
        return self._render(request, CodeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        pending = two_step.pending_get(request)
        if pending is None:
            return self._restart(request)
        credentials = {"username": pending.user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            two_step.pending_clear(request)
            request.axes_locked_out = True  # type: ignore[attr-defined]  # axes answers
            return self._render(request, CodeForm())
        form = CodeForm(request.POST)
        if not form.is_valid():
            return self._render(request, form)
        check = services.two_step_verify(user=pending.user, code=form.cleaned_data["code"])
        if check.throttled:
            form.add_error(
                "code", _("Too soon after a wrong code. Wait a few seconds and try again.")
            )
            return self._render(request, form)
        if check.device is None:
            return self._wrong_code(request, form, pending)
        two_step.pending_clear(request)
        login(request, pending.user, backend=pending.user.backend)
        if check.recovery:
            left = services.recovery_codes_left(user=pending.user)
            user_event("recovery_code_used", request, pending.user, left=left)
            messages.warning(
                request,
                _(
                    "You signed in with a recovery code; %(left)s left. Each works once: "
                    "make new ones on the two-step verification page if you are running out."
                )
                % {"left": left},
            )
        return redirect(next_url(request, resolve_url(settings.LOGIN_REDIRECT_URL)))

    def _wrong_code(self, request: HttpRequest, form: CodeForm, pending: Any) -> HttpResponse:
        failures = two_step.pending_failed(request)
        user_login_failed.send(
            sender=__name__,
            credentials={"username": pending.user.get_username(), "step": "code"},
            request=request,
        )
        if failures >= two_step.MAX_CODE_FAILURES:
            two_step.pending_clear(request)
            messages.error(request, _("Too many wrong codes. Enter your password again."))
            return redirect("accounts:login")
        form.add_error(
            "code",
            _(
                "That code is not right, or it was already used. "
                "Wait for the next code and try again."
            ),
        )
        return self._render(request, form)

    def _render(self, request: HttpRequest, form: CodeForm) -> HttpResponse:
        recovery = request.GET.get("recovery") == "1" or request.POST.get("recovery") == "1"
        context = {
            "form": form,
            "recovery": recovery,
            "next": next_url(request, ""),
            "minutes": two_step.PENDING_SECONDS // 60,
        }
        return render(request, self.template_name, context)

    @staticmethod
    def _restart(request: HttpRequest) -> HttpResponse:
        if two_step.PENDING in request.session:
            two_step.pending_clear(request)
            messages.info(request, _("The sign-in took too long. Enter your password again."))
        target = next_url(request, "")
        url = reverse("accounts:login")
        return redirect(f"{url}?{urlencode({'next': target})}" if target else url)


class LogoutView(ScopedView, auth_views.LogoutView):
    public = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        # A shared computer keeps no office page in its cache or storage after signing out.
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


class AdminLoginView(ScopedView, View):
    """The Django admin's sign-in page sends to Ayni's own (two steps), so the admin has no
    way in of its own. A signed-in user the admin refuses (not a superuser) is told so."""

    public = True

    def get(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            raise PermissionDenied
        target = next_url(request, reverse("admin:index"))
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")

    post = get


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
