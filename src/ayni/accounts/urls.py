from django.urls import path

from ayni.accounts import two_step_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.LoginCodeView.as_view(), name="login-code"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("two-step/", two_step_views.TwoStepView.as_view(), name="two-step"),
    path("two-step/setup/", two_step_views.TwoStepSetupView.as_view(), name="two-step-setup"),
    path(
        "two-step/recovery-codes/",
        two_step_views.RecoveryCodesView.as_view(),
        name="two-step-recovery-codes",
    ),
    path("two-step/off/", two_step_views.TwoStepOffView.as_view(), name="two-step-off"),
]
