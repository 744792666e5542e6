from django.urls import path

from ayni.finance import views

app_name = "finance"
urlpatterns = [
    path("funding/", views.FinanceHomeView.as_view(), name="home"),
    path("funding/donors/", views.DonorListView.as_view(), name="donor-list"),
    path("funding/donors/<int:pk>/", views.DonorDetailView.as_view(), name="donor-detail"),
    path("funding/grants/", views.GrantListView.as_view(), name="grant-list"),
    path("funding/grants/new/", views.GrantCreateView.as_view(), name="grant-create"),
    path("funding/grants/<int:pk>/", views.GrantDetailView.as_view(), name="grant-detail"),
    path(
        "funding/grants/<int:pk>/allocate/",
        views.GrantAllocateView.as_view(),
        name="grant-allocate",
    ),
    path("funding/grants/<int:pk>/stage/", views.GrantStageView.as_view(), name="grant-stage"),
    path("funding/budget/<int:programme_pk>/", views.BudgetView.as_view(), name="budget"),
]
