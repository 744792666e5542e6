from django.urls import path

from ayni.geography import views

app_name = "geography"
urlpatterns = [
    path("places/", views.LocationListView.as_view(), name="location-list"),
    path("places/zones/<int:pk>/", views.ZoneDetailView.as_view(), name="zone-detail"),
    path(
        "places/<str:country>/<str:code>/",
        views.LocationDetailView.as_view(),
        name="location-detail",
    ),
    path(
        "places/<str:country>/<str:code>/edit/",
        views.LocationUpdateView.as_view(),
        name="location-edit",
    ),
]
