"""The default programme: the cited facts, computed from records."""

import pytest

from ayni.accounts.models import CountryOffice
from ayni.demo.programme import load_default_programme
from ayni.evidence.models import Study
from ayni.programmes.models import Result

pytestmark = pytest.mark.django_db


@pytest.fixture
def default_programme():
    return load_default_programme(CountryOffice.objects.get(code="peru")).programme


def test_funding_endpoint_gives_the_cited_figures(api_for, default_programme) -> None:
    body = api_for("pablo").get(f"/api/programmes/{default_programme.pk}/funding/").json()
    assert body["planned"] == "47150000.00"
    assert body["funded"] == "17445500.00"
    assert body["gap"] == "29704500.00"
    assert body["funded_pct"] == "37.0"
    assert body["currency"] == "USD"


def test_the_four_components_are_facts_and_outputs_are_illustrative(default_programme) -> None:
    components = Result.objects.filter(programme=default_programme, level="component")
    assert [c.title_en for c in components.order_by("position")] == [
        "Child survival and development",
        "Basic, equal, high-quality education",
        "Protection of children and adolescents",
        "Policies, social investment and dissemination of knowledge",
    ]
    assert not components.filter(is_illustrative=True).exists()
    assert all("unicef.org/peru" in c.source for c in components)
    outputs = Result.objects.filter(programme=default_programme, level="output")
    assert outputs.exists() and not outputs.filter(is_illustrative=False).exists()


def test_every_budget_line_and_grant_is_marked_illustrative(default_programme) -> None:
    from ayni.finance.models import Allocation, BudgetLine, Grant

    assert not BudgetLine.objects.filter(is_illustrative=False).exists()
    assert not Grant.objects.filter(is_illustrative=False).exists()
    assert not Allocation.objects.filter(is_illustrative=False).exists()


def test_the_2011_evidence_is_loaded_with_its_citation(default_programme) -> None:
    studies = Study.objects.filter(programme=default_programme, year=2011)
    assert studies.count() == 4
    assert all(s.source and not s.is_illustrative for s in studies)


def test_loading_twice_changes_nothing(default_programme) -> None:
    count = Result.objects.count()
    again = load_default_programme(CountryOffice.objects.get(code="peru"))
    assert not again.created and Result.objects.count() == count


def test_dashboard_shows_the_figures_in_english(client_for, default_programme) -> None:
    client = client_for("pablo")
    body = client.get(default_programme.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content
    text = body.decode()
    assert "47,150,000.00" in text and "17,445,500.00" in text and "29,704,500.00" in text
    assert "37.0%" in text
