"""Every role, every surface that shows money: no figure the role may not read appears.

The rule (docs/security.md, "Figures"): planned, funded, gap and spent of the whole office
go to who reads every budget line, allocation and expenditure of their office (office staff,
regional focal points); the outlook, the rows by donor and the grant warnings go to who reads
every grant of their office (office staff only); the programme's planned total goes to the
first group. Donor viewers, partners and the public get none of the office's figures."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from ayni.accounts.models import CountryOffice, User
from ayni.core.roles import Role
from ayni.finance import selectors, services
from ayni.finance.models import Grant
from ayni.finance.tests.figures import figures_of, renderings

pytestmark = pytest.mark.django_db

FULL = {"ana", "pablo", "mia", "fiona"}  # office staff of Peru
BUDGET_ONLY = {"rosa"}  # the regional focal point
NONE = {"bruno", "pia", "carlos", "diego", "paula"}
ROLES = sorted(FULL | BUDGET_ONLY | NONE)


@pytest.fixture
def world(funded: dict[str, Any], make_grant: Any, result: Any, types: Any) -> dict[str, Any]:
    """The funded test programme, with a distinctive budget line and a CIDA grant in the
    pipeline (so the outlook differs from every other figure), and the office's M&E and
    finance officers."""
    peru = CountryOffice.objects.get(code="peru")
    for name, role in (("mia", Role.ME_OFFICER), ("fiona", Role.FINANCE_OFFICER)):
        User.objects.create_user(username=name, password="x" * 20, role=role, country_office=peru)
    services.budget_line_set(
        result=result("C1.1.1"),
        year=2014,
        funding_type=types["orr"],
        amount=Decimal("12345.67"),
        currency="USD",
    )
    make_grant(
        "CIDA",
        "G-PIPE",
        "7777.00",
        stage=Grant.Stage.PIPELINE,
        probability=50,
        signed_date=None,
        expiry_date=date.today(),
    )
    return funded


def _hidden_for(name: str, figures: dict[str, set[Decimal]]) -> set[Decimal]:
    if name in FULL:
        return set()
    if name in BUDGET_ONLY:
        return figures["grant"]
    return figures["budget"] | figures["grant"] | figures["planned_total"]


def _text(response: Any) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8-sig", "replace")
    return response.content.decode("utf-8", "replace")


def _assert_absent(text: str, amounts: set[Decimal], where: str) -> None:
    for amount in amounts:
        for shown in renderings(amount):
            assert shown not in text, f"{where} shows {shown}"


@pytest.mark.parametrize("name", ROLES)
def test_funding_api_gives_each_role_its_figures_only(api_for, world, name) -> None:
    programme = world["programme"]
    hidden = _hidden_for(name, figures_of(programme))
    api = api_for(name)
    url = reverse("programme-funding", args=[programme.pk])
    for by in ("", "component", "result", "year", "funding_type", "donor"):
        response = api.get(url, {"by": by} if by else {})
        text = _text(response)
        _assert_absent(text, hidden, f"{url}?by={by}")
        if name in NONE:
            assert response.status_code in {403, 404}
            continue
        if name in BUDGET_ONLY and by == "donor":
            assert response.status_code == 403
            continue
        assert response.status_code == 200, text
        body = json.loads(text)
        sees_grants = name in FULL
        assert ("outlook" in body) is sees_grants
        assert ("warnings" in body) is sees_grants
        assert all(("outlook" in row["figures"]) is sees_grants for row in body["rows"])
        assert Decimal(body["planned"]) == selectors.programme_funding(programme).planned
    for code in ("C1", "C1.1"):
        result = programme.results.get(code=code)
        response = api.get(reverse("result-funding", args=[result.pk]))
        _assert_absent(_text(response), hidden, f"result {code} funding")
        if name in NONE:
            assert response.status_code in {403, 404}
        else:
            assert ("outlook" in response.json()) is (name in FULL)


@pytest.mark.parametrize("name", ROLES)
def test_programme_api_gives_the_planned_total_to_office_figure_readers(
    api_for, world, name
) -> None:
    programme = world["programme"]
    response = api_for(name).get(f"/api/programmes/{programme.pk}/")
    if response.status_code == 200:
        assert ("planned_total" in response.json()) is (name in FULL | BUDGET_ONLY)
    else:
        assert name in NONE and response.status_code in {403, 404}
    listing = api_for(name).get("/api/programmes/")
    if listing.status_code == 200:
        for row in listing.json()["results"]:
            if row["id"] != programme.pk:
                continue  # another office's programme (bruno reads his own)
            assert ("planned_total" in row) is (name in FULL | BUDGET_ONLY)
    if name in NONE:
        _assert_absent(_text(response), {programme.planned_total}, "programme API")


@pytest.mark.parametrize("name", ROLES)
def test_pages_and_export_show_each_role_its_figures_only(client_for, world, name) -> None:
    programme = world["programme"]
    figures = figures_of(programme)
    hidden = _hidden_for(name, figures)
    client = client_for(name)
    component = programme.results.get(code="C1")
    pages = {
        "dashboard": reverse("reporting:programme-dashboard", args=[programme.pk]),
        "results tree": reverse("reporting:result-tree", args=[programme.pk]),
        "result page": reverse("reporting:result-detail", args=[component.pk]),
        "budget page": reverse("finance:budget", args=[programme.pk]),
        "programme list": reverse("programmes:programme-list"),
    }
    for where, url in pages.items():
        for language in ("en", "es"):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code in {200, 302, 403, 404}
            _assert_absent(_text(response), hidden, f"{where} ({language})")
    budget = client.get(pages["budget page"], HTTP_ACCEPT_LANGUAGE="en")
    dashboard = client.get(pages["dashboard"], HTTP_ACCEPT_LANGUAGE="en")
    if name in FULL:
        # Those who may read them do see them: the test can fail.
        outlook = selectors.programme_funding(programme).outlook
        assert f"{outlook:,.2f}" in _text(budget) and f"{outlook:,.2f}" in _text(dashboard)
        assert "Needs attention" in _text(budget)
    if name in BUDGET_ONLY:
        planned = selectors.programme_funding(programme).planned
        assert f"{planned:,.2f}" in _text(budget)
        assert "Needs attention" not in _text(budget) + _text(dashboard)
    for fmt in ("csv", "xlsx"):
        export = client.get(pages["budget page"], {"format": fmt})
        if fmt == "csv":
            _assert_absent(_text(export), hidden, "budget export (CSV)")
        if name in NONE:
            assert export.status_code in {403, 404}
