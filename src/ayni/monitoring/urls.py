from django.urls import path

from ayni.monitoring import import_views, views

app_name = "monitoring"
urlpatterns = [
    path("monitoring/", views.IndicatorListView.as_view(), name="indicator-list"),
    path(
        "monitoring/indicators/<slug:code>/",
        views.IndicatorDetailView.as_view(),
        name="indicator-detail",
    ),
    path("monitoring/imports/", import_views.ImportStartView.as_view(), name="import"),
    path(
        "monitoring/imports/jobs/<int:pk>/", import_views.ImportJobView.as_view(), name="import-job"
    ),
    path(
        "monitoring/imports/<int:pk>/errors.csv",
        import_views.ImportErrorsView.as_view(),
        name="import-errors",
    ),
    path("monitoring/regions/<str:country>/<str:code>/", views.RegionView.as_view(), name="region"),
]
