from django.urls import path

from ayni.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("monitoring/", views.IndicatorListView.as_view(), name="indicator-list"),
    path(
        "monitoring/indicators/<slug:code>/",
        views.IndicatorDetailView.as_view(),
        name="indicator-detail",
    ),
    path("monitoring/regions/<str:country>/<str:code>/", views.RegionView.as_view(), name="region"),
]
