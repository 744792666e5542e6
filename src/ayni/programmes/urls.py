from django.urls import path

from ayni.programmes import views

app_name = "programmes"
urlpatterns = [
    path("programmes/", views.ProgrammeListView.as_view(), name="programme-list"),
    path(
        "programmes/<int:programme>/results/add/",
        views.ResultFormView.as_view(),
        name="component-create",
    ),
    path(
        "programmes/results/<int:parent>/add/", views.ResultFormView.as_view(), name="result-create"
    ),
    path("programmes/results/<int:pk>/edit/", views.ResultFormView.as_view(), name="result-edit"),
    path(
        "programmes/results/<int:pk>/<str:action>/",
        views.ResultActionView.as_view(),
        name="result-action",
    ),
    path("programmes/frameworks/", views.FrameworkListView.as_view(), name="framework-list"),
    path("programmes/workplans/", views.WorkplanListView.as_view(), name="workplan-list"),
    path(
        "programmes/workplans/<int:pk>/", views.WorkplanDetailView.as_view(), name="workplan-detail"
    ),
]
