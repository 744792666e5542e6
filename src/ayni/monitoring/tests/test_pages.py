import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from ayni.core.models import Job
from ayni.core.templatetags.ayni import number
from ayni.demo.indicators import load_demo_indicators
from ayni.geography.models import Country
from ayni.monitoring import analytics

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_data():
    load_demo_indicators(Country.objects.get(iso2="PE"))
    analytics.refresh()


def test_indicator_list_shows_latest_national_value_and_status(client, demo_data) -> None:
    response = client.get(
        reverse("monitoring:indicator-list"), {"country": "PE"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    rows = {row["indicator"].code: row for row in response.context["rows"]}
    assert str(rows["stunting-u5"]["latest"].value) == "12.2"  # ENDES 2018, as cited
    assert rows["stunting-u5"]["status"].code in {"on_track", "at_risk", "off_track"}


def test_indicator_list_filters_by_status(client, demo_data) -> None:
    response = client.get(
        reverse("monitoring:indicator-list"), {"status": "no_data", "country": "PE"}
    )
    assert all(row["status"].code == "no_data" for row in response.context["rows"])


def test_a_count_without_target_shows_whole_numbers_and_no_target(client, demo_data) -> None:
    response = client.get(
        reverse("monitoring:indicator-list"), {"country": "PE"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    rows = {row["indicator"].code: row for row in response.context["rows"]}
    ibe = rows["ibe-schools-children"]
    assert ibe["status"].code == "no_target"
    html = response.content.decode()
    with translation.override("en"):
        whole, with_decimal = number(ibe["latest"].value, 0), number(ibe["latest"].value, 1)
    assert f">{whole}<" in html.replace(" <", "<") and with_decimal not in html
    only = client.get(
        reverse("monitoring:indicator-list"),
        {"status": "no_target", "country": "PE"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert [row["indicator"].code for row in only.context["rows"]] == ["ibe-schools-children"]


def test_stunting_page_has_map_trend_and_equity(client, demo_data) -> None:
    response = client.get(
        reverse("monitoring:indicator-detail", args=["stunting-u5"]),
        {"country": "PE"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    context = response.context
    assert len(context["rows"]) == 25
    assert context["trend"] is not None and context["map"]["legend"]
    assert context["region_gap"].gap.worst == "09"  # Huancavelica, 33.4 in 2016 (cited)
    body = response.content.decode()
    assert "Equity" in body and "<svg" in body and "elcomercio.pe" in body


def test_indicator_data_downloads_as_csv(client, demo_data) -> None:
    response = client.get(
        reverse("monitoring:indicator-detail", args=["stunting-u5"]),
        {"format": "csv", "country": "PE"},
    )
    content = b"".join(response.streaming_content).decode()
    assert "stunting-u5,PE" in content and "illustrative" in content.splitlines()[0]


def test_indicator_data_streams_to_the_public_and_is_a_job_for_a_signed_in_user(
    client, client_for, demo_data, settings
) -> None:
    settings.AYNI_JOBS = "worker"
    settings.AYNI_EXPORT_INLINE_MAX_ROWS = 1
    url = reverse("monitoring:indicator-detail", args=["stunting-u5"])
    # No one to own a job: the public's download streams (the public names the country).
    inline = b"".join(client.get(url, {"format": "csv", "country": "PE"}).streaming_content)
    response = client_for("ana").get(url, {"format": "csv"})
    job = Job.objects.get(created_by__username="ana")
    assert response["Location"] == f"/jobs/{job.pk}/"
    call_command("worker", "--once")
    fetched = client_for("ana").get(f"/jobs/{job.pk}/download/")
    assert b"".join(fetched.streaming_content) == inline and inline.count(b"\n") > 2


def test_region_page_compares_with_the_national_value(client_for, demo_data) -> None:
    response = client_for("rosa").get(reverse("monitoring:region", args=["PE", "03"]))
    assert response.status_code == 200
    stunting = next(r for r in response.context["rows"] if r["indicator"].code == "stunting-u5")
    assert stunting["here"].year == 2016 and stunting["national"] is not None


def test_pages_work_before_any_data(client_for) -> None:
    response = client_for("ana").get(reverse("monitoring:indicator-list"))
    assert response.status_code == 200 and response.context["country"].iso2 == "PE"


def test_api_data_values_filter_and_stream_as_csv(api_for, demo_data) -> None:
    api = api_for(None)
    body = api.get("/api/data-values/?indicator=stunting-u5&location=PE&year=2016").json()
    assert {r["value"] for r in body["results"]} >= {"13.100000"}
    response = api.get("/api/data-values/?indicator=u5-mortality&output=csv")
    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("indicator,location,period")
    assert len(lines) == 1 + 6 + 25 * 5  # cited national series + illustrative departments


def test_api_analytics_by_location_year_and_equity(api_for, demo_data) -> None:
    api = api_for(None)
    rows = api.get("/api/analytics/?indicator=stunting-u5&year=2016&country=PE").json()["rows"]
    assert len(rows) == 25
    equity = api.get("/api/analytics/equity/?indicator=stunting-u5&year=2016&country=pe").json()
    assert equity["region_gap"]["gap"]["worst"] == "09"
    assert api.get("/api/analytics/?indicator=nope&country=PE").status_code == 400


def test_api_indicators_are_public_and_read_only(api_for, demo_data) -> None:
    api = api_for(None)
    body = api.get("/api/indicators/stunting-u5/").json()
    assert body["codes"] == {"sdmx_unicef": "NT_ANT_HAZ_NE2"}
    assert api.post("/api/indicators/", {}).status_code in {401, 403, 405}


def test_imported_values_reach_the_page_and_the_api(
    client, api_for, demo_data, tmp_path, django_capture_on_commit_callbacks
) -> None:
    """An import refreshes the analytics store: the indicator page and API show the values."""
    from ayni.monitoring.tests.importing import run_import

    path = tmp_path / "stunting.csv"
    path.write_text(
        "indicator,location,period,value,source\n"
        "stunting-u5,03,2019,21.5,andina-inei-2018\n"
        "stunting-u5,09,2019,30.1,andina-inei-2018\n",
        encoding="utf-8",
    )
    with django_capture_on_commit_callbacks(execute=True):
        _batch, result = run_import(format="csv", path=path, atomic=True)
    assert result.created == 2
    rows = api_for("pablo").get("/api/analytics/?indicator=stunting-u5&year=2019").json()["rows"]
    assert {(r["location_code"], r["value"]) for r in rows} == {("03", 21.5), ("09", 30.1)}
    response = client.get(
        reverse("monitoring:indicator-detail", args=["stunting-u5"]),
        {"year": 2019, "country": "PE"},
    )
    assert [r["location_code"] for r in response.context["rows"]] == ["09", "03"]
