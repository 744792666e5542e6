"""DHIS2 dataValueSet readers, on DHIS2's own test fixtures read in place from shared/data."""

from __future__ import annotations

import csv
import json
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ayni.core.imports import ImportRefused, RowError
from ayni.core.tests.shared_data import SHARED_DATA as SHARED
from ayni.core.tests.shared_data import need
from ayni.monitoring.imports import dhis2
from ayni.monitoring.imports.base import READERS, Mapping, ParsedValue
from ayni.monitoring.imports.dhis2 import read_dhis2_csv, read_dhis2_json

DHIS2 = SHARED / "dhis2-core" / "dhis-2"
JSON_DIR = DHIS2 / "dhis-test-integration" / "src" / "test" / "resources" / "datavalueset"
CSV_DIR = DHIS2 / "dhis-test-integration" / "src" / "test" / "resources" / "dxf2" / "datavalueset"
E2E = DHIS2 / "dhis-test-e2e" / "src" / "test" / "resources" / "aggregate"

JSON_FIXTURES = [
    JSON_DIR / "dataValueSetJ.json",
    JSON_DIR / "dataValueSetJDeleteNoValue.json",
    JSON_DIR / "dataValueSetJDeleteZeroValue.json",
    JSON_DIR / "dataValueSetCreateDate.json",
    E2E / "dataValues_single_dataset.json",
]
# DHIS2 period → Ayni period, written out by hand for the periods the fixtures use.
PERIODS = {"201201": "2012-01", "201202": "2012-02", "201911": "2019-11"}


def items(read: Any, path: Path, mapping: Mapping) -> list[ParsedValue | RowError]:
    return list(read(path, mapping))


def mapping_for(values: list[dict[str, Any]], **extra: Any) -> Mapping:
    """Every organisation unit of the values to Lima (15), every combo to the total."""
    locations = {v["orgUnit"]: "15" for v in values if "orgUnit" in v}
    combos: dict[str, dict[str, str]] = {
        v["categoryOptionCombo"]: {} for v in values if v.get("categoryOptionCombo")
    }
    return Mapping(
        locations=locations,
        category_option_combos=combos,
        constants={"source": "hmis"},
        **extra,
    )


def write(tmp_path: Path, payload: Any, name: str = "dvs.json") -> Path:
    path = tmp_path / name
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload))
    return path


def test_the_readers_are_registered_under_their_format_names() -> None:
    assert READERS["dhis2-json"] is read_dhis2_json
    assert READERS["dhis2-csv"] is read_dhis2_csv


@pytest.mark.parametrize("path", JSON_FIXTURES, ids=lambda p: p.name)
def test_json_fixture_gives_one_value_per_data_value(path: Path) -> None:
    document = json.loads(need(path).read_text())
    values = document["dataValues"]
    # Top-level period/orgUnit are defaults: fill them in the way the reader should.
    expected = [
        {**{k: document[k] for k in ("period", "orgUnit") if k in document}, **v} for v in values
    ]

    result = items(read_dhis2_json, path, mapping_for(expected))

    assert len(result) == len(values)
    assert all(isinstance(item, ParsedValue) for item in result), result
    assert [p.line for p in result] == list(range(1, len(values) + 1))
    assert [p.indicator for p in result] == [v["dataElement"] for v in values]
    assert {p.indicator_system for p in result} == {"dhis2"}
    assert [p.period for p in result] == [PERIODS[v["period"]] for v in expected]
    assert {p.location for p in result} == {"15"}
    assert {p.source for p in result} == {"hmis"}
    assert [p.value for p in result] == [v.get("value", "") for v in values]


def test_fixture_counts() -> None:
    """What the fixtures hold, so a change in shared/data shows up here first."""
    counts = {p.name: len(json.loads(need(p).read_text())["dataValues"]) for p in JSON_FIXTURES}
    assert counts == {
        "dataValueSetJ.json": 1,
        "dataValueSetJDeleteNoValue.json": 1,
        "dataValueSetJDeleteZeroValue.json": 1,
        "dataValueSetCreateDate.json": 1,
        "dataValues_single_dataset.json": 2,
    }


def test_a_value_without_value_deletes_and_a_zero_is_kept() -> None:
    mapping = Mapping(locations={"DiszpKrYNg8": "15"})
    [no_value] = items(read_dhis2_json, need(JSON_DIR / "dataValueSetJDeleteNoValue.json"), mapping)
    [zero] = items(read_dhis2_json, need(JSON_DIR / "dataValueSetJDeleteZeroValue.json"), mapping)
    [ten] = items(read_dhis2_json, need(JSON_DIR / "dataValueSetJ.json"), mapping)
    assert isinstance(no_value, ParsedValue) and no_value.delete and no_value.value == ""
    assert isinstance(zero, ParsedValue) and not zero.delete and zero.value == "0"
    assert isinstance(ten, ParsedValue) and not ten.delete and ten.value == "10"


def test_the_deleted_flag_asks_for_deletion(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {
            "dataValues": [
                {
                    "dataElement": "de1",
                    "period": "2014",
                    "orgUnit": "ou1",
                    "value": "5",
                    "deleted": True,
                },
                {
                    "dataElement": "de1",
                    "period": "2015",
                    "orgUnit": "ou1",
                    "value": "6",
                    "deleted": False,
                },
            ]
        },
    )
    first, second = items(read_dhis2_json, path, Mapping(locations={"ou1": "03"}))
    assert isinstance(first, ParsedValue) and first.delete
    assert isinstance(second, ParsedValue) and not second.delete


def test_e2e_fixture_maps_category_option_combos_to_dimensions() -> None:
    path = need(E2E / "dataValues_single_dataset.json")
    mapping = Mapping(
        locations={"O6uvpzGd5pu": "03"},
        category_option_combos={"oPcWGgS2Liz": {"sex": "F"}, "rtfSaMjPyq6": {"sex": "M"}},
        indicators={"BjDrgVrkBI3": "births-attended"},
    )
    first, second = items(read_dhis2_json, path, mapping)
    assert isinstance(first, ParsedValue) and isinstance(second, ParsedValue)
    assert (first.indicator, first.indicator_system) == ("births-attended", "")
    assert (first.location, first.period, first.value) == ("03", "2019-11", "1000")
    assert first.dimensions == {"sex": "F"}
    assert second.dimensions == {"sex": "M"}


def test_an_unmapped_org_unit_is_a_row_error_naming_the_uid() -> None:
    path = need(E2E / "dataValues_single_dataset.json")
    mapping = Mapping(category_option_combos={"oPcWGgS2Liz": {}, "rtfSaMjPyq6": {}})
    errors = items(read_dhis2_json, path, mapping)
    assert all(isinstance(e, RowError) for e in errors)
    assert [(e.line, e.field, e.item) for e in errors] == [
        (1, "orgUnit", "O6uvpzGd5pu"),
        (2, "orgUnit", "O6uvpzGd5pu"),
    ]
    assert "data value 2" in errors[1].message and "O6uvpzGd5pu" in errors[1].message


def test_an_unmapped_category_option_combo_is_a_row_error_naming_the_uid() -> None:
    path = need(E2E / "dataValues_single_dataset.json")
    mapping = Mapping(locations={"O6uvpzGd5pu": "03"}, category_option_combos={"oPcWGgS2Liz": {}})
    first, second = items(read_dhis2_json, path, mapping)
    assert isinstance(first, ParsedValue) and first.dimensions == {}
    assert isinstance(second, RowError)
    assert (second.line, second.field, second.item) == (2, "categoryOptionCombo", "rtfSaMjPyq6")
    assert "rtfSaMjPyq6" in second.message


def test_top_level_fields_are_defaults_even_after_the_values(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '{"dataValues": [{"dataElement": "de1", "value": "1"},'
        ' {"dataElement": "de2", "value": "2", "period": "2015Q3", "orgUnit": "ou2"}],'
        ' "dataSet": "ds1", "completeDate": "2015-01-01", "period": "2014",'
        ' "orgUnit": "ou1", "attributeOptionCombo": "aoc1"}',
    )
    mapping = Mapping(
        locations={"ou1": "15", "ou2": "03"}, category_option_combos={"aoc1": {"area": "rural"}}
    )
    first, second = items(read_dhis2_json, path, mapping)
    assert isinstance(first, ParsedValue) and isinstance(second, ParsedValue)
    assert (first.location, first.period, first.dimensions) == ("15", "2014", {"area": "rural"})
    assert (second.location, second.period) == ("03", "2015Q3")


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2014", "2014"),
        ("2014Q1", "2014Q1"),
        ("2014Q4", "2014Q4"),
        ("201401", "2014-01"),
        ("201412", "2014-12"),
        ("2014W1", "2014-W01"),
        ("2015W53", "2015-W53"),
        ("20140101", "2014-01-01"),
        ("201413", None),
        ("2014Q5", None),
        ("2014W53", None),
        ("2014BiW1", None),
        ("201401B", None),
        ("2014S1", None),
        ("2014April", None),
        ("", None),
    ],
)
def test_periods(tmp_path: Path, period: str, expected: str | None) -> None:
    """Every DHIS2 period type Ayni stores is passed on in Ayni's form; the others are row
    errors naming the period."""
    path = tmp_path / "dvs.csv"
    path.write_text(f"de1,{period},ou1,,,1\n", encoding="utf-8")
    [item] = items(read_dhis2_csv, path, Mapping(locations={"ou1": "15"}))
    if expected is None:
        assert isinstance(item, RowError) and (item.field, item.item) == ("period", period)
    else:
        assert isinstance(item, ParsedValue) and item.period == expected


def test_a_weekly_period_is_read_in_ayni_form(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {
            "period": "2015W53",
            "dataValues": [
                {"dataElement": "de1", "period": "2014W3", "orgUnit": "ou1", "value": "1"},
                {"dataElement": "de1", "orgUnit": "ou1", "value": "2"},
            ],
        },
    )
    first, second = items(read_dhis2_json, path, Mapping(locations={"ou1": "15"}))
    assert isinstance(first, ParsedValue) and isinstance(second, ParsedValue)
    assert (first.period, second.period) == ("2014-W03", "2015-W53")


def test_an_unsupported_period_type_is_a_row_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {
            "dataValues": [
                {"dataElement": "de1", "period": "2014BiW3", "orgUnit": "ou1", "value": "1"},
                {"dataElement": "de1", "period": "2014BiW3", "orgUnit": "ou1", "value": "2"},
            ]
        },
    )
    errors = items(read_dhis2_json, path, Mapping(locations={"ou1": "15"}))
    assert all(isinstance(e, RowError) for e in errors)
    assert [(e.line, e.field, e.item) for e in errors if isinstance(e, RowError)] == [
        (1, "period", "2014BiW3"),
        (2, "period", "2014BiW3"),
    ]
    assert [e.message for e in errors if isinstance(e, RowError)] == [
        "data value 1: '2014BiW3' is not a DHIS2 period Ayni reads (yearly 2014, quarterly "
        "2014Q1, monthly 201401, weekly 2014W3 or daily 20140115)",
        "data value 2: '2014BiW3' is not a DHIS2 period Ayni reads (yearly 2014, quarterly "
        "2014Q1, monthly 201401, weekly 2014W3 or daily 20140115)",
    ]


def test_missing_fields_and_non_objects_are_row_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {
            "dataValues": [
                {"period": "2014", "orgUnit": "ou1", "value": "1"},
                {"dataElement": "de1", "orgUnit": "ou1", "value": "1"},
                {"dataElement": "de1", "period": "2014", "value": "1"},
                "not a value",
                {"dataElement": "de1", "period": "2014", "orgUnit": "ou1", "comment": "only"},
                {"dataElement": "de1", "period": "2014", "orgUnit": "ou1", "value": 12.5},
            ]
        },
    )
    result = items(read_dhis2_json, path, Mapping(locations={"ou1": "15"}))
    assert [(r.line, r.field) for r in result[:5]] == [
        (1, "dataElement"),
        (2, "period"),
        (3, "orgUnit"),
        (4, "dataValues"),
        (5, "value"),
    ]
    assert all(isinstance(r, RowError) for r in result[:5])
    last = result[5]
    assert isinstance(last, ParsedValue) and last.value == "12.5"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"dataValues": [{"dataElement": "de1",', "not valid JSON"),
        ('{"dataValues": []} trailing', "not valid JSON"),
        ('[{"dataElement": "de1"}]', "the top level is not a JSON object"),
        ('{"dataSet": "ds1", "period": "2014"}', "no dataValues array"),
        ('{"dataValues": [], "idScheme": "CODE"}', "idScheme CODE is not supported yet"),
        ("", "the file is empty"),
    ],
)
def test_bad_json_is_refused_before_any_value(tmp_path: Path, content: str, message: str) -> None:
    path = write(tmp_path, content)
    values = read_dhis2_json(path, Mapping())
    with pytest.raises(ImportRefused, match=message):
        next(iter(values))


def _good_then_malformed(tmp_path: Path, element: str = "de1") -> Path:
    good = ",\n".join(
        json.dumps({"dataElement": element, "period": "2014", "orgUnit": "ou1", "value": str(i)})
        for i in range(100)
    )
    # The array comes last, as DHIS2 writes it: the values are read in a single pass.
    return write(tmp_path, '{"dataValues": [' + good + ", {oops}]}")


def test_malformed_json_after_good_values_refuses_the_file(tmp_path: Path) -> None:
    values = read_dhis2_json(_good_then_malformed(tmp_path), Mapping(locations={"ou1": "15"}))
    read = []
    with pytest.raises(ImportRefused, match="not valid JSON"):
        read.extend(values)
    assert len(read) == 100


@pytest.mark.parametrize(
    ("content", "whole"),
    [
        ('{"dataSet": "a", "dataValues": [{"value": "1"}]}', False),
        ('{"dataValues": []}\n', False),
        ('{"dataValues": [{"value": "1"}], "period": "2014"}', True),
        ('{"dataValues": [{"value": "1"}], "attributeCategoryOptions": ["x"]}', True),
        ('{"dataValues": [{"value": "1"}]', True),
    ],
)
def test_top_level_fields_after_the_values_ask_for_a_first_pass(
    tmp_path: Path, content: str, whole: bool
) -> None:
    from ayni.monitoring.imports.dhis2 import _values_come_last

    assert _values_come_last(write(tmp_path, content)) is not whole


def test_an_oversize_file_is_refused(tmp_path: Path, settings: Any) -> None:
    settings.AYNI_MAX_IMPORT_BYTES = 10
    path = write(tmp_path, {"dataValues": []})
    with pytest.raises(ImportRefused, match="above the limit"):
        list(read_dhis2_json(path, Mapping()))


def _peak_memory_reading(tmp_path: Path, count: int, *, values_last: bool) -> int:
    path = tmp_path / f"big{count}.json"
    with path.open("w") as out:
        out.write('{"dataSet": "ds1", "dataValues": [')
        for i in range(count):
            value = {
                "dataElement": f"de{i % 7}",
                "period": "201401",
                "orgUnit": "ou1",
                "categoryOptionCombo": "coc1",
                "value": str(i),
                "storedBy": "admin",
                "comment": "a comment that takes some room",
                "followup": False,
            }
            out.write(("," if i else "") + json.dumps(value))
        # A top-level field after the array sends the values to the ijson path.
        out.write("]}" if values_last else '], "completeDate": "2014-02-01"}')
    mapping = Mapping(locations={"ou1": "15"}, category_option_combos={"coc1": {}})
    tracemalloc.start()
    try:
        seen = sum(1 for item in read_dhis2_json(path, mapping) if isinstance(item, ParsedValue))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == count
    return peak


@pytest.mark.parametrize("values_last", [True, False])
def test_json_is_streamed_not_loaded_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, values_last: bool
) -> None:
    # Blocks of 64 KiB (4 MiB in use): the files below span several of them.
    monkeypatch.setattr(dhis2, "JSON_BLOCK", 64 * 1024)
    _peak_memory_reading(tmp_path, 10, values_last=values_last)  # warm up: catalogues, caches
    small = _peak_memory_reading(tmp_path, 2_000, values_last=values_last)
    large = _peak_memory_reading(tmp_path, 8_000, values_last=values_last)
    # Four times the values, (almost) the same peak: memory does not grow with the file.
    # json.load would hold every value at once, several times the file's size.
    assert large < small * 1.25, (small, large)


# The single pass over an array that comes last, against ijson's reading of the same file.

AWKWARD_VALUES: list[Any] = [
    {"dataElement": "de1", "period": "2014", "orgUnit": "ou1", "value": "1"},
    # Cut lookalikes inside texts and nested objects.
    {"dataElement": "de1", "period": "2014", "orgUnit": "ou1", "value": "2", "comment": "},{"},
    {"dataElement": "de1", "orgUnit": "ou1", "value": "3", "extra": {"a": {"b": "},"}, "c": []}},
    {"dataElement": "de1", "period": "2014", "value": "4", "comment": '"dataValues": ['},
    # JSON numbers keep their digits as written; booleans and nulls read as DHIS2 reads them.
    {"dataElement": "de1", "period": "2014", "orgUnit": "ou1", "value": 1.25},
    {"dataElement": "de1", "period": "2014", "orgUnit": "ou1", "value": 12, "deleted": True},
    {"dataElement": "de1", "period": "2014", "orgUnit": "ou1", "value": "5", "deleted": False},
    {"dataElement": None, "period": "2014", "orgUnit": "ou1", "value": "6", "comment": None},
    "not an object",
    [1, 2],
    {"dataElement": "de2", "period": "2014", "orgUnit": "ou1", "value": "7", "comment": "ñandú"},
]


def _awkward_file(tmp_path: Path, *, indent: int | None, repeat: int = 20) -> Path:
    values = [
        value | {"value": f"{n}.{value['value']}"}
        if isinstance(value, dict) and isinstance(value.get("value"), str)
        else value
        for n in range(repeat)
        for value in AWKWARD_VALUES
    ]
    payload = {"dataSet": "ds1", "period": "2015", "orgUnit": "ou2", "dataValues": values}
    # A number with a trailing zero, which json.dumps would not write.
    text = json.dumps(payload, indent=indent, ensure_ascii=False).replace("1.25", "1.250")
    return write(tmp_path, text)


def _both_ways(path: Path) -> tuple[list[Any], list[Any]]:
    single = [fields for chunk in dhis2._value_fields(path, single_pass=True) for fields in chunk]
    plain = [fields for chunk in dhis2._value_fields(path, single_pass=False) for fields in chunk]
    return single, plain


@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize("block", [64, 300, 4096, 4 * 1024 * 1024])
def test_the_single_pass_reads_what_ijson_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, indent: int | None, block: int
) -> None:
    monkeypatch.setattr(dhis2, "JSON_BLOCK", block)
    path = _awkward_file(tmp_path, indent=indent)
    single, plain = _both_ways(path)
    assert single == plain
    assert len(single) == 20 * len(AWKWARD_VALUES)
    assert [fields[5] for fields in single[:11] if fields] == [
        "0.1", "0.2", "0.3", "0.4", "1.250", "12", "0.5", "0.6", "0.7"
    ]  # fmt: skip
    assert single[5][7] == "true" and single[6][7] == "false"
    assert single[7][0] == "" and single[8] is None and single[9] is None


def test_the_single_pass_does_not_hand_over_a_plain_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = [
        {"dataElement": "de1", "period": "2014", "orgUnit": "ou1", "value": str(n)}
        for n in range(500)
    ]
    path = write(tmp_path, {"dataSet": "ds1", "dataValues": values})
    monkeypatch.setattr(dhis2, "JSON_BLOCK", 512)

    def no_ijson(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("handed over to ijson")

    monkeypatch.setattr(dhis2.ijson, "items", no_ijson)
    single = [fields for chunk in dhis2._value_fields(path, single_pass=True) for fields in chunk]
    assert [fields[5] for fields in single if fields] == [str(n) for n in range(500)]


@pytest.mark.parametrize(
    ("middle", "message"),
    [
        ("}, ]}", "not valid JSON"),  # a comma before the closing bracket
        ("},, {", "not valid JSON"),
        ("} {", "not valid JSON"),
        ('}, {"value": "\\x"}, {', "not valid JSON"),
    ],
)
def test_the_single_pass_refuses_what_ijson_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, middle: str, message: str
) -> None:
    monkeypatch.setattr(dhis2, "JSON_BLOCK", 128)
    good = ", ".join(json.dumps({"value": str(n), "period": "2014"}) for n in range(30))
    text = '{"dataValues": [' + good[:-1] + middle + good[1:] + "]}"
    if middle.endswith("]}"):
        text = '{"dataValues": [' + good[:-1] + middle
    path = write(tmp_path, text)
    with pytest.raises(ImportRefused, match=message):
        list(read_dhis2_json(path, Mapping()))
    with pytest.raises(ImportRefused, match=message):
        list(dhis2._value_fields(path, single_pass=False))


def test_a_value_longer_than_a_stretch_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dhis2, "JSON_BLOCK", 256)
    monkeypatch.setattr(dhis2, "JSON_MAX_CHUNK", 1024)
    values = [
        {"dataElement": "de1", "period": "2014", "orgUnit": "ou1", "value": str(n)}
        for n in range(20)
    ]
    values[10]["comment"] = "x" * 5000
    path = write(tmp_path, {"dataValues": values})
    single, plain = _both_ways(path)
    assert single == plain and len(single) == 20 and single[10][6] == "x" * 5000


def test_a_nested_dataValues_key_is_not_the_array(tmp_path: Path) -> None:
    values = [{"dataElement": "de1", "period": "2014", "orgUnit": "ou1", "value": "1"}]
    path = write(tmp_path, {"meta": {"dataValues": [{"value": "9"}]}, "dataValues": values})
    single, plain = _both_ways(path)
    assert single == plain == [["de1", "2014", "ou1", "", "", "1", "", ""]]


# CSV -----------------------------------------------------------------------------------------


def csv_rows(path: Path) -> list[list[str]]:
    with need(path).open(newline="") as handle:
        return [row for row in csv.reader(handle) if row]


def test_csv_with_and_without_header_give_the_same_values() -> None:
    with_header = CSV_DIR / "dataValueSetB.csv"
    without = CSV_DIR / "dataValueSetBNoHeader.csv"
    rows = csv_rows(without)
    mapping = Mapping(
        locations={"DiszpKrYNg8": "15", "BdfsJfj87js": "03"}, constants={"source": "hmis"}
    )

    a = items(read_dhis2_csv, need(with_header), mapping)
    b = items(read_dhis2_csv, need(without), mapping)

    assert len(a) == len(b) == len(rows) == 12
    assert all(isinstance(item, ParsedValue) for item in a + b)
    assert [p.line for p in a] == list(range(2, 14))  # line 1 is the header
    assert [p.line for p in b] == list(range(1, 13))
    for x, y in zip(a, b, strict=True):
        x.line = y.line
    assert a == b
    assert [(p.indicator, p.period, p.value) for p in b] == [
        (row[0], PERIODS[row[1]], row[5]) for row in rows
    ]
    assert [p.location for p in b] == [
        {"DiszpKrYNg8": "15", "BdfsJfj87js": "03"}[row[2]] for row in rows
    ]


def test_csv_with_a_deleted_column_reads_rows_without_it() -> None:
    path = need(CSV_DIR / "dataValueSetWithDataSetHeader.csv")
    mapping = Mapping(locations={"DiszpKrYNg8": "15", "BdfsJfj87js": "03"})
    result = items(read_dhis2_csv, path, mapping)
    assert len(result) == len(csv_rows(path)) - 1 == 3
    assert all(isinstance(p, ParsedValue) and not p.delete for p in result)


def test_csv_unmapped_codes_deleted_rows_and_short_rows(tmp_path: Path) -> None:
    path = tmp_path / "dvs.csv"
    path.write_text(
        "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,"
        "lastupdated,comment,followup,deleted\n"
        "de1,201401,ou1,,,5,admin,2014-02-01,,false,true\n"
        "de1,201401,ouX,,,5,admin,2014-02-01,,false,\n"
        "de1,201401,ou1,cocX,,5,admin,2014-02-01,,false,\n"
        "\n"
        "de1,2014BiW2,ou1,,,5,admin,2014-02-01,,false,\n"
        "de1,201401,ou1,,\n"
    )
    deleted, org_unit, combo, period, short = items(
        read_dhis2_csv, path, Mapping(locations={"ou1": "15"})
    )
    assert isinstance(deleted, ParsedValue) and deleted.delete and deleted.line == 2
    assert isinstance(org_unit, RowError) and (org_unit.line, org_unit.item) == (3, "ouX")
    assert "line 3" in org_unit.message
    assert isinstance(combo, RowError) and (combo.field, combo.item) == (
        "categoryOptionCombo",
        "cocX",
    )
    assert isinstance(period, RowError) and period.line == 6 and period.field == "period"
    assert isinstance(short, RowError) and short.line == 7 and short.field == "value"


def test_a_csv_that_is_not_a_data_value_set_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE\nPER,CME_MRY0T4,2014,17\n")
    with pytest.raises(ImportRefused, match="not a DHIS2 dataValueSet CSV"):
        list(read_dhis2_csv(path, Mapping()))


# Through the pipeline, into the database ------------------------------------------------------


@pytest.fixture
def catalogue(db: None) -> dict[str, Any]:
    """DHIS2 data elements of the fixtures as Ayni indicators, sex, and a source."""
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
    for code in ("F", "M"):
        DimensionValue.objects.get_or_create(
            dimension=sex, code=code, defaults={"name_es": code, "name_en": code}
        )
    indicators = {}
    for code, element in [
        ("t-dhis-a", "BjDrgVrkBI3"),
        ("t-dhis-b", "f7n9E0hX8qk"),
        ("t-dhis-c", "Ix2HsbDMLea"),
        ("t-dhis-d", "eY5ehpbEsB7"),
    ]:
        indicator = Indicator.objects.create(
            code=code,
            name_es=code,
            name_en=code,
            unit=Indicator.Unit.NUMBER,
            direction=Indicator.Direction.HIGHER_IS_BETTER,
        )
        indicator.dimensions.set([sex])
        IndicatorCode.objects.create(
            indicator=indicator, system=IndicatorCode.System.DHIS2, code=element
        )
        indicators[code] = indicator
    DataSource.objects.create(
        code="t-hmis", kind=DataSource.Kind.ADMINISTRATIVE, name_es="HMIS (prueba)"
    )
    return indicators


def stored(indicators: Any) -> set[tuple[str, str, str, str, Decimal]]:
    from ayni.monitoring.models import DataValue

    return {
        (v.indicator.code, v.location.code, v.period, v.disaggregation, v.value)
        for v in DataValue.objects.filter(indicator__in=indicators.values()).select_related(
            "indicator", "location"
        )
    }


def test_dhis2_json_through_the_pipeline(catalogue: dict[str, Any]) -> None:
    from ayni.monitoring.tests.importing import run_import

    path = need(E2E / "dataValues_single_dataset.json")
    mapping = Mapping(
        locations={"O6uvpzGd5pu": "03"},  # Apurímac stands in for the Sierra Leone unit
        category_option_combos={"oPcWGgS2Liz": {"sex": "F"}, "rtfSaMjPyq6": {"sex": "M"}},
        constants={"source": "t-hmis"},
    )

    _, dry = run_import(format="dhis2-json", path=path, mapping=mapping, dry_run=True)
    assert (dry.read, dry.created, dry.rejected) == (2, 2, 0)
    assert stored(catalogue) == set()

    _, first = run_import(format="dhis2-json", path=path, mapping=mapping)
    assert (first.created, first.rejected) == (2, 0)
    assert stored(catalogue) == {
        ("t-dhis-a", "03", "2019-11", "sex=F", Decimal("1000")),
        ("t-dhis-a", "03", "2019-11", "sex=M", Decimal("2000")),
    }

    _, again = run_import(format="dhis2-json", path=path, mapping=mapping)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_dhis2_csv_through_the_pipeline(catalogue: dict[str, Any]) -> None:
    from ayni.monitoring.tests.importing import run_import

    path = need(CSV_DIR / "dataValueSetB.csv")
    rows = csv_rows(path)[1:]
    mapping = Mapping(
        locations={"DiszpKrYNg8": "15", "BdfsJfj87js": "03"}, constants={"source": "t-hmis"}
    )
    _, result = run_import(format="dhis2-csv", path=path, mapping=mapping)
    assert (result.read, result.created, result.rejected) == (len(rows), len(rows), 0)
    codes = {"f7n9E0hX8qk": "t-dhis-b", "Ix2HsbDMLea": "t-dhis-c", "eY5ehpbEsB7": "t-dhis-d"}
    places = {"DiszpKrYNg8": "15", "BdfsJfj87js": "03"}
    assert stored(catalogue) == {
        (codes[r[0]], places[r[2]], PERIODS[r[1]], "", Decimal(r[5])) for r in rows
    }


def test_a_dhis2_value_without_value_deletes_the_stored_one(catalogue: dict[str, Any]) -> None:
    from ayni.monitoring.tests.importing import run_import

    mapping = Mapping(locations={"DiszpKrYNg8": "15"}, constants={"source": "t-hmis"})
    run_import(format="dhis2-json", path=need(JSON_DIR / "dataValueSetJ.json"), mapping=mapping)
    assert stored(catalogue) == {("t-dhis-b", "15", "2012-01", "", Decimal("10"))}

    delete = need(JSON_DIR / "dataValueSetJDeleteNoValue.json")
    _, result = run_import(format="dhis2-json", path=delete, mapping=mapping)
    assert result.deleted == 1
    assert stored(catalogue) == set()


def test_malformed_json_after_good_values_writes_nothing(
    catalogue: dict[str, Any], tmp_path: Path
) -> None:
    from ayni.monitoring.tests.importing import run_import

    path = _good_then_malformed(tmp_path, element="BjDrgVrkBI3")
    mapping = Mapping(locations={"ou1": "15"}, constants={"source": "t-hmis"})
    with pytest.raises(ImportRefused, match="not valid JSON"):
        run_import(format="dhis2-json", path=path, mapping=mapping, atomic=False, chunk_size=10)
    assert stored(catalogue) == set()


def test_an_unmapped_org_unit_refuses_the_file_through_the_pipeline(
    catalogue: dict[str, Any],
) -> None:
    from ayni.monitoring.imports.pipeline import ImportValuesRefused
    from ayni.monitoring.tests.importing import run_import

    path = need(E2E / "dataValues_single_dataset.json")
    mapping = Mapping(
        category_option_combos={"oPcWGgS2Liz": {"sex": "F"}, "rtfSaMjPyq6": {"sex": "M"}},
        constants={"source": "t-hmis"},
    )
    with pytest.raises(ImportValuesRefused, match="O6uvpzGd5pu"):
        run_import(format="dhis2-json", path=path, mapping=mapping)
    assert stored(catalogue) == set()


def test_padded_codes_read_as_the_plain_ones(tmp_path: Path) -> None:
    path = tmp_path / "padded.csv"
    path.write_text(
        "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n"
        " de1 ,2014, ou1 ,,,1\n"
        "de1,2014,ou1,,,2\n"
        " de1 , 201401 ,ou1,,,3\n",
        encoding="utf-8",
    )
    mapping = Mapping(indicators={"de1": "t-a"}, locations={"ou1": "15"})
    values = list(read_dhis2_csv(path, mapping))
    assert [(v.indicator, v.location, v.period) for v in values if isinstance(v, ParsedValue)] == [
        ("t-a", "15", "2014"),
        ("t-a", "15", "2014"),
        ("t-a", "15", "2014-01"),
    ]
