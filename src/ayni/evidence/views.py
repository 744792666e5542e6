from __future__ import annotations

from django.db.models import QuerySet
from django.views.generic import DetailView, ListView

from ayni.core.views import ScopedView
from ayni.evidence.models import Study


class StudyListView(ScopedView, ListView):
    model = Study
    template_name = "evidence/study_list.html"

    def get_queryset(self) -> QuerySet[Study]:
        return super().get_queryset().prefetch_related("partners")


class StudyDetailView(ScopedView, DetailView):
    model = Study
    template_name = "evidence/study_detail.html"
    context_object_name = "study"
