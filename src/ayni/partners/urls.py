from django.urls import path, re_path

from ayni.partners import views

app_name = "partners"
urlpatterns = [
    path("partners/", views.OrganisationListView.as_view(), name="organisation-list"),
    path("partners/new/", views.OrganisationCreateView.as_view(), name="organisation-create"),
    path("partners/<int:pk>/", views.OrganisationDetailView.as_view(), name="organisation-detail"),
    path(
        "partners/<int:pk>/edit/", views.OrganisationUpdateView.as_view(), name="organisation-edit"
    ),
    path("partners/agreements/", views.AgreementListView.as_view(), name="agreement-list"),
    path("partners/agreements/new/", views.AgreementCreateView.as_view(), name="agreement-create"),
    path(
        "partners/agreements/<int:pk>/",
        views.AgreementDetailView.as_view(),
        name="agreement-detail",
    ),
    path(
        "partners/agreements/<int:pk>/edit/",
        views.AgreementUpdateView.as_view(),
        name="agreement-edit",
    ),
    path(
        "partners/agreements/<int:pk>/transition/",
        views.AgreementTransitionView.as_view(),
        name="agreement-transition",
    ),
    path(
        "partners/agreements/<int:pk>/reports/new/",
        views.PartnerReportCreateView.as_view(),
        name="report-create",
    ),
    path(
        "partners/reports/<int:pk>/", views.PartnerReportDetailView.as_view(), name="report-detail"
    ),
    path(
        "partners/reports/<int:pk>/edit/",
        views.PartnerReportUpdateView.as_view(),
        name="report-edit",
    ),
    re_path(
        r"^partners/reports/(?P<pk>[0-9]+)/(?P<action>submit|accept|return)/$",
        views.PartnerReportActionView.as_view(),
        name="report-action",
    ),
]
