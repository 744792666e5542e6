"""SDMX readers and ``ayni sdmx pull``, on UNICEF's own responses read in place from shared/data.

No test reaches the network: the pull's ``fetch`` is replaced by one serving saved files.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from ayni.cli import translate
from ayni.core.imports import ImportRefused, RowError
from ayni.core.tests.shared_data import SHARED_DATA as SHARED
from ayni.core.tests.shared_data import need
from ayni.monitoring.imports.base import READERS, Mapping, ParsedValue
from ayni.monitoring.imports.sdmx import (
    read_sdmx_csv,
    read_sdmx_ml,
    refuse_entity_declarations,
)
from ayni.monitoring.management.commands import sdmx_pull
from ayni.monitoring.management.commands.sdmx_pull import FetchError, build_url, fetch

UNICEF = SHARED / "sdmx-unicef" / "unicefData" / "tests"
DETERMINISTIC = UNICEF / "fixtures" / "deterministic"
MANIFEST = DETERMINISTIC / "manifest.json"
DSD = UNICEF / "fixtures" / "xml_full" / "dataflow_CME_dsd.xml"
SERIES_KEYS = UNICEF / "data" / "temp_cme.xml"
CSV_FIXTURES = [
    DETERMINISTIC / "CME_MRY0T4_BRA_1990_2023.csv",
    DETERMINISTIC / "CME_MRY0T4_BRA_sex_2020.csv",
    DETERMINISTIC / "IM_MCV1_USA_BRA_2015_2023.csv",
]
DIMENSION_COLUMNS = {"SEX": "sex", "WEALTH_QUINTILE": "wealth_quintile", "AGE": "age"}


def dict_rows(path: Path) -> list[dict[str, str]]:
    with need(path).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_readers_are_registered_under_their_format_names() -> None:
    assert READERS["sdmx-csv"] is read_sdmx_csv
    assert READERS["sdmx-ml"] is read_sdmx_ml


# SDMX-CSV ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CSV_FIXTURES, ids=lambda p: p.name)
def test_csv_fixture_gives_one_value_per_row(path: Path) -> None:
    rows = dict_rows(path)
    mapping = Mapping(constants={"source": "un-igme"})

    result = list(read_sdmx_csv(path, mapping))

    assert len(result) == len(rows)
    assert all(isinstance(item, ParsedValue) for item in result), result
    assert [p.line for p in result] == list(range(2, len(rows) + 2))
    assert [p.indicator for p in result] == [r["INDICATOR"] for r in rows]
    assert {p.indicator_system for p in result} == {"sdmx_unicef"}
    assert [p.location for p in result] == [r["REF_AREA"] for r in rows]
    assert [p.period for p in result] == [r["TIME_PERIOD"] for r in rows]
    assert [p.value for p in result] == [r["OBS_VALUE"] for r in rows]
    assert [p.lower for p in result] == [r.get("LOWER_BOUND", "") for r in rows]
    assert [p.upper for p in result] == [r.get("UPPER_BOUND", "") for r in rows]
    assert [p.flags for p in result] == [r["OBS_STATUS"] for r in rows]
    assert {p.source for p in result} == {"un-igme"}
    # Totals (_T) are dropped: a row's dimensions are its non-total codes, nothing else.
    assert [p.dimensions for p in result] == [
        {ayni: r[sdmx] for sdmx, ayni in DIMENSION_COLUMNS.items() if r.get(sdmx, "_T") != "_T"}
        for r in rows
    ]


def test_fixture_counts() -> None:
    """What the fixtures hold, so a change in shared/data shows up here first."""
    assert {p.name: len(dict_rows(p)) for p in CSV_FIXTURES} == {
        "CME_MRY0T4_BRA_1990_2023.csv": 102,
        "CME_MRY0T4_BRA_sex_2020.csv": 8,
        "IM_MCV1_USA_BRA_2015_2023.csv": 18,
    }
    totals = [r for r in dict_rows(CSV_FIXTURES[1]) if r["SEX"] == r["WEALTH_QUINTILE"] == "_T"]
    assert len(totals) == 1


def test_mapping_translates_codes_and_dimension_values() -> None:
    path = need(DETERMINISTIC / "CME_MRY0T4_BRA_sex_2020.csv")
    mapping = Mapping(
        indicators={"CME_MRY0T4": "u5mr"},
        locations={"BRA": "15"},
        # keyed by the SDMX dimension or by the Ayni dimension: both are read
        dimension_values={
            "SEX": {"F": "female", "M": "male"},
            "wealth_quintile": {f"Q{n}": f"q{n}" for n in range(1, 6)},
        },
    )
    result = list(read_sdmx_csv(path, mapping))
    assert all(isinstance(p, ParsedValue) for p in result)
    assert {(p.indicator, p.indicator_system, p.location) for p in result} == {("u5mr", "", "15")}
    assert [p.dimensions for p in result] == [
        {"sex": "female"},
        {"sex": "male"},
        *({"wealth_quintile": f"q{n}"} for n in range(1, 6)),
        {},
    ]


def test_mapping_dimensions_add_ignore_and_rename() -> None:
    path = need(DETERMINISTIC / "IM_MCV1_USA_BRA_2015_2023.csv")
    default = list(read_sdmx_csv(path, Mapping()))
    assert {tuple(p.dimensions.items()) for p in default} == {(("age", "M12T23"),)}

    custom = list(read_sdmx_csv(path, Mapping(dimensions={"AGE": "", "VACCINE": "vaccine"})))
    assert {tuple(p.dimensions.items()) for p in custom} == {(("vaccine", "MCV1"),)}

    # A value translated to "" is dropped too (the age group is the indicator's own).
    dropped = list(read_sdmx_csv(path, Mapping(dimension_values={"AGE": {"M12T23": ""}})))
    assert {tuple(p.dimensions.items()) for p in dropped} == {()}


def test_code_and_label_headers_read_like_plain_codes(tmp_path: Path) -> None:
    """``REF_AREA:Geographic area`` headers with ``BRA: Brazil`` cells give the same values."""
    source = need(DETERMINISTIC / "CME_MRY0T4_BRA_sex_2020.csv")
    with source.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    # Fold each label column into its code column, as the .Stat "labels=both" export does.
    keep = [i for i, name in enumerate(header) if name.isupper() or name.startswith("OBS_")]
    labels = {i: header[i + 1] for i in keep if i + 1 < len(header) and not header[i + 1].isupper()}
    numeric = {"TIME_PERIOD", "OBS_VALUE", "LOWER_BOUND", "UPPER_BOUND"}
    labelled = tmp_path / "labelled.csv"
    with labelled.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([f"{header[i]}:{labels[i]}" if i in labels else header[i] for i in keep])
        for row in rows:
            writer.writerow(
                [
                    f"{row[i]}: {row[i + 1]}"
                    if i in labels and row[i] and header[i] not in numeric
                    else row[i]
                    for i in keep
                ]
            )
    assert "REF_AREA:Geographic area" in labelled.read_text()
    assert "BRA: Brazil" in labelled.read_text()

    assert list(read_sdmx_csv(labelled, Mapping())) == list(read_sdmx_csv(source, Mapping()))


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2014", "2014"),
        ("2014-A1", "2014"),
        ("2014-Q1", "2014Q1"),
        ("2014Q3", "2014Q3"),
        ("2014-01", "2014-01"),
        ("2014-M12", "2014-12"),
        ("2014-01-15", "2014-01-15"),
        ("2014-D015", "2014-01-15"),
        ("2014-W03", "2014-W03"),
        ("2015-W53", "2015-W53"),
        ("2014-13", None),
        ("2014-W53", None),
        ("2014-S1", None),
        ("2013/2014", None),
        ("2014-01/P1Y", None),
        ("2013-2014", None),
    ],
)
def test_periods(tmp_path: Path, period: str, expected: str | None) -> None:
    """Every SDMX period type Ayni stores is passed on in Ayni's form; the others are row
    errors naming the period."""
    path = write(
        tmp_path / "p.csv", f"REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE\nPER,X,{period},1\n"
    )
    [item] = list(read_sdmx_csv(path, Mapping()))
    if expected is None:
        assert isinstance(item, RowError) and (item.field, item.item) == ("TIME_PERIOD", period)
    else:
        assert isinstance(item, ParsedValue) and item.period == expected


CSV_HEADER = "REF_AREA,INDICATOR,SEX,TIME_PERIOD,OBS_VALUE,LOWER_BOUND,UPPER_BOUND,OBS_STATUS\n"


def test_bad_rows_are_row_errors_with_their_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "bad.csv",
        CSV_HEADER
        + "PER,CME_MRY0T4,_T,2014-S1,17.1,,,A\n"
        + "PER,CME_MRY0T4,_T,2013/2014,17.1,,,A\n"
        + "PER,CME_MRY0T4,_T,2014,,,,A\n"
        + "PER,CME_MRY0T4,_T,2014,NaN,,,A\n"
        + ",CME_MRY0T4,_T,2014,1,,,A\n"
        + "PER,,_T,2014,1,,,A\n"
        + "\n"
        + "PER,CME_MRY0T4,F,2015,16.0,NaN,17.5,E\n",
    )
    *errors, good = list(read_sdmx_csv(path, Mapping()))
    assert all(isinstance(e, RowError) for e in errors)
    assert [(e.line, e.field) for e in errors] == [
        (2, "TIME_PERIOD"),
        (3, "TIME_PERIOD"),
        (4, "OBS_VALUE"),
        (5, "OBS_VALUE"),
        (6, "REF_AREA"),
        (7, "INDICATOR"),
    ]
    assert "'2014-S1' is not an SDMX period Ayni reads" in errors[0].message
    assert errors[0].item == "2014-S1"
    assert "no observation value" in errors[2].message
    assert isinstance(good, ParsedValue)
    assert (good.line, good.period, good.lower, good.upper, good.flags) == (
        9,
        "2015",
        "",
        "17.5",
        "E",
    )
    assert good.dimensions == {"sex": "F"}


def test_an_sdmx_csv_2_delete_action_asks_for_deletion(tmp_path: Path) -> None:
    path = write(
        tmp_path / "v2.csv",
        "STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE\n"
        "dataflow,UNICEF:CME(1.0),I,PER,CME_MRY0T4,2014,17.1\n"
        "dataflow,UNICEF:CME(1.0),D,PER,CME_MRY0T4,2015,\n",
    )
    kept, deleted = list(read_sdmx_csv(path, Mapping()))
    assert isinstance(kept, ParsedValue) and not kept.delete and kept.value == "17.1"
    assert isinstance(deleted, ParsedValue) and deleted.delete and deleted.period == "2015"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("REF_AREA,TIME_PERIOD,OBS_VALUE\nPER,2014,1\n", "not SDMX-CSV: no column INDICATOR"),
        ('"dataelement","period"\n"a","201401"\n', "not SDMX-CSV"),
        ("", "the file is empty"),
        ("\n\n", "the file is empty"),
    ],
)
def test_a_file_that_is_not_sdmx_csv_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = write(tmp_path / "x.csv", content)
    with pytest.raises(ImportRefused, match=message):
        list(read_sdmx_csv(path, Mapping()))


# SDMX-ML -------------------------------------------------------------------------------------

STRUCTURE_SPECIFIC = """<?xml version='1.0' encoding='UTF-8'?>
<message:StructureSpecificData
 xmlns:ss="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific"
 xmlns:ns1="urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=UNICEF:CME(1.0):ObsLevelDim:TIME_PERIOD"
 xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
 xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<message:Header><message:ID>TEST</message:ID><message:Test>true</message:Test>
<message:Prepared>2026-01-16T18:57:58Z</message:Prepared><message:Sender id="UNICEF"/>
<message:Structure structureID="UNICEF_CME_1_0" dimensionAtObservation="TIME_PERIOD"
 namespace="urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=UNICEF:CME(1.0):ObsLevelDim:TIME_PERIOD">
<common:StructureUsage><Ref agencyID="UNICEF" id="CME" version="1.0"/></common:StructureUsage>
</message:Structure></message:Header>
<message:DataSet ss:dataScope="DataStructure" xsi:type="ns1:DataSetType"
 ss:structureRef="UNICEF_CME_1_0">
<Series REF_AREA="PER" INDICATOR="CME_MRY0T4" SEX="_T" WEALTH_QUINTILE="_T" DATA_SOURCE="UN_IGME">
<Obs TIME_PERIOD="2014" OBS_VALUE="17.1" LOWER_BOUND="15.2" UPPER_BOUND="19.3" OBS_STATUS="A"/>
<Obs TIME_PERIOD="2015" OBS_VALUE="16.5" OBS_STATUS="E"/>
</Series>
<Series REF_AREA="PER" INDICATOR="CME_MRY0T4" SEX="F" WEALTH_QUINTILE="_T">
<Obs TIME_PERIOD="2014" OBS_VALUE="15.4"/>
</Series>
</message:DataSet></message:StructureSpecificData>
"""

GENERIC = """<?xml version="1.0" encoding="UTF-8"?>
<message:GenericData
 xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
 xmlns:generic="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic"
 xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common">
<message:Header><message:ID>TEST</message:ID><message:Test>true</message:Test>
<message:Prepared>2026-01-16T18:57:58Z</message:Prepared><message:Sender id="UNICEF"/>
<message:Structure structureID="DSD_CME" dimensionAtObservation="TIME_PERIOD">
<common:Structure><Ref agencyID="UNICEF" id="DSD_CME" version="1.0"/></common:Structure>
</message:Structure></message:Header>
<message:DataSet structureRef="DSD_CME">
<generic:Series>
<generic:SeriesKey><generic:Value id="REF_AREA" value="PER"/>
<generic:Value id="INDICATOR" value="CME_MRY0T4"/><generic:Value id="SEX" value="M"/>
<generic:Value id="WEALTH_QUINTILE" value="_T"/></generic:SeriesKey>
<generic:Obs><generic:ObsDimension value="2014"/><generic:ObsValue value="18.7"/>
<generic:Attributes><generic:Value id="OBS_STATUS" value="A"/>
<generic:Value id="LOWER_BOUND" value="16.1"/></generic:Attributes></generic:Obs>
<generic:Obs><generic:ObsDimension value="2016-S1"/>
<generic:ObsValue value="17.2"/></generic:Obs>
</generic:Series>
</message:DataSet></message:GenericData>
"""


def test_structure_specific_message_with_its_dsd(tmp_path: Path) -> None:
    path = write(tmp_path / "ss.xml", STRUCTURE_SPECIFIC)
    mapping = Mapping(
        constants={"source": "un-igme"}, locations={"PER": "PE"}, structure_file=need(DSD)
    )
    result = list(read_sdmx_ml(path, mapping))
    assert [
        (
            p.line,
            p.indicator,
            p.location,
            p.period,
            p.value,
            p.dimensions,
            p.lower,
            p.upper,
            p.flags,
            p.source,
        )
        for p in result
        if isinstance(p, ParsedValue)
    ] == [
        (1, "CME_MRY0T4", "PE", "2014", "17.1", {}, "15.2", "19.3", "A", "un-igme"),
        (2, "CME_MRY0T4", "PE", "2015", "16.5", {}, "", "", "E", "un-igme"),
        (3, "CME_MRY0T4", "PE", "2014", "15.4", {"sex": "F"}, "", "", "", "un-igme"),
    ]
    assert {p.indicator_system for p in result} == {"sdmx_unicef"}


def test_generic_message_reads_without_a_structure(tmp_path: Path) -> None:
    path = write(tmp_path / "generic.xml", GENERIC)
    first, second = list(read_sdmx_ml(path, Mapping()))
    assert isinstance(first, ParsedValue)
    assert (first.location, first.period, first.value, first.dimensions, first.lower) == (
        "PER",
        "2014",
        "18.7",
        {"sex": "M"},
        "16.1",
    )
    assert first.flags == "A"
    assert isinstance(second, RowError)
    assert (second.line, second.field, second.item) == (2, "TIME_PERIOD", "2016-S1")
    assert "observation 2" in second.message


def test_unicef_series_keys_message_has_no_observations() -> None:
    """temp_cme.xml holds series keys only (detail=serieskeysonly): it reads, and gives none."""
    raw = need(SERIES_KEYS).read_bytes()
    assert raw.count(b"<Series ") == 20_435
    assert raw.count(b'REF_AREA="PER"') == 88
    assert b"<Obs" not in raw
    mapping = Mapping(structure_file=need(DSD))
    assert list(read_sdmx_ml(SERIES_KEYS, mapping)) == []


def test_structure_specific_without_structure_is_refused() -> None:
    with pytest.raises(ImportRefused, match="needs its data structure definition"):
        list(read_sdmx_ml(need(SERIES_KEYS), Mapping()))


def test_a_missing_structure_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "ss.xml", STRUCTURE_SPECIFIC)
    mapping = Mapping(structure_file=tmp_path / "nowhere.xml")
    with pytest.raises(ImportRefused, match="does not exist"):
        list(read_sdmx_ml(path, mapping))


def test_a_structure_message_is_not_data() -> None:
    with pytest.raises(ImportRefused, match="not an SDMX-ML data message"):
        list(read_sdmx_ml(need(DSD), Mapping()))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("<<<", "not valid XML"),
        ("just text", "not valid XML"),
        ("<root/>", "the root element is root"),
        ("<message:GenericData/>", "the root element is message:GenericData"),
        (
            '<m:GenericData xmlns:m="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message">'
            "<m:Header><m:Nonsense/></m:Header></m:GenericData>",
            "not a readable SDMX-ML message",
        ),
        (
            '<m:GenericData xmlns:m="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message">'
            "<m:Header></m:GenericData>",
            "not a readable SDMX-ML message",
        ),
    ],
)
def test_bad_xml_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = write(tmp_path / "bad.xml", content)
    with pytest.raises(ImportRefused, match=message):
        list(read_sdmx_ml(path, Mapping()))


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + ']>\n<message:GenericData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/'
    'v2_1/message"><message:Header><message:ID>&lol9;</message:ID></message:Header>'
    "</message:GenericData>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<message:GenericData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/'
    'message"><message:Header><message:ID>&x;</message:ID></message:Header></message:GenericData>'
)


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        (BILLION_LAUGHS, "utf-8"),
        (EXTERNAL_ENTITY, "utf-8"),
        (EXTERNAL_ENTITY.replace('<?xml version="1.0"?>', ""), "utf-16"),
    ],
    ids=["billion-laughs", "external-entity", "utf-16"],
)
def test_xml_entity_declarations_are_refused(tmp_path: Path, content: str, encoding: str) -> None:
    path = tmp_path / "evil.xml"
    path.write_bytes(content.encode(encoding))
    with pytest.raises(ImportRefused, match="XML entity declarations are refused"):
        list(read_sdmx_ml(path, Mapping()))


def test_a_declaration_across_the_scan_chunks_is_found(tmp_path: Path) -> None:
    path = tmp_path / "padded.xml"
    padding = (1 << 20) - 4  # "<!DOCTYPE" starts 4 bytes before the first chunk ends
    path.write_bytes(b" " * padding + b"<!DOCTYPE x []><x/>")
    with pytest.raises(ImportRefused, match=f"at byte {padding}"):
        refuse_entity_declarations(path)


def test_a_structure_file_with_a_declaration_is_refused(tmp_path: Path) -> None:
    data = write(tmp_path / "ss.xml", STRUCTURE_SPECIFIC)
    structure = write(tmp_path / "dsd.xml", EXTERNAL_ENTITY)
    with pytest.raises(ImportRefused, match=r"dsd\.xml: XML entity declarations are refused"):
        list(read_sdmx_ml(data, Mapping(structure_file=structure)))


def test_an_oversize_message_is_refused_before_parsing(tmp_path: Path, settings: Any) -> None:
    settings.AYNI_MAX_IMPORT_BYTES = 100
    path = write(tmp_path / "ss.xml", STRUCTURE_SPECIFIC)
    with pytest.raises(ImportRefused, match="above the limit"):
        list(read_sdmx_ml(path, Mapping()))


# ayni sdmx pull ------------------------------------------------------------------------------


def manifest_queries() -> list[tuple[str, str]]:
    files = json.loads(need(MANIFEST).read_text())["files"]
    return [
        (name, entry["url"])
        for name, entry in files.items()
        if "/data/" in entry.get("url", "") and "format=csv" in entry["url"]
    ]


def test_the_command_is_ayni_sdmx_pull() -> None:
    assert translate(["sdmx", "pull", "CME", "--country", "PER"]) == [
        "sdmx_pull",
        "CME",
        "--country",
        "PER",
    ]


def test_urls_match_every_data_query_in_the_manifest() -> None:
    queries = manifest_queries()
    assert len(queries) == 10
    for name, url in queries:
        parts = urllib.parse.urlsplit(url)
        base, _, rest = parts.path.partition("/data/")
        reference, key = rest.split("/")
        agency, flow, version = reference.split(",")
        area, indicator, *more = key.split(".")
        query = dict(urllib.parse.parse_qsl(parts.query))
        built = build_url(
            flow,
            countries=area.split("+") if area else [],
            indicators=indicator.split("+") if indicator else [],
            key_rest=".".join(more),
            start=query.get("startPeriod", ""),
            end=query.get("endPeriod", ""),
            base_url=f"{parts.scheme}://{parts.netloc}{base}",
            agency=agency,
            version=version,
        )
        assert built == url, name


def test_url_for_peru() -> None:
    assert build_url(
        "CME", countries=["PER"], indicators=["CME_MRY0T4", "CME_MRM0"], start="2012", end="2016"
    ) == (
        "https://sdmx.data.unicef.org/ws/public/sdmxapi/rest/data/UNICEF,CME,1.0/"
        "PER.CME_MRY0T4+CME_MRM0?format=csv&startPeriod=2012&endPeriod=2016"
    )
    assert build_url("UNICEF,NUTRITION,1.0", countries=["PER"], base_url="http://x/rest/") == (
        "http://x/rest/data/UNICEF,NUTRITION,1.0/PER.?format=csv"
    )


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replace the pull's fetch: serve the saved UNICEF response, record the URL asked for."""
    served: dict[str, Any] = {"urls": [], "body": None}

    def fake_fetch(url: str, **kwargs: Any) -> bytes:
        served["urls"].append(url)
        if served["body"] is None:
            raise AssertionError("no response prepared")
        return served["body"]

    monkeypatch.setattr(sdmx_pull, "fetch", fake_fetch)
    return served


def test_pull_offline_writes_the_served_csv(served: dict[str, Any], tmp_path: Path) -> None:
    fixture = need(DETERMINISTIC / "CME_MRY0T4_BRA_sex_2020.csv")
    served["body"] = fixture.read_bytes()
    output = tmp_path / "out" / "cme.csv"
    out = io.StringIO()
    call_command(
        "sdmx_pull",
        "CME",
        "--country",
        "BRA",
        "--indicator",
        "CME_MRY0T4",
        "--key-rest",
        ".._T._T",
        "--start",
        "2020",
        "--end",
        "2020",
        "--output",
        str(output),
        stdout=out,
    )
    assert served["urls"] == [
        json.loads(MANIFEST.read_text())["files"]["data/CME_MRY0T4_BRA_sex_2020.csv"]["url"]
    ]
    assert output.read_bytes() == fixture.read_bytes()
    assert "8 observations" in out.getvalue()
    assert [p.name for p in output.parent.iterdir()] == ["cme.csv"]  # no temporary left


def test_pull_refuses_an_answer_that_is_not_sdmx_csv(served: dict[str, Any], tmp_path) -> None:
    served["body"] = b"<html>maintenance</html>"
    output = tmp_path / "cme.csv"
    with pytest.raises(CommandError, match="did not answer with SDMX-CSV"):
        call_command("sdmx_pull", "CME", "--country", "PER", "--output", str(output))
    assert not output.exists()


def test_pull_import_needs_a_source_before_downloading(served: dict[str, Any], tmp_path) -> None:
    with pytest.raises(CommandError, match="needs the Ayni data source"):
        call_command(
            "sdmx_pull", "CME", "--country", "PER", "--import", "--output", str(tmp_path / "x.csv")
        )
    assert served["urls"] == []


@pytest.mark.django_db
def test_pull_import_asks_for_the_office_before_downloading(
    served: dict[str, Any], tmp_path
) -> None:
    pull = ["sdmx_pull", "CME", "--country", "PER", "--output", str(tmp_path / "x.csv")]
    with pytest.raises(CommandError, match=r"several countries are loaded \(BO, PE\): give --off"):
        call_command(*pull, "--import", "--source", "t-un-igme")
    with pytest.raises(CommandError, match="unknown office 'nowhere'"):
        call_command(*pull, "--import", "--source", "t-un-igme", "--office", "nowhere")
    assert served["urls"] == []


def test_fetch_offline_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(*args: Any, **kwargs: Any) -> Any:
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(sdmx_pull.urllib.request, "urlopen", offline)
    with pytest.raises(FetchError, match=r"could not reach sdmx\.data\.unicef\.org .*offline"):
        fetch(build_url("CME", countries=["PER"]))


def test_fetch_refuses_an_answer_above_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    class Response:
        def __enter__(self) -> Response:
            return self

        def __exit__(self, *args: Any) -> None:
            return None

        def read(self, size: int) -> bytes:
            return b"x" * size

    monkeypatch.setattr(sdmx_pull.urllib.request, "urlopen", lambda *a, **k: Response())
    with pytest.raises(FetchError, match="larger than the limit of 1,000 bytes"):
        fetch("https://example.org/data", limit=1000)


def test_fetch_refuses_other_schemes() -> None:
    with pytest.raises(FetchError, match="only http and https"):
        fetch("file:///etc/passwd")


def test_pull_reports_offline_as_a_command_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def offline(*args: Any, **kwargs: Any) -> Any:
        raise urllib.error.URLError("timed out")

    monkeypatch.setattr(sdmx_pull.urllib.request, "urlopen", offline)
    with pytest.raises(CommandError, match="are you offline"):
        call_command("sdmx_pull", "CME", "--country", "PER", "--output", str(tmp_path / "x.csv"))


# Through the pipeline, into the database ------------------------------------------------------


@pytest.fixture
def u5mr(db: None) -> Any:
    """Under-five mortality with its UNICEF code, sex and wealth quintile, and its source."""
    from ayni.monitoring.models import (
        DataSource,
        Dimension,
        DimensionValue,
        Indicator,
        IndicatorCode,
    )

    sex, _ = Dimension.objects.get_or_create(
        code="sex", defaults={"name_es": "Sexo", "name_en": "Sex"}
    )
    quintile, _ = Dimension.objects.get_or_create(
        code="wealth_quintile", defaults={"name_es": "Quintil", "name_en": "Wealth quintile"}
    )
    for dimension, codes in [(sex, ["F", "M"]), (quintile, ["Q1", "Q2", "Q3", "Q4", "Q5"])]:
        for code in codes:
            DimensionValue.objects.get_or_create(
                dimension=dimension, code=code, defaults={"name_es": code, "name_en": code}
            )
    indicator = Indicator.objects.create(
        code="t-u5mr",
        name_es="Mortalidad de menores de cinco años (prueba)",
        name_en="Under-five mortality (test)",
        unit=Indicator.Unit.PER_1000,
        direction=Indicator.Direction.LOWER_IS_BETTER,
    )
    indicator.dimensions.set([sex, quintile])
    IndicatorCode.objects.create(
        indicator=indicator, system=IndicatorCode.System.SDMX_UNICEF, code="CME_MRY0T4"
    )
    DataSource.objects.create(
        code="t-un-igme", kind=DataSource.Kind.MODELLED, name_es="UN IGME (prueba)"
    )
    return indicator


# The fixtures have no Peru: Brazil's rows stand in for Lima's (department 15).
STAND_IN = {"locations": {"BRA": "15"}, "constants": {"source": "t-un-igme"}}


def test_sdmx_csv_through_the_pipeline(u5mr: Any) -> None:
    from ayni.monitoring.models import DataValue
    from ayni.monitoring.tests.importing import run_import

    path = need(DETERMINISTIC / "CME_MRY0T4_BRA_1990_2023.csv")
    rows = dict_rows(path)
    mapping = Mapping(**STAND_IN)

    _, dry = run_import(format="sdmx-csv", path=path, mapping=mapping, dry_run=True)
    assert (dry.read, dry.created, dry.rejected) == (len(rows), len(rows), 0)
    assert not DataValue.objects.filter(indicator=u5mr).exists()

    _, first = run_import(format="sdmx-csv", path=path, mapping=mapping)
    assert (first.created, first.rejected) == (len(rows), 0)
    values = DataValue.objects.filter(indicator=u5mr)
    assert values.count() == len(rows)
    assert set(values.values_list("location__code", flat=True)) == {"15"}
    assert set(values.values_list("disaggregation", flat=True)) == {"", "sex=F", "sex=M"}
    female_1990 = values.get(period="1990", disaggregation="sex=F")
    assert female_1990.value == Decimal("56.923897")
    assert (female_1990.lower, female_1990.upper, female_1990.flags) == (
        Decimal("52.536156"),
        Decimal("61.603938"),
        "A",
    )

    _, again = run_import(format="sdmx-csv", path=path, mapping=mapping)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(rows))


def test_pull_and_import_offline(u5mr: Any, served: dict[str, Any], tmp_path: Path) -> None:
    from ayni.monitoring.models import DataValue

    served["body"] = need(DETERMINISTIC / "CME_MRY0T4_BRA_sex_2020.csv").read_bytes()
    mapping = write(tmp_path / "mapping.json", json.dumps({"locations": {"BRA": "15"}}))
    out = io.StringIO()
    call_command(
        "sdmx_pull",
        "CME",
        "--country",
        "BRA",
        "--indicator",
        "CME_MRY0T4",
        "--start",
        "2020",
        "--end",
        "2020",
        "--output",
        str(tmp_path / "cme.csv"),
        "--import",
        "--source",
        "t-un-igme",
        "--mapping",
        str(mapping),
        "--office",
        "peru",
        stdout=out,
    )
    assert "8 values read: 8 created" in out.getvalue()
    assert set(
        DataValue.objects.filter(indicator=u5mr).values_list("disaggregation", flat=True)
    ) == {"", "sex=F", "sex=M", *(f"wealth_quintile=Q{n}" for n in range(1, 6))}


def test_pull_import_refused_writes_nothing(u5mr: Any, served: dict[str, Any], tmp_path) -> None:
    from ayni.monitoring.models import DataValue

    served["body"] = need(DETERMINISTIC / "CME_MRY0T4_BRA_sex_2020.csv").read_bytes()
    # Brazil is not mapped: every row names a place Peru does not have.
    with pytest.raises(CommandError, match="8 of 8 lines refused, nothing written"):
        call_command(
            "sdmx_pull",
            "CME",
            "--country",
            "BRA",
            "--output",
            str(tmp_path / "cme.csv"),
            "--import",
            "--source",
            "t-un-igme",
            "--office",
            "peru",
        )
    assert not DataValue.objects.filter(indicator=u5mr).exists()
    assert (tmp_path / "cme.csv").exists()  # the download itself is kept
