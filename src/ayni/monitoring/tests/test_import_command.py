"""``ayni import`` and ``ayni import-errors`` on the command line."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ayni.core.models import ImportBatch
from ayni.monitoring.models import DataValue
from ayni.monitoring.tests.importing import GOOD_ROWS, make_catalogue, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db: None) -> dict[str, Any]:
    return make_catalogue()


def run(*args: Any) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_and_prints_the_counts(catalogue, tmp_path, actor) -> None:
    path = write_csv(tmp_path / "values.csv", GOOD_ROWS)
    out, err = run("csv", path, "--user", "pablo")
    batch = ImportBatch.objects.get(file_name="values.csv")
    assert out.strip() == (
        f"6 values read: 6 created, 0 updated, 0 unchanged, 0 deleted, 0 refused "
        f"(batch {batch.pk})."
    )
    assert err == "" and DataValue.objects.count() == 6
    assert batch.created_by == actor("pablo")


def test_a_dry_run_says_nothing_was_written(catalogue, tmp_path) -> None:
    out, _ = run(
        "csv", write_csv(tmp_path / "values.csv", GOOD_ROWS), "--dry-run", "--office", "peru"
    )
    assert "6 created" in out and out.strip().endswith("Dry run: nothing written.")
    assert not DataValue.objects.exists()


def test_a_refused_file_exits_with_an_error_and_lists_the_errors(catalogue, tmp_path) -> None:
    rows = [["nope", "03", str(year), "1", "t-sien", "", ""] for year in range(1990, 2015)]
    path = write_csv(tmp_path / "bad.csv", [GOOD_ROWS[0], *rows])
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "import", "csv", str(path), "--office", "peru", stdout=io.StringIO(), stderr=err
        )
    batch = ImportBatch.objects.get(file_name="bad.csv")
    assert str(refused.value) == (
        f"bad.csv: 25 of 26 lines refused, nothing written (batch {batch.pk})."
    )
    lines = err.getvalue().splitlines()
    assert lines[0] == "line 3, indicator: unknown indicator 'nope'"
    assert len(lines) == 21
    assert lines[-1] == f"... and 5 more (ayni import-errors {batch.pk} for all)"
    assert not DataValue.objects.exists()


def test_best_effort_writes_the_good_lines_and_reports_the_bad(catalogue, tmp_path) -> None:
    rows = [GOOD_ROWS[0], ["t-stunting", "03", "2015", "abc", "t-endes-2014", "", ""]]
    out, err = run("csv", write_csv(tmp_path / "v.csv", rows), "--best-effort", "--country", "pe")
    assert "1 created" in out and "1 refused" in out
    assert err.strip() == "line 3, value: 'abc' is not a number"
    assert DataValue.objects.count() == 1


def test_atomic_and_best_effort_cannot_both_be_asked(catalogue, tmp_path) -> None:
    with pytest.raises(CommandError, match="not allowed with argument"):
        run("csv", write_csv(tmp_path / "v.csv", GOOD_ROWS), "--atomic", "--best-effort")


def test_a_mapping_file_is_used_and_a_bad_one_is_refused(catalogue, tmp_path) -> None:
    path = tmp_path / "endes.csv"
    path.write_text("region_code,year,valor\n03,2014,38.5\n", encoding="utf-8")
    mapping = tmp_path / "endes.json"
    mapping.write_text(
        '{"columns": {"location": "region_code", "period": "year", "value": "valor"},\n'
        ' "constants": {"indicator": "t-stunting", "source": "t-endes-2014"}}',
        encoding="utf-8",
    )
    out, _ = run("csv", path, "--mapping", mapping, "--office", "peru")
    assert "1 created" in out
    mapping.write_text('{"columns": {"location": "region_code"\n "period": 1}}', encoding="utf-8")
    with pytest.raises(CommandError, match=r"endes.json: not valid JSON at line 2, column 2"):
        run("csv", path, "--mapping", mapping, "--office", "peru")


def test_unknown_formats_countries_and_users_are_refused(catalogue, tmp_path) -> None:
    path = write_csv(tmp_path / "v.csv", GOOD_ROWS)
    with pytest.raises(CommandError, match="unknown format 'ods'; known formats: "):
        run("ods", path, "--office", "peru")
    with pytest.raises(CommandError, match="unknown country 'XX'"):
        run("csv", path, "--country", "XX")
    with pytest.raises(CommandError, match="unknown user 'nobody'"):
        run("csv", path, "--user", "nobody")


def test_import_errors_writes_the_report_of_a_batch(catalogue, tmp_path) -> None:
    rows = [GOOD_ROWS[0], ["t-stunting", "03", "2015", "abc", "t-endes-2014", "", ""]]
    run("csv", write_csv(tmp_path / "v.csv", rows), "--best-effort", "--office", "peru")
    batch = ImportBatch.objects.get(file_name="v.csv")
    output = tmp_path / "errors.csv"
    err = io.StringIO()
    call_command("import_errors", str(batch.pk), "--output", str(output), stderr=err)
    with output.open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["line", "field", "message", "item"],
            ["3", "value", "'abc' is not a number", "abc"],
        ]
    assert err.getvalue().strip() == f"1 error written to {output}"
    out = io.StringIO()
    call_command("import_errors", str(batch.pk), stdout=out)
    assert "'abc' is not a number" in out.getvalue()
    with pytest.raises(CommandError, match="no import batch 999999"):
        call_command("import_errors", "999999")


def test_with_two_countries_loaded_the_command_asks_which(catalogue, tmp_path) -> None:
    path = write_csv(tmp_path / "v.csv", GOOD_ROWS)
    with pytest.raises(CommandError, match=r"several countries are loaded \(BO, PE\): give --"):
        run("csv", path)
    with pytest.raises(CommandError, match="unknown office 'nowhere'; offices: bolivia, peru"):
        run("csv", path, "--office", "nowhere")
    with pytest.raises(CommandError, match="not allowed with argument"):
        run("csv", path, "--office", "peru", "--country", "PE")
    assert not DataValue.objects.exists()
    assert not ImportBatch.objects.filter(kind__startswith="monitoring.").exists()


def test_the_office_names_the_country_and_a_user_brings_their_own(catalogue, tmp_path) -> None:
    # 02 is Áncash in Peru and La Paz in Bolivia: the office decides which.
    rows = [["t-births", "02", "2014", "5", "t-sien", "", ""]]
    run("csv", write_csv(tmp_path / "bo.csv", rows), "--office", "bolivia")
    run("csv", write_csv(tmp_path / "pe.csv", rows), "--user", "pablo")
    assert sorted(DataValue.objects.values_list("location__country__iso2", "location__name")) == [
        ("BO", "La Paz"),
        ("PE", "Áncash"),
    ]


def test_a_user_cannot_import_into_another_offices_country(catalogue, tmp_path) -> None:
    path = write_csv(tmp_path / "v.csv", GOOD_ROWS)
    with pytest.raises(CommandError, match="bruno works for UNICEF Bolivia, not in PE"):
        run("csv", path, "--user", "bruno", "--office", "peru")
    assert not DataValue.objects.exists()
