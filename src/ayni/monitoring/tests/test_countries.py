"""Two country offices side by side: Bolivia's M&E officer imports Bolivian values and sees
them on Bolivia's pages, API and analytics; Peru's users see Peru's; neither sees the other's.

Bolivia's test departments reuse Peru's codes (02 is La Paz there and Áncash here), so every
assertion below also shows that a code is read in the right country."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from ayni.accounts.models import CountryOffice, User
from ayni.core.roles import Role
from ayni.geography.models import Location
from ayni.monitoring import analytics
from ayni.monitoring.analytics.store import values_root
from ayni.monitoring.models import DataValue, Target
from ayni.monitoring.tests.importing import HEADER, make_catalogue, run_import, write_csv

pytestmark = pytest.mark.django_db

BOLIVIA_ROWS = [
    ["t-stunting", "02", "2016", "20.0", "t-endes-2014", "", ""],  # La Paz
    ["t-stunting", "07", "2016", "10.0", "t-endes-2014", "", ""],  # Santa Cruz
    ["t-stunting", "BO", "2016", "15.0", "t-endes-2014", "", ""],  # Bolivia
]
PERU_ROWS = [
    ["t-stunting", "02", "2016", "30.0", "t-endes-2014", "", ""],  # Áncash
    ["t-stunting", "03", "2016", "40.0", "t-endes-2014", "", ""],  # Apurímac
    ["t-stunting", "PE", "2016", "13.0", "t-endes-2014", "", ""],  # Peru
]


def _csv(rows: list[list[str]]) -> bytes:
    return (",".join(HEADER) + "\n" + "".join(",".join(row) + "\n" for row in rows)).encode()


@pytest.fixture
def two_countries(
    settings: Any, tmp_path: Path, client_for: Any, actor: Any, django_capture_on_commit_callbacks
) -> dict[str, Any]:
    """Bolivia's M&E officer (bea) imports Bolivia's values through the browser (a dry run,
    then for real); Peru's administrator imports Peru's."""
    settings.AYNI_JOBS = "worker"
    settings.MEDIA_ROOT = tmp_path / "media"
    catalogue = make_catalogue()
    User.objects.create_user(
        username="bea",
        role=Role.ME_OFFICER,
        country_office=CountryOffice.objects.get(code="bolivia"),
    )
    bea = client_for("bea")
    upload = SimpleUploadedFile("bolivia.csv", _csv(BOLIVIA_ROWS))
    dry = bea.post(reverse("monitoring:import"), {"file": upload, "format": "csv"})
    call_command("worker", "--once")
    with django_capture_on_commit_callbacks(execute=True):
        real = bea.post(dry["Location"])
        call_command("worker", "--once")
    with django_capture_on_commit_callbacks(execute=True):
        run_import(
            format="csv", path=write_csv(tmp_path / "peru.csv", PERU_ROWS), user=actor("ana")
        )
    for code, country, value in [("BO", "BO", "12.0"), ("02", "BO", "18.0"), ("PE", "PE", "11.0")]:
        Target.objects.create(
            indicator=catalogue["stunting"],
            location=Location.objects.get(country__iso2=country, code=code),
            kind=Target.Kind.TARGET,
            year=2016,
            value=value,
        )
    return {**catalogue, "job": real["Location"]}


def test_the_bolivian_import_lands_on_bolivian_places(two_countries, client_for) -> None:
    batch = client_for("bea").get(two_countries["job"]).context["batch"]
    assert batch.options["country"] == "BO" and batch.counts["created"] == 3
    assert sorted(
        DataValue.objects.values_list("location__country__iso2", "location__name", "value")
    ) == [
        ("BO", "Bolivia", 15),
        ("BO", "La Paz", 20),
        ("BO", "Santa Cruz", 10),
        ("PE", "Apurímac", 40),
        ("PE", "Perú", 13),
        ("PE", "Áncash", 30),
    ]


def test_a_bolivian_import_cannot_reach_a_peruvian_place(two_countries, tmp_path, actor) -> None:
    rows = [
        ["t-stunting", "150101", "2017", "1", "t-endes-2014", "", ""],  # Lima district
        ["t-stunting", "PE", "2017", "1", "t-endes-2014", "", ""],
    ]
    with translation.override("en"):  # the fixture's requests left Spanish active
        _batch, result = run_import(
            format="csv", path=write_csv(tmp_path / "x.csv", rows), user=actor("bea"), atomic=False
        )
    assert result.rejected == 2 and result.created == 0
    assert [error.message for error in result.errors] == [
        "no place of BO has the code '150101'",
        "no place of BO has the code 'PE'",
    ]


def test_each_office_sees_its_own_indicator_page(two_countries, client_for) -> None:
    url = reverse("monitoring:indicator-detail", args=["t-stunting"])
    bolivia = client_for("bea").get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert bolivia.context["country"].iso2 == "BO"
    assert [(r["location_name"], r["value"]) for r in bolivia.context["rows"]] == [
        ("La Paz", 20.0),
        ("Santa Cruz", 10.0),
    ]
    assert bolivia.context["latest"].value == 15 and bolivia.context["status"].code != "no_data"
    body = bolivia.content.decode()
    assert reverse("monitoring:region", args=["BO", "02"]) in body
    assert "Áncash" not in body and "Apurímac" not in body and "/PE/" not in body
    peru = client_for("ana").get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert [(r["location_name"], r["value"]) for r in peru.context["rows"]] == [
        ("Apurímac", 40.0),
        ("Áncash", 30.0),
    ]
    assert peru.context["latest"].value == 13
    assert "La Paz" not in peru.content.decode()
    # An office's users may not ask for the other country, on any page.
    assert client_for("bea").get(url, {"country": "PE"}).status_code == 404
    assert client_for("ana").get(url, {"country": "BO"}).status_code == 404


def test_the_indicator_list_shows_the_offices_national_value(two_countries, client_for) -> None:
    url = reverse("monitoring:indicator-list")
    rows = {r["indicator"].code: r for r in client_for("bea").get(url).context["rows"]}
    assert rows["t-stunting"]["latest"].value == 15
    rows = {r["indicator"].code: r for r in client_for("ana").get(url).context["rows"]}
    assert rows["t-stunting"]["latest"].value == 13


def test_the_region_pages_compare_with_the_own_countrys_national_value(
    two_countries, client_for
) -> None:
    bea = client_for("bea")
    la_paz = bea.get(reverse("monitoring:region", args=["BO", "02"]))
    row = next(r for r in la_paz.context["rows"] if r["indicator"].code == "t-stunting")
    assert la_paz.context["region"].name == "La Paz"
    assert (row["here"].value, row["national"]) == (20, 15)
    assert row["status"].code != "no_data"  # against La Paz's own target (18)
    whole = bea.get(reverse("monitoring:region", args=["bo", "BO"]))
    row = next(r for r in whole.context["rows"] if r["indicator"].code == "t-stunting")
    assert (row["here"].value, row["national"]) == (15, 15)
    ancash = client_for("ana").get(reverse("monitoring:region", args=["PE", "02"]))
    row = next(r for r in ancash.context["rows"] if r["indicator"].code == "t-stunting")
    assert ancash.context["region"].name == "Áncash" and (row["here"].value, row["national"]) == (
        30,
        13,
    )
    assert bea.get(reverse("monitoring:region", args=["PE", "02"])).status_code == 404
    assert client_for("ana").get(reverse("monitoring:region", args=["BO", "02"])).status_code == 404


def test_the_analytics_api_answers_for_the_users_country(two_countries, api_for) -> None:
    body = api_for("bea").get("/api/analytics/?indicator=t-stunting&year=2016").json()
    assert body["country"] == "BO"
    assert {(r["location_code"], r["location_name"], r["value"]) for r in body["rows"]} == {
        ("02", "La Paz", 20.0),
        ("07", "Santa Cruz", 10.0),
    }
    equity = api_for("bea").get("/api/analytics/equity/?indicator=t-stunting").json()
    assert (equity["region_gap"]["gap"]["worst"], equity["region_gap"]["gap"]["best"]) == (
        "02",
        "07",
    )
    peru = api_for("ana").get("/api/analytics/?indicator=t-stunting").json()
    assert {r["location_name"] for r in peru["rows"]} == {"Áncash", "Apurímac"}
    assert api_for("bea").get("/api/analytics/?indicator=t-stunting&country=PE").status_code == 404
    assert (
        api_for("ana").get("/api/analytics/equity/?indicator=t-stunting&country=BO").status_code
        == 404
    )


def test_the_public_chooses_a_country(two_countries, client, api_for) -> None:
    anonymous = api_for(None)
    refused = anonymous.get("/api/analytics/?indicator=t-stunting")
    assert refused.status_code == 400
    assert "BO, PE" in refused.json()["error"]["fields"]["country"][0]
    chosen = anonymous.get("/api/analytics/?indicator=t-stunting&country=bo").json()
    assert {r["location_name"] for r in chosen["rows"]} == {"La Paz", "Santa Cruz"}
    assert anonymous.get("/api/analytics/?indicator=t-stunting&country=XX").status_code == 404
    choice = client.get(reverse("monitoring:indicator-list"), HTTP_ACCEPT_LANGUAGE="en")
    assert choice.status_code == 200 and "?country=BO" in choice.content.decode()
    page = client.get(
        reverse("monitoring:indicator-detail", args=["t-stunting"]), {"country": "BO"}
    )
    assert [r["location_name"] for r in page.context["rows"]] == ["La Paz", "Santa Cruz"]
    # The choice travels in the page's links.
    assert "?country=BO" in page.content.decode()


def test_the_data_value_api_keeps_each_office_to_its_country(two_countries, api_for) -> None:
    def places(name: str | None, query: str = "") -> set[tuple[str, str]]:
        rows = api_for(name).get(f"/api/data-values/?indicator=t-stunting{query}").json()
        return {(row["location"], row["value"]) for row in rows["results"]}

    assert places("bea") == {("02", "20.000000"), ("07", "10.000000"), ("BO", "15.000000")}
    assert places("ana") == {("02", "30.000000"), ("03", "40.000000"), ("PE", "13.000000")}
    assert places("bea", "&country=PE") == set()
    assert places(None, "&country=bo") == places("bea")
    assert len(places(None)) == 6  # the public reads every country's values


def test_each_country_has_its_own_partitions(two_countries) -> None:
    stunting = two_countries["stunting"]
    for country in ("BO", "PE"):
        assert (values_root(country) / "year=2016" / f"indicator_id={stunting.pk}").is_dir()
    # Bolivia's values go; a full refresh removes its partition and keeps Peru's.
    DataValue.objects.filter(location__country__iso2="BO").delete()
    summary = analytics.refresh()
    assert summary.removed == 1
    assert not (values_root("BO") / "year=2016" / f"indicator_id={stunting.pk}").exists()
    assert [r["value"] for r in analytics.series(stunting, location_code="02", country="PE")] == [
        30.0
    ]
    assert analytics.series(stunting, location_code="02", country="BO") == []
