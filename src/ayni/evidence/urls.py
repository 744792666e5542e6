from django.urls import path

from ayni.evidence import views

app_name = "evidence"
urlpatterns = [
    path("evidence/", views.StudyListView.as_view(), name="study-list"),
    path("evidence/<int:pk>/", views.StudyDetailView.as_view(), name="study-detail"),
]
