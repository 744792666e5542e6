"""Pages of the partners app: organisations, agreements and partner reports."""

from ayni.partners.views.agreements import (
    AgreementCreateView,
    AgreementDetailView,
    AgreementListView,
    AgreementTransitionView,
    AgreementUpdateView,
)
from ayni.partners.views.organisations import (
    OrganisationCreateView,
    OrganisationDetailView,
    OrganisationListView,
    OrganisationUpdateView,
)
from ayni.partners.views.reports import (
    PartnerReportActionView,
    PartnerReportCreateView,
    PartnerReportDetailView,
    PartnerReportUpdateView,
)

__all__ = [
    "AgreementCreateView",
    "AgreementDetailView",
    "AgreementListView",
    "AgreementTransitionView",
    "AgreementUpdateView",
    "OrganisationCreateView",
    "OrganisationDetailView",
    "OrganisationListView",
    "OrganisationUpdateView",
    "PartnerReportActionView",
    "PartnerReportCreateView",
    "PartnerReportDetailView",
    "PartnerReportUpdateView",
]
