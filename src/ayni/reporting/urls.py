from django.urls import path

from ayni.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path(
        "programmes/<int:pk>/", views.ProgrammeDashboardView.as_view(), name="programme-dashboard"
    ),
    path("programmes/<int:pk>/results/", views.ResultTreeView.as_view(), name="result-tree"),
    path("programmes/results/<int:pk>/", views.ResultDetailView.as_view(), name="result-detail"),
]
