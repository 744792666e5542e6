from django.urls import path

from ayni.partners import views

app_name = "partners"
urlpatterns = [
    path("partners/", views.OrganisationListView.as_view(), name="organisation-list"),
    path("partners/<int:pk>/", views.OrganisationDetailView.as_view(), name="organisation-detail"),
]
