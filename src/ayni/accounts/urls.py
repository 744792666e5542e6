from django.urls import path

from ayni.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("me/", views.AccountView.as_view(), name="account"),
    path("me/password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("me/tokens/", views.ApiTokenCreateView.as_view(), name="token-create"),
    path("me/tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="token-revoke"),
]
