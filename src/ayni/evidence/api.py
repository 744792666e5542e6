from rest_framework.routers import BaseRouter

from ayni.core.serializers import ProvenanceSerializer, ScopedSerializerMixin
from ayni.core.viewsets import ScopedReadOnlyViewSet
from ayni.evidence.models import Study
from ayni.geography.policies import PICK


class StudySerializer(ScopedSerializerMixin, ProvenanceSerializer):
    scope_actions = {"locations": PICK}

    class Meta:
        model = Study
        fields = [
            "id",
            "programme",
            "kind",
            "title_es",
            "title_en",
            "year",
            "status",
            "summary_es",
            "summary_en",
            "results",
            "partners",
            "locations",
            "source",
            "is_illustrative",
        ]


class StudyViewSet(ScopedReadOnlyViewSet):
    queryset = Study.objects.prefetch_related("results", "partners", "locations")
    serializer_class = StudySerializer


def register(router: BaseRouter) -> None:
    router.register("studies", StudyViewSet, basename="study")
