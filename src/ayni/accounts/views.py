from __future__ import annotations

from django.contrib.auth import views as auth_views

from ayni.core.views import ScopedView


class LoginView(ScopedView, auth_views.LoginView):
    """Sign in. django-axes counts failures and locks out after AXES_FAILURE_LIMIT."""

    public = True
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(ScopedView, auth_views.LogoutView):
    public = True
