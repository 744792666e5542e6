"""Weekly (and daily) values end to end: read from every format, stored in Ayni's form with the
year they belong to, shown by the analytics store, the API and the indicator download, and
unchanged when imported again."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
from django.urls import reverse

from ayni.core.periods import Period, PeriodKind
from ayni.monitoring import analytics
from ayni.monitoring.analytics import store
from ayni.monitoring.imports.base import Mapping
from ayni.monitoring.models import DataValue
from ayni.monitoring.tests.importing import make_catalogue, run_import

pytestmark = pytest.mark.django_db

# Three ISO weeks: an ordinary one, week 53 of 2015 (which ends on 3 January 2016 and belongs
# to 2015) and week 1 of 2020 (which starts on 30 December 2019 and belongs to 2020).
WEEKS = [Period.of_week(2014, 3), Period.of_week(2015, 53), Period.of_week(2020, 1)]
VALUES = ["11", "12.5", "13"]
MAPPING = Mapping(
    indicators={"BIRTHS": "t-births"},
    locations={"LIMA": "15"},
    constants={"source": "t-sien"},
)


@pytest.fixture
def catalogue(db: None) -> dict[str, Any]:
    return make_catalogue()


def template_csv(path: Path) -> tuple[Path, Mapping]:
    lines = ["indicator,location,period,value,source"]
    lines += [f"t-births,15,{p.code},{v},t-sien" for p, v in zip(WEEKS, VALUES, strict=True)]
    path = path / "weeks.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, Mapping()


def template_xlsx(path: Path) -> tuple[Path, Mapping]:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["indicator", "location", "period", "value", "source"])
    for period, value in zip(WEEKS, VALUES, strict=True):
        sheet.append(["t-births", 15, period.to_template(), float(value), "t-sien"])
    workbook.save(path / "weeks.xlsx")
    return path / "weeks.xlsx", Mapping()


def dhis2_json(path: Path) -> tuple[Path, Mapping]:
    values = [
        {"dataElement": "BIRTHS", "period": p.to_dhis2(), "orgUnit": "LIMA", "value": v}
        for p, v in zip(WEEKS, VALUES, strict=True)
    ]
    (path / "weeks.json").write_text(json.dumps({"dataSet": "ds", "dataValues": values}))
    return path / "weeks.json", MAPPING


def dhis2_csv(path: Path) -> tuple[Path, Mapping]:
    lines = ["dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value"]
    lines += [f"BIRTHS,{p.to_dhis2()},LIMA,,,{v}" for p, v in zip(WEEKS, VALUES, strict=True)]
    (path / "weeks.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path / "weeks.csv", MAPPING


def sdmx_csv(path: Path) -> tuple[Path, Mapping]:
    lines = ["DATAFLOW,REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE"]
    lines += [
        f"UNICEF:X(1.0),LIMA,BIRTHS,{p.to_sdmx()},{v}" for p, v in zip(WEEKS, VALUES, strict=True)
    ]
    (path / "weeks.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path / "weeks.csv", MAPPING


def sdmx_ml(path: Path) -> tuple[Path, Mapping]:
    observations = "".join(
        f'<generic:Obs><generic:ObsDimension value="{p.to_sdmx()}"/>'
        f'<generic:ObsValue value="{v}"/></generic:Obs>'
        for p, v in zip(WEEKS, VALUES, strict=True)
    )
    (path / "weeks.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<message:GenericData"
        ' xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"'
        ' xmlns:generic="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic"'
        ' xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common">'
        "<message:Header><message:ID>T</message:ID><message:Test>true</message:Test>"
        "<message:Prepared>2026-01-16T18:57:58Z</message:Prepared>"
        '<message:Sender id="UNICEF"/>'
        '<message:Structure structureID="DSD_X" dimensionAtObservation="TIME_PERIOD">'
        '<common:Structure><Ref agencyID="UNICEF" id="DSD_X" version="1.0"/></common:Structure>'
        "</message:Structure></message:Header>"
        '<message:DataSet structureRef="DSD_X"><generic:Series><generic:SeriesKey>'
        '<generic:Value id="REF_AREA" value="LIMA"/>'
        '<generic:Value id="INDICATOR" value="BIRTHS"/></generic:SeriesKey>'
        f"{observations}</generic:Series></message:DataSet></message:GenericData>\n",
        encoding="utf-8",
    )
    return path / "weeks.xml", MAPPING


FORMATS: dict[str, Callable[[Path], tuple[Path, Mapping]]] = {
    "csv": template_csv,
    "xlsx": template_xlsx,
    "dhis2-json": dhis2_json,
    "dhis2-csv": dhis2_csv,
    "sdmx-csv": sdmx_csv,
    "sdmx-ml": sdmx_ml,
}


@pytest.mark.parametrize("format", list(FORMATS))
def test_weekly_values_are_stored_shown_and_unchanged_when_imported_again(
    format: str,
    catalogue: dict[str, Any],
    tmp_path: Path,
    client: Any,
    api_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    path, mapping = FORMATS[format](tmp_path)
    with django_capture_on_commit_callbacks(execute=True):  # the store is refreshed on commit
        _, result = run_import(format=format, path=path, mapping=mapping)
    assert (result.read, result.created, result.rejected) == (3, 3, 0)
    stored = DataValue.objects.filter(indicator=catalogue["births"]).order_by("period")
    assert [(v.period_type, v.period, v.year, v.value) for v in stored] == [
        ("W", "2014-W03", 2014, Decimal("11")),
        ("W", "2015-W53", 2015, Decimal("12.5")),
        ("W", "2020-W01", 2020, Decimal("13")),
    ]

    # The store: one partition per year the weeks belong to, read back by the queries.
    assert analytics.stored_years("t-births", country="PE") == [2014, 2015, 2020]
    weekly = analytics.series("t-births", country="PE", location_code="15", period_type="W")
    assert [(r["period"], r["year"], r["quarter"], r["month"], r["value"]) for r in weekly] == [
        ("2014-W03", 2014, None, None, 11.0),
        ("2015-W53", 2015, None, None, 12.5),
        ("2020-W01", 2020, None, None, 13.0),
    ]
    assert (
        analytics.series("t-births", country="PE", location_code="15") == []
    )  # annual values only
    every = analytics.series("t-births", country="PE", location_code="15", period_type=None)
    assert [r["period"] for r in every] == ["2014-W03", "2015-W53", "2020-W01"]

    # The API and the indicator's download show the period as stored.
    api = api_for(None).get("/api/data-values/?indicator=t-births&period=2015-W53").json()
    assert [(r["period_type"], r["period"], r["year"]) for r in api["results"]] == [
        ("W", "2015-W53", 2015)
    ]
    download = client.get(
        reverse("monitoring:indicator-detail", args=["t-births"]),
        {"format": "csv", "country": "PE"},
    )
    lines = download.getvalue().decode().splitlines()
    assert [line.split(",")[3] for line in lines[1:]] == ["2014-W03", "2015-W53", "2020-W01"]

    _, again = run_import(format=format, path=path, mapping=mapping)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 0)


def test_every_kind_through_the_template_and_its_parts_in_the_store(
    catalogue: dict[str, Any], tmp_path: Path
) -> None:
    """One value of each kind, written in its DHIS2 spelling to the template (which reads it
    too): stored in Ayni's form and type, and the store's quarter and month are the period's."""
    periods = [
        Period.of_year(2016),
        Period.of_quarter(2016, 3),
        Period.of_month(2016, 11),
        Period.of_week(2016, 52),
        Period.of_day(date(2016, 2, 29)),
        Period.containing(PeriodKind.WEEK, date(2017, 1, 1)),  # 2016-W52 again: a duplicate
    ]
    lines = ["indicator,location,period,value,source"]
    lines += [f"t-births,15,{p.to_dhis2()},{n},t-sien" for n, p in enumerate(periods)]
    path = tmp_path / "kinds.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, result = run_import(format="csv", path=path, atomic=False)
    assert (result.created, result.rejected) == (5, 1)  # the second 2016-W52 is refused
    stored = {v.period: (v.period_type, v.year) for v in DataValue.objects.all()}
    assert stored == {p.code: (p.kind.value, p.year) for p in periods}

    analytics.refresh()
    files = [str(p) for p in store.values_root("PE").rglob("*.parquet")]
    parts = duckdb.connect().execute(
        "SELECT period, period_type, quarter, month FROM read_parquet(?)", [files]
    )
    assert {row[0]: row[1:] for row in parts.fetchall()} == {
        p.code: (p.kind.value, p.quarter, p.month) for p in periods
    }
