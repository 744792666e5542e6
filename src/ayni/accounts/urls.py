from django.urls import path

from ayni.accounts import two_step_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.LoginCodeView.as_view(), name="login-code"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("me/", views.AccountView.as_view(), name="account"),
    path("me/password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("me/tokens/", views.ApiTokenCreateView.as_view(), name="token-create"),
    path("me/tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="token-revoke"),
    path("two-step/", two_step_views.TwoStepView.as_view(), name="two-step"),
    path("two-step/setup/", two_step_views.TwoStepSetupView.as_view(), name="two-step-setup"),
    path(
        "two-step/recovery-codes/",
        two_step_views.RecoveryCodesView.as_view(),
        name="two-step-recovery-codes",
    ),
    path("two-step/off/", two_step_views.TwoStepOffView.as_view(), name="two-step-off"),
]
