import pytest
from django.urls import reverse

from ayni.accounts.models import CountryOffice
from ayni.evidence.models import Study

pytestmark = pytest.mark.django_db


@pytest.fixture
def studies() -> None:
    for code, title in [("peru", "Evaluación EIB"), ("bolivia", "Estudio Bolivia")]:
        Study.objects.create(
            country_office=CountryOffice.objects.get(code=code),
            kind="evaluation",
            title_es=title,
            year=2011,
            status="completed",
        )


def test_partners_read_their_office_evidence_only(client_for, studies) -> None:
    response = client_for("pia").get(reverse("evidence:study-list"))
    assert [s.title_es for s in response.context["object_list"]] == ["Evaluación EIB"]


def test_another_office_study_is_not_found(client_for, studies) -> None:
    other = Study.objects.get(title_es="Estudio Bolivia")
    assert client_for("pia").get(other.get_absolute_url()).status_code == 404


def test_api_lists_studies_and_refuses_writes(api_for, studies) -> None:
    api = api_for("ana")
    assert api.get("/api/studies/").json()["count"] == 1
    assert api.post("/api/studies/", {}).status_code == 405


def test_anonymous_is_sent_to_sign_in(client, studies) -> None:
    assert client.get(reverse("evidence:study-list")).status_code == 302
