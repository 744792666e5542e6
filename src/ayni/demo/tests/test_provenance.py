"""Every record the demo loads is a cited fact or marked illustrative, in the data, on its
page and in the API."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils.html import escape

from ayni.accounts.models import CountryOffice
from ayni.core.models import Provenance
from ayni.demo.indicators import ILLUSTRATIVE_SOURCE, load_demo_indicators
from ayni.demo.programme import load_default_programme
from ayni.demo.records import ILLUSTRATIVE
from ayni.evidence.models import Study
from ayni.finance.models import (
    Allocation,
    BudgetLine,
    CashTransfer,
    ExchangeRate,
    Expenditure,
    Grant,
)
from ayni.geography.models import Country, Location
from ayni.monitoring.models import DataSource, Target
from ayni.partners.models import Agreement, Organisation, PartnerReport
from ayni.programmes.models import FrameworkGoal, Result, Workplan

pytestmark = pytest.mark.django_db

BADGE = 'class="badge illustrative"'
# Under the header of a record's own page: the badge, then its source.
OWN_PAGE_MARK = '<span class="provenance"><span ' + BADGE


def provenance_models() -> list[type[Provenance]]:
    return [m for m in apps.get_models() if issubclass(m, Provenance)]


def unmarked(model: type[Provenance]) -> set[int]:
    """Records that are neither cited nor illustrative."""
    return set(
        model.objects.filter(models.Q(source="") | models.Q(source__regex=r"^\s+$"))
        .filter(is_illustrative=False)
        .values_list("pk", flat=True)
    )


@pytest.fixture
def before() -> dict[type[Provenance], set[int]]:
    """The test world's own records (test data, not the demo's) that carry no provenance."""
    return {model: unmarked(model) for model in provenance_models()}


@pytest.fixture
def demo(before: dict[type[Provenance], set[int]]) -> Any:
    # Peru's geography is loaded by the test world, with the loader the demo runs.
    office = CountryOffice.objects.get(code="peru")
    programme = load_default_programme(office).programme
    load_demo_indicators(Country.objects.get(iso2="PE"))
    return programme


def test_the_demo_adds_no_record_without_a_source_or_the_mark(before, demo) -> None:
    added = {
        model.__name__: sorted(unmarked(model) - before[model]) for model in provenance_models()
    }
    assert {name: pks for name, pks in added.items() if pks} == {}
    # Not vacuous: the demo fills every provenance model but these two.
    empty = {m.__name__ for m in provenance_models() if not m.objects.exists()}
    assert empty == {CashTransfer.__name__, PartnerReport.__name__}


def test_every_place_of_peru_is_cited(demo) -> None:
    peru = Location.objects.filter(country__iso2="PE")
    assert peru.count() > 2000
    assert not peru.filter(source="").exists() and not peru.filter(is_illustrative=True).exists()


def test_a_record_that_says_it_is_invented_is_marked(demo) -> None:
    for model in provenance_models():
        said = model.objects.filter(source=ILLUSTRATIVE, is_illustrative=False)
        assert not said.exists(), model.__name__
    assert DataSource.objects.get(code=ILLUSTRATIVE_SOURCE).is_illustrative


def test_only_the_sources_facts_stay_unmarked_as_illustrative(demo) -> None:
    """The demo's facts: components, the programme, the 2011 evidence, named partners."""
    programme_facts = Result.objects.filter(programme=demo, is_illustrative=False)
    assert set(programme_facts.values_list("level", flat=True)) == {"component"}
    assert demo.is_cited and all(s.is_cited for s in Study.objects.filter(programme=demo))
    rr = Organisation.objects.get(country_office=demo.country_office, acronym="UNICEF RR")
    assert rr.is_cited and "E/ICEF/2011/P/L.44" in rr.source


def _row_marked(html: str, text: str) -> bool:
    """Every table row or list item naming ``text`` carries the badge."""
    rows = [row for row in re.split(r"<(?:tr|li)\b", html) if escape(text) in row]
    return bool(rows) and all(BADGE in row for row in rows)


def _own_page(record: Any) -> tuple[str, str | None]:
    return record.get_absolute_url(), None


# Where each model's illustrative records are shown: (url, the text naming the record in a
# list, or None for the record's own page).
PAGES: dict[type[Provenance], Callable[[Any], tuple[str, str | None]]] = {
    Result: _own_page,
    Organisation: _own_page,
    Agreement: _own_page,
    Grant: _own_page,
    Workplan: lambda w: (reverse("programmes:workplan-detail", args=[w.pk]), None),
    FrameworkGoal: lambda g: (reverse("programmes:framework-list"), g.title),
    Allocation: lambda a: (a.grant.get_absolute_url(), str(a.result)),
    DataSource: lambda s: (s.values.first().indicator.get_absolute_url(), str(s)),
}
# No page lists these one by one: budget lines and spending are summed by result (whose mark
# the budget page shows), rates convert amounts, targets are the reference of a trend.
NOT_LISTED = {BudgetLine, ExchangeRate, Expenditure, Target}


def test_illustrative_records_show_the_mark_on_their_page(client_for, demo) -> None:
    client = client_for("ana")
    illustrative = {m for m in provenance_models() if m.objects.filter(is_illustrative=True)}
    assert illustrative == set(PAGES) | NOT_LISTED
    pages: dict[str, str] = {}
    for model, page_of in PAGES.items():
        for record in model.objects.filter(is_illustrative=True):
            url, text = page_of(record)
            if url not in pages:
                response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
                assert response.status_code == 200, url
                pages[url] = response.content.decode()
            html = pages[url]
            marked = OWN_PAGE_MARK in html if text is None else _row_marked(html, text)
            assert marked, f"{model.__name__} {record.pk} on {url}"


def test_a_cited_record_shows_its_source_and_no_mark(client_for, demo) -> None:
    study = Study.objects.filter(programme=demo).first()
    html = client_for("ana").get(study.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    text = html.content.decode()
    assert f'<span class="source">Source: {escape(study.source)}</span>' in text
    assert BADGE not in text


@pytest.mark.parametrize(("language", "label"), [("en", "illustrative"), ("es", "ilustrativo")])
def test_the_api_and_the_page_agree(api_for, client_for, demo, language, label) -> None:
    grant = Grant.objects.filter(programme=demo, is_illustrative=True).first()
    body = api_for("ana").get(f"/api/grants/{grant.pk}/", HTTP_ACCEPT_LANGUAGE=language).json()
    assert body["provenance"] == {
        "status": "illustrative",
        "label": label,
        "source": grant.source,
        "is_illustrative": True,
        "is_cited": False,
    }
    page = client_for("ana").get(grant.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language)
    assert f">{label}</span>" in page.content.decode()
