from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from ayni.core.views import ScopedView


class LoginView(ScopedView, auth_views.LoginView):
    """Sign in. django-axes counts failures and locks out after AXES_FAILURE_LIMIT."""

    public = True
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(ScopedView, auth_views.LogoutView):
    public = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        # A shared computer keeps no office page in its cache or storage after signing out.
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
