"""The import pipeline: resolution, validation, modes, idempotence, the batch record."""

from __future__ import annotations

import csv
import hashlib
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ayni.core.imports import ImportRefused
from ayni.core.models import ImportBatch
from ayni.monitoring.imports import pipeline
from ayni.monitoring.imports.base import Mapping
from ayni.monitoring.imports.pipeline import (
    ImportValuesRefused,
    error_report_csv,
    load_mapping,
)
from ayni.monitoring.models import DataValue
from ayni.monitoring.signals import values_changed
from ayni.monitoring.tests.importing import (
    GOOD_ROWS,
    make_catalogue,
    run_import,
    write_csv,
    write_jsonl,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db: None) -> dict[str, Any]:
    return make_catalogue()


def stored() -> set[tuple[str, str, str, str, str, Decimal]]:
    return {
        (v.indicator.code, v.location.code, v.period, v.disaggregation, v.source.code, v.value)
        for v in DataValue.objects.select_related("indicator", "location", "source")
    }


def test_a_template_csv_is_imported_with_its_counts(catalogue, tmp_path, actor) -> None:
    path = write_csv(tmp_path / "values.csv", GOOD_ROWS)
    batch, result = run_import(format="csv", path=path, user=actor("ana"))
    assert result.counts() == {
        "read": 6,
        "created": 6,
        "updated": 0,
        "unchanged": 0,
        "deleted": 0,
        "rejected": 0,
    }
    assert stored() == {
        ("t-stunting", "03", "2014", "", "t-endes-2014", Decimal("38.5")),
        ("t-stunting", "03", "2014", "sex=F", "t-endes-2014", Decimal("39.1")),
        ("t-stunting", "03", "2014", "sex=M", "t-endes-2014", Decimal("37.9")),
        ("t-stunting", "03", "2014", "area=rural", "t-endes-2014", Decimal("44.0")),
        ("t-births", "15", "2015Q2", "", "t-sien", Decimal("120")),
        ("t-births", "150101", "2015-03", "", "t-sien", Decimal("7")),
    }
    month = DataValue.objects.get(period="2015-03")
    assert (month.period_type, month.year, month.import_batch_id) == ("M", 2015, batch.pk)
    assert not month.is_illustrative


def test_two_dimensions_make_one_canonical_key_in_code_order(catalogue, tmp_path) -> None:
    path = write_csv(
        tmp_path / "v.csv",
        [["t-stunting", "03", "2014", "50", "t-endes-2014", "F", "rural"]],
        header=["indicator", "location", "period", "value", "source", "dim:sex", "dim:area"],
    )
    run_import(format="csv", path=path)
    assert DataValue.objects.get().disaggregation == "area=rural;sex=F"


def test_reimporting_the_same_file_changes_nothing(catalogue, tmp_path) -> None:
    path = write_csv(tmp_path / "values.csv", GOOD_ROWS)
    first, _ = run_import(format="csv", path=path)
    again, result = run_import(format="csv", path=path)
    assert result.counts() == {
        "read": 6,
        "created": 0,
        "updated": 0,
        "unchanged": 6,
        "deleted": 0,
        "rejected": 0,
    }
    assert set(DataValue.objects.values_list("import_batch", flat=True)) == {first.pk}
    assert again.file_sha256 == first.file_sha256


def test_a_changed_value_is_updated_and_carries_the_new_batch(catalogue, tmp_path) -> None:
    run_import(format="csv", path=write_csv(tmp_path / "a.csv", GOOD_ROWS))
    changed = [row[:] for row in GOOD_ROWS]
    changed[1][3] = "40.2"
    batch, result = run_import(format="csv", path=write_csv(tmp_path / "b.csv", changed))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 5)
    value = DataValue.objects.get(disaggregation="sex=F")
    assert value.value == Decimal("40.2") and value.import_batch_id == batch.pk


def test_a_dry_run_writes_nothing_and_counts_like_the_real_run(catalogue, tmp_path) -> None:
    run_import(format="csv", path=write_csv(tmp_path / "a.csv", GOOD_ROWS[:3]))
    before = stored()
    changed = [row[:] for row in GOOD_ROWS]
    changed[0][3] = "30"  # one update, two unchanged, three new
    path = write_csv(tmp_path / "b.csv", changed)
    dry_batch, dry = run_import(format="csv", path=path, dry_run=True)
    assert stored() == before
    assert dry_batch.dry_run and dry_batch.status == ImportBatch.Status.SUCCEEDED
    real_batch, real = run_import(format="csv", path=path)
    assert (
        dry.counts()
        == real.counts()
        == {
            "read": 6,
            "created": 3,
            "updated": 1,
            "unchanged": 2,
            "deleted": 0,
            "rejected": 0,
        }
    )
    assert dry_batch.counts == real_batch.counts


BAD_ROWS = [
    GOOD_ROWS[0],
    ["t-unknown", "03", "2014", "1", "t-endes-2014", "", ""],
    GOOD_ROWS[1],
    ["t-stunting", "03", "2014-13", "1", "t-endes-2014", "", ""],
]


def test_atomic_mode_refuses_the_file_for_a_bad_line_and_writes_nothing(
    catalogue, tmp_path, actor
) -> None:
    path = write_csv(tmp_path / "bad.csv", BAD_ROWS)
    with pytest.raises(ImportValuesRefused) as refused:
        run_import(format="csv", path=path, user=actor("ana"))
    assert not DataValue.objects.exists()
    message = str(refused.value)
    assert "bad.csv: 2 lines refused, nothing written" in message
    assert "line 3, indicator: unknown indicator 't-unknown'" in message
    assert "line 5, period: '2014-13' is not a month" in message
    batch = ImportBatch.objects.get(pk=refused.value.batch.pk)
    assert batch.status == ImportBatch.Status.FAILED and batch.message == message
    assert [(e["line"], e["field"]) for e in batch.errors] == [(3, "indicator"), (5, "period")]
    assert batch.counts == {
        "read": 4,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "deleted": 0,
        "rejected": 2,
    }


def test_best_effort_mode_writes_exactly_the_good_lines(catalogue, tmp_path) -> None:
    path = write_csv(tmp_path / "bad.csv", BAD_ROWS)
    batch, result = run_import(format="csv", path=path, atomic=False)
    assert (result.read, result.created, result.rejected) == (4, 2, 2)
    assert {(code, disaggregation) for code, _l, _p, disaggregation, _s, _v in stored()} == {
        ("t-stunting", ""),
        ("t-stunting", "sex=F"),
    }
    assert batch.status == ImportBatch.Status.SUCCEEDED
    assert [(e["line"], e["field"]) for e in batch.errors] == [(3, "indicator"), (5, "period")]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({0: "nope"}, "indicator", "unknown indicator 'nope'"),
        ({1: "999999"}, "location", "no place of PE has the code '999999'"),
        ({2: "14"}, "period", "'14' is not a period"),
        ({2: "2014Q5"}, "period", "'2014Q5' is not a quarter"),
        ({2: "2015-W54"}, "period", "week 54 does not exist in 2015"),
        ({2: "1850"}, "period", "year 1850 is outside 1900–2100"),
        ({3: "abc"}, "value", "'abc' is not a number"),
        ({3: "12,5"}, "value", "'12,5' is not a number (use a point as the decimal mark)"),
        ({3: ""}, "value", "the value is empty"),
        ({3: "NaN"}, "value", "'NaN' is not a finite number"),
        ({3: "-Infinity"}, "value", "'-Infinity' is not a finite number"),
        ({3: "1e20"}, "value", "'1e20' is too large"),
        ({3: "100.5"}, "value", "100.5 is not a percentage between 0 and 100"),
        ({3: "-1"}, "value", "-1 is not a percentage between 0 and 100"),
        ({4: "t-nowhere"}, "source", "unknown data source 't-nowhere'"),
        ({4: ""}, "source", "no source: add a source column"),
        ({5: "X"}, "dim:sex", "'X' is not a value of the dimension sex; known: F, M"),
        (
            {0: "t-births", 5: "F"},
            "dim:sex",
            "indicator t-births is not disaggregated by sex (accepted: none)",
        ),
    ],
)
def test_each_bad_value_is_refused_with_its_line_field_and_reason(
    catalogue, tmp_path, change, field, message
) -> None:
    row = list(GOOD_ROWS[0])
    for index, text in change.items():
        row[index] = text
    path = write_csv(tmp_path / "one.csv", [GOOD_ROWS[4], row])
    _, result = run_import(format="csv", path=path, atomic=False)
    assert result.rejected == 1 and result.created == 1
    [error] = result.errors
    assert (error.line, error.field) == (3, field)
    assert message in error.message


def test_bounds_must_surround_the_value(catalogue, tmp_path) -> None:
    header = ["indicator", "location", "period", "value", "lower", "upper", "source"]
    rows = [
        ["t-stunting", "03", "2014", "38", "35", "41", "t-endes-2014"],
        ["t-stunting", "04", "2014", "38", "39", "", "t-endes-2014"],
        ["t-stunting", "05", "2014", "38", "", "37", "t-endes-2014"],
    ]
    _, result = run_import(
        format="csv", path=write_csv(tmp_path / "b.csv", rows, header), atomic=False
    )
    assert [(e.line, e.field) for e in result.errors] == [(3, "lower"), (4, "upper")]
    value = DataValue.objects.get()
    assert (value.lower, value.upper) == (Decimal(35), Decimal(41))


def test_a_line_with_several_problems_reports_each(catalogue, tmp_path) -> None:
    row = ["nope", "999999", "2014", "abc", "t-endes-2014", "", ""]
    _, result = run_import(format="csv", path=write_csv(tmp_path / "x.csv", [row]), atomic=False)
    assert result.rejected == 1
    assert [e.field for e in result.errors] == ["indicator", "location", "value"]


def test_the_same_key_twice_in_a_file_refuses_the_later_line(catalogue, tmp_path) -> None:
    rows = [GOOD_ROWS[0], GOOD_ROWS[1], [*GOOD_ROWS[0][:3], "12", *GOOD_ROWS[0][4:]]]
    _, result = run_import(
        format="csv", path=write_csv(tmp_path / "d.csv", rows), atomic=False, chunk_size=2
    )
    [error] = result.errors
    assert (error.line, error.field) == (4, "key")
    assert error.message == ("same indicator, place, period, disaggregation and source as line 2")
    assert DataValue.objects.get(disaggregation="").value == Decimal("38.5")


def test_the_same_place_and_period_from_two_sources_are_two_values(catalogue, tmp_path) -> None:
    rows = [GOOD_ROWS[0], [*GOOD_ROWS[0][:4], "t-sien", "", ""]]
    _, result = run_import(format="csv", path=write_csv(tmp_path / "s.csv", rows))
    assert result.created == 2


def test_iso_3166_2_codes_name_departments(catalogue, tmp_path) -> None:
    header = ["indicator", "location", "location_system", "period", "value", "source"]
    rows = [
        ["t-births", "PE-APU", "iso3166-2", "2014", "10", "t-sien"],
        ["t-births", "pe-cus", "iso3166-2", "2014", "11", "t-sien"],
        ["t-births", "PE-XXX", "iso3166-2", "2014", "12", "t-sien"],
        ["t-births", "03", "ubigeo", "2014", "12", "t-sien"],
    ]
    _, result = run_import(
        format="csv", path=write_csv(tmp_path / "iso.csv", rows, header), atomic=False
    )
    assert {v.location.code for v in DataValue.objects.select_related("location")} == {"03", "08"}
    assert [(e.line, e.field) for e in result.errors] == [(4, "location"), (5, "location_system")]
    assert "ISO 3166-2 code 'PE-XXX'" in result.errors[0].message


def test_codes_of_another_system_are_found_through_indicator_codes(catalogue, tmp_path) -> None:
    header = ["indicator", "indicator_system", "location", "period", "value", "source"]
    rows = [
        ["T_NT_ANT_HAZ", "sdmx_unicef", "03", "2014", "38.5", "t-endes-2014"],
        ["T_NT_ANT_HAZ", "dhis2", "03", "2015", "38.5", "t-endes-2014"],
        ["T_NT_ANT_HAZ", "klingon", "03", "2016", "38.5", "t-endes-2014"],
    ]
    _, result = run_import(
        format="csv", path=write_csv(tmp_path / "codes.csv", rows, header), atomic=False
    )
    assert DataValue.objects.get().indicator == catalogue["stunting"]
    assert [(e.line, e.field) for e in result.errors] == [(3, "indicator"), (4, "indicator_system")]
    assert "no indicator has the dhis2 code 'T_NT_ANT_HAZ'" in result.errors[0].message


def test_the_mapping_translates_indicator_and_place_codes(catalogue, tmp_path) -> None:
    rows = [["DCI", "Apurimac", "2014", "38.5", "t-endes-2014", "", ""]]
    mapping = Mapping(indicators={"DCI": "t-stunting"}, locations={"Apurimac": "03"})
    run_import(format="csv", path=write_csv(tmp_path / "m.csv", rows), mapping=mapping)
    value = DataValue.objects.select_related("location").get()
    assert (value.indicator, value.location.code) == (catalogue["stunting"], "03")


def test_leading_zeros_dropped_by_a_spreadsheet_are_restored(catalogue, tmp_path) -> None:
    rows = [
        ["t-births", "3", "2014", "1", "t-sien", "", ""],
        ["t-births", "301", "2014", "1", "t-sien", "", ""],
        ["t-births", "30101", "2014", "1", "t-sien", "", ""],
    ]
    run_import(format="csv", path=write_csv(tmp_path / "z.csv", rows))
    codes = {v.location.code for v in DataValue.objects.select_related("location")}
    assert codes == {"03", "0301", "030101"}


def test_deleted_values_are_removed_and_missing_ones_count_as_unchanged(
    catalogue, tmp_path
) -> None:
    base = {"indicator": "t-births", "location": "15", "period": "2014", "source": "t-sien"}
    run_import(
        format="test-jsonl",
        path=write_jsonl(
            tmp_path / "a.jsonl",
            [
                {**base, "value": "10"},
                {**base, "location": "03", "value": "11"},
            ],
        ),
    )
    _, result = run_import(
        format="test-jsonl",
        path=write_jsonl(
            tmp_path / "b.jsonl",
            [
                {**base, "value": "", "delete": True},
                {**base, "location": "08", "value": "", "delete": True},
                {**base, "location": "03", "value": "11"},
            ],
        ),
    )
    assert result.counts() == {
        "read": 3,
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "deleted": 1,
        "rejected": 0,
    }
    assert [v.location.code for v in DataValue.objects.select_related("location")] == ["03"]


def test_lines_a_reader_cannot_read_are_refused_with_the_reader_message(
    catalogue, tmp_path
) -> None:
    path = write_jsonl(tmp_path / "r.jsonl", [{"error": "not an observation"}])
    with pytest.raises(ImportValuesRefused, match="line 1: not an observation"):
        run_import(format="test-jsonl", path=path)


def test_the_batch_records_who_what_and_how_it_went(catalogue, tmp_path, actor) -> None:
    path = write_csv(tmp_path / "bad.csv", BAD_ROWS)
    batch, _ = run_import(format="csv", path=path, user=actor("pablo"), atomic=False)
    batch.refresh_from_db()
    assert batch.kind == "monitoring.csv" and batch.file_name == "bad.csv"
    assert batch.created_by == actor("pablo") and batch.finished_at is not None
    assert batch.file_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert batch.file_size == path.stat().st_size
    assert batch.mode == ImportBatch.Mode.BEST_EFFORT and not batch.dry_run
    assert batch.options["country"] == "PE" and batch.options["format"] == "csv"
    assert batch.counts == {
        "read": 4,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "deleted": 0,
        "rejected": 2,
    }
    assert batch.errors[0] == {
        "line": 3,
        "field": "indicator",
        "message": "unknown indicator 't-unknown'",
        "item": "t-unknown",
    }


def test_the_country_defaults_to_the_users_office(catalogue, tmp_path, actor) -> None:
    rows = [["t-births", "02", "2014", "1", "t-sien", "", ""]]  # La Paz in Bolivia's test set
    batch, _ = run_import(
        format="csv", path=write_csv(tmp_path / "bo.csv", rows), user=actor("bruno")
    )
    assert batch.options["country"] == "BO"
    assert DataValue.objects.get().location.country.iso2 == "BO"


def test_stored_errors_are_capped_with_a_note(catalogue, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "MAX_STORED_ERRORS", 3)
    rows = [["nope", "03", str(year), "1", "t-sien", "", ""] for year in range(2000, 2010)]
    batch, result = run_import(
        format="csv", path=write_csv(tmp_path / "many.csv", rows), atomic=False
    )
    assert result.rejected == result.error_count == 10 and len(result.errors) == 3
    assert len(batch.errors) == 4
    assert batch.errors[-1]["message"] == "7 more errors not stored"


def test_the_error_report_lists_every_error_as_csv(catalogue, tmp_path) -> None:
    rows = [['=HYPERLINK("x")', "03", "2014", "1", "t-sien", "", ""], GOOD_ROWS[0]]
    batch, _ = run_import(format="csv", path=write_csv(tmp_path / "r.csv", rows), atomic=False)
    report = list(csv.reader(io.StringIO(error_report_csv(batch))))
    assert report[0] == ["line", "field", "message", "item"]
    assert report[1][:2] == ["2", "indicator"]
    assert report[1][3] == '\'=HYPERLINK("x")'  # never a formula in a spreadsheet
    assert report[1][2] == "unknown indicator '=HYPERLINK(\"x\")'"
    assert len(report) == 2


def test_values_changed_is_sent_once_after_commit(
    catalogue, tmp_path, django_capture_on_commit_callbacks
) -> None:
    received: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        received.append(kwargs)

    values_changed.connect(receiver)
    try:
        path = write_csv(tmp_path / "values.csv", GOOD_ROWS)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            batch, _ = run_import(format="csv", path=path, chunk_size=2)
        assert len(callbacks) == 1
        assert received == [
            {
                "signal": values_changed,
                "pairs": {(catalogue["stunting"].pk, 2014), (catalogue["births"].pk, 2015)},
                "batch": batch,
            }
        ]
        # A run that changes nothing still tells (with no pairs), so that the store catches
        # up on what a stopped process left; a dry run does not.
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            again, _ = run_import(format="csv", path=path)  # all unchanged
            run_import(format="csv", path=path, dry_run=True)
        assert len(callbacks) == 1
        assert received[1:] == [{"signal": values_changed, "pairs": set(), "batch": again}]
    finally:
        values_changed.disconnect(receiver)


def test_progress_is_reported_after_each_chunk(catalogue, tmp_path) -> None:
    seen: list[int] = []
    path = write_csv(tmp_path / "values.csv", GOOD_ROWS)
    run_import(format="csv", path=path, chunk_size=4, progress=seen.append)
    assert seen == [4, 6]


def _rows(count: int) -> list[list[str]]:
    districts = ["150101", "150102", "150103", "150104", "150105", "150106"]
    return [
        ["t-births", districts[i % 6], f"{2000 + i // 6}", str(i), "t-sien", "", ""]
        for i in range(count)
    ]


def test_queries_grow_by_a_constant_per_chunk(catalogue, tmp_path, django_assert_max_num_queries):
    path = write_csv(tmp_path / "q.csv", _rows(60))
    counts = []
    for chunk_size in (60, 30, 20):
        DataValue.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            run_import(format="csv", path=path, chunk_size=chunk_size)
        counts.append(len(queries))
    one, two, three = counts
    assert two - one == three - two <= 2  # one look-up, one insert per chunk
    DataValue.objects.all().delete()
    with django_assert_max_num_queries(16):
        run_import(format="csv", path=path, chunk_size=60)


def test_an_oversize_file_is_refused_before_reading(catalogue, tmp_path, settings) -> None:
    settings.AYNI_MAX_IMPORT_BYTES = 100
    path = write_csv(tmp_path / "big.csv", GOOD_ROWS)
    with pytest.raises(ImportRefused, match=r"big.csv: the file is \d+ bytes, above the limit"):
        run_import(format="csv", path=path)
    # Recorded, failed, without being read (not even to hash it).
    batch = ImportBatch.objects.get(file_name="big.csv")
    assert batch.status == ImportBatch.Status.FAILED and "above the limit" in batch.message
    assert batch.file_sha256 == "" and batch.file_size == path.stat().st_size


def test_an_unknown_format_is_refused_naming_the_known_ones(catalogue, tmp_path) -> None:
    path = write_csv(tmp_path / "v.csv", GOOD_ROWS)
    with pytest.raises(ImportRefused, match=r"unknown format 'ods'; known formats: .*csv.*xlsx"):
        run_import(format="ods", path=path)


def test_an_empty_or_missing_file_is_refused(catalogue, tmp_path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(ImportRefused, match=r"empty.csv: the file is empty"):
        run_import(format="csv", path=tmp_path / "empty.csv")
    with pytest.raises(ImportRefused, match="no such file"):
        run_import(format="csv", path=tmp_path / "missing.csv")
    header_only = write_csv(tmp_path / "header.csv", [])
    with pytest.raises(ImportRefused, match=r"header.csv: no values found"):
        run_import(format="csv", path=header_only)


def test_a_mapping_file_with_a_json_error_is_refused_with_its_position(tmp_path) -> None:
    path = tmp_path / "mapping.json"
    path.write_text('{"columns": {"value": "valor",}}', encoding="utf-8")
    with pytest.raises(
        ImportRefused,
        match=r"mapping.json: not valid JSON at line 1, column 31: Expecting property name",
    ):
        load_mapping(path)
    path.write_text('{"colums": {}}', encoding="utf-8")
    with pytest.raises(ImportRefused, match=r"mapping.json: .*unknown key\(s\) colums"):
        load_mapping(path)
    path.write_text('{"columns": {"value": 3}}', encoding="utf-8")
    with pytest.raises(ImportRefused, match=r"mapping.json: 'columns' must be an object of texts"):
        load_mapping(path)


def test_a_mapping_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "mapping.json"
    path.write_text(
        '{"columns": {"value": "valor"}, "dimension_values": {"area": {"Rural": "rural"}},'
        ' "constants": {"source": "t-sien"}}',
        encoding="utf-8",
    )
    mapping = load_mapping(path)
    assert mapping.columns == {"value": "valor"}
    assert mapping.dimension_values == {"area": {"Rural": "rural"}}
    assert mapping.constants == {"source": "t-sien"}


@pytest.mark.parametrize(
    "fields",
    [
        {"value": "38.5"},
        {"value": "38.5", "dimensions": {"sex": "F", "area": "rural"}},
        {"value": "38.5", "lower": "35", "upper": "41.25", "flags": " E "},
        {"value": "120", "numerator": "3", "denominator": "7.0000004"},
        {"value": "101"},  # not a percentage
        {"value": "38", "lower": "39"},  # lower bound above the value
        {"value": "1e15"},  # too large
        {"value": "NaN"},
        {"value": "38.5", "flags": "x" * 40},  # flags too long
        {"value": "38.5", "dimensions": {"sex": "X"}},  # unknown dimension value
    ],
)
def test_the_fast_path_resolves_as_the_full_path(catalogue, fields) -> None:
    from ayni.geography.models import Country
    from ayni.monitoring.imports.base import ParsedValue
    from ayni.monitoring.imports.resolve import Resolver

    resolver = Resolver(Country.objects.get(iso2="PE"), Mapping())
    item = ParsedValue(
        line=3,
        indicator="t-stunting",
        location="03",
        period="2014",
        source="t-endes-2014",
        **fields,
    )
    full = resolver.resolve_fully(item)
    # The first resolution fills the caches; the second takes the fast path where it can.
    assert resolver.resolve(item) == full
    assert resolver.resolve(item) == full


def test_a_pair_stored_before_the_run_is_compared_and_a_new_pair_is_not(
    catalogue, tmp_path
) -> None:
    # 2014 of t-births is stored before the run: its rows are looked up (one unchanged, one
    # updated); 2015 holds nothing yet: its rows are new without a look-up.
    first = write_csv(
        tmp_path / "a.csv",
        [
            ["t-births", "15", "2014", "1", "t-sien", "", ""],
            ["t-births", "03", "2014", "2", "t-sien", "", ""],
        ],
    )
    run_import(format="csv", path=first)
    second = write_csv(
        tmp_path / "b.csv",
        [
            ["t-births", "15", "2014", "1", "t-sien", "", ""],
            ["t-births", "03", "2014", "5", "t-sien", "", ""],
            ["t-births", "15", "2015", "3", "t-sien", "", ""],
            ["t-births", "03", "2015", "4", "t-sien", "", ""],
        ],
    )
    _, result = run_import(format="csv", path=second, chunk_size=1)
    assert (result.created, result.updated, result.unchanged) == (2, 1, 1)
    _, again = run_import(format="csv", path=second, chunk_size=3)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert DataValue.objects.filter(indicator__code="t-births").count() == 4


def test_every_column_is_written_as_read_back(catalogue, tmp_path) -> None:
    # On PostgreSQL new values go through COPY in text format: tabs, backslashes and
    # newlines in texts, missing and present optional numbers must all come back as written.
    path = write_csv(
        tmp_path / "v.csv",
        [
            [
                "t-stunting",
                "03",
                "2014Q3",
                "38.5",
                "35",
                "",
                "7",
                "20",
                "a\tb\\c\nd",
                "F",
                "t-sien",
            ],
            ["t-births", "15", "2015-03", "-0.0000004", "", "", "", "", "", "", "t-sien"],
        ],
        header=[
            "indicator",
            "location",
            "period",
            "value",
            "lower",
            "upper",
            "numerator",
            "denominator",
            "flags",
            "dim:sex",
            "source",
        ],
    )
    batch, result = run_import(format="csv", path=path)
    assert result.created == 2
    rows = {
        v.indicator.code: (
            v.period_type,
            v.period,
            v.year,
            v.disaggregation,
            v.value,
            v.lower,
            v.upper,
            v.numerator,
            v.denominator,
            v.flags,
            v.import_batch_id,
            v.is_illustrative,
        )
        for v in DataValue.objects.select_related("indicator")
    }
    assert rows == {
        "t-stunting": (
            "Q",
            "2014Q3",
            2014,
            "sex=F",
            Decimal("38.5"),
            Decimal("35"),
            None,
            Decimal("7"),
            Decimal("20"),
            "a\tb\\c\nd",
            batch.pk,
            False,
        ),
        "t-births": (
            "M",
            "2015-03",
            2015,
            "",
            Decimal("0"),
            None,
            None,
            None,
            None,
            "",
            batch.pk,
            False,
        ),
    }


def test_a_write_refused_by_the_database_refuses_the_run(catalogue, tmp_path, monkeypatch) -> None:
    # As if another import had stored a key between the look-up and the write: the unique
    # constraint refuses the insert (on PostgreSQL in the background COPY), and the run is
    # refused with nothing of it written.
    from ayni.monitoring.imports import write

    run_import(format="csv", path=write_csv(tmp_path / "a.csv", GOOD_ROWS[:1]))
    monkeypatch.setattr(write, "_pairs_stored", lambda pairs: set())
    path = write_csv(tmp_path / "b.csv", GOOD_ROWS)
    with pytest.raises(ImportRefused, match="the database refused the values, nothing written"):
        run_import(format="csv", path=path, chunk_size=2)
    assert DataValue.objects.count() == 1


def test_threads_take_short_turns_only_while_a_background_copy_runs(catalogue, tmp_path) -> None:
    import sys

    from ayni.core.database import copy_supported

    before = sys.getswitchinterval()
    during: list[float] = []
    path = write_csv(tmp_path / "v.csv", GOOD_ROWS)
    run_import(
        format="csv",
        path=path,
        chunk_size=2,
        progress=lambda done: during.append(sys.getswitchinterval()),
    )
    assert sys.getswitchinterval() == before
    # On PostgreSQL the COPY runs on a second thread, which needs short turns (Python keeps
    # the interval in microseconds: 0.0001 reads back as 9.999…e-05).
    expected = 0.0001 if copy_supported() else before
    assert during and all(abs(turn - expected) < 1e-6 for turn in during)
