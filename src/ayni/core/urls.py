from django.urls import path

from ayni.core import health, job_views

app_name = "core"
urlpatterns = [
    path("healthz", health.HealthView.as_view(), name="healthz"),
    path("jobs/", job_views.JobListView.as_view(), name="job-list"),
    path("jobs/<int:pk>/", job_views.JobDetailView.as_view(), name="job"),
    path("jobs/<int:pk>/download/", job_views.JobDownloadView.as_view(), name="job-download"),
    path("jobs/<int:pk>/retry/", job_views.JobRetryView.as_view(), name="job-retry"),
]
