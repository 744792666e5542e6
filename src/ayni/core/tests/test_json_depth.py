"""Deeply nested JSON is refused before any parser sees it: in DHIS2 JSON imports, GeoJSON
boundaries, mapping files and API request bodies, quickly and in bounded memory."""

from __future__ import annotations

import io
import json
import random
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from ayni.core.imports import ImportRefused, JsonTooDeep, check_json_depth_stream
from ayni.core.models import ImportBatch
from ayni.geography.boundaries import import_boundaries
from ayni.geography.models import Country
from ayni.monitoring.imports.base import Mapping
from ayni.monitoring.imports.pipeline import load_mapping, run_import
from ayni.monitoring.models import DataValue

DEEP = 200_000  # ~400 KB on disk


def nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


def where(text: str, limit: int) -> tuple[int, int] | None:
    try:
        check_json_depth_stream(io.BytesIO(text.encode()), limit)
    except JsonTooDeep as exc:
        return exc.offset, exc.line
    return None


def test_the_scan_counts_brackets_outside_strings_only() -> None:
    assert where(nested(5), 5) is None
    assert where(nested(6), 5) == (5, 1)
    assert where('{"a": "[[[[[[[[{{{{", "b\\"[[[[[[": [1]}', 5) is None
    assert where('["\\\\", [[[[[1]]]]]]', 5) == (11, 1)  # the string ends after "\\"
    assert where('{\n"a":\n[[[[[[1]]]]]]}', 5) == (11, 3)


def test_strings_and_escapes_cut_across_blocks(monkeypatch) -> None:
    from ayni.core import imports

    monkeypatch.setattr(imports, "_DEPTH_BLOCK", 7)
    for text in [
        '["abcdefghij\\\\\\"klmnopq[[[[[[[[[", [[[1]]]]',
        '{"a":"' + "\\\\" * 13 + '","b":[[[[1]]]]}',
        '{"a":"' + '\\"' * 13 + '[[[","b":[[[[1]]]]}',
        '{"abcdefghijklm": "[[[[[[[[[[[[", "no escapes": "{{{{{{{{{{", "b": [[[1]]]}',
    ]:
        json.loads(text)
        assert where(text, 5) is None, text
    text = '{"x":"\\\\\\\\\\"' + "q" * 9 + '",\n "y":[[[[[[1]]]]]]}'
    assert where(text, 5) == (text.index("[[[[[") + 4, 2)


def test_the_scan_agrees_with_a_byte_by_byte_walk_on_random_json(monkeypatch) -> None:
    from ayni.core import imports

    rng = random.Random(7)
    alphabet = '[]{}"\\ab,:'

    def value(depth: int) -> object:
        kind = rng.random()
        if depth > 9 or kind < 0.3:
            return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        if kind < 0.6:
            return [value(depth + 1) for _ in range(rng.randint(0, 3))]
        return {str(value(9)): value(depth + 1) for _ in range(rng.randint(0, 3))}

    for block in (3, 7, 64):
        monkeypatch.setattr(imports, "_DEPTH_BLOCK", block)
        for _ in range(200):
            text = json.dumps(value(0), indent=rng.choice([None, 1]))
            limit = rng.randint(1, 8)
            depth, first = 0, None
            in_string = escaped = False
            for index, char in enumerate(text):
                if in_string:
                    escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
                elif char == '"':
                    in_string = True
                elif char in "[{":
                    depth += 1
                    if depth > limit and first is None:
                        first = index
                elif char in "]}":
                    depth -= 1
            expected = None if first is None else (first, text.count("\n", 0, first) + 1)
            assert where(text, limit) == expected, text


def refused_fast(run: Callable[[], object], match: str) -> None:
    """Refused within a second, then again with its memory traced (which slows it)."""
    started = time.perf_counter()
    with pytest.raises(ImportRefused, match=match):
        run()
    assert time.perf_counter() - started < 1.0
    tracemalloc.start()
    try:
        with pytest.raises(ImportRefused, match=match):
            run()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024


@pytest.mark.django_db
@pytest.mark.parametrize(
    "document",
    [
        nested(DEEP),  # at the top level
        '{"dataValues": [{"dataElement": "x", "period": "201501", "value": '
        + nested(DEEP)
        + "}]}",  # inside a value
    ],
)
def test_a_deep_dhis2_json_file_is_refused(tmp_path: Path, document: str) -> None:
    path = tmp_path / "deep.json"
    path.write_text(document)
    peru = Country.objects.get(iso2="PE")
    refused_fast(
        lambda: run_import(format="dhis2-json", path=path, mapping=Mapping(), country=peru),
        r"deep.json: refused, JSON nested deeper than 64 levels at line 1",
    )
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == ImportBatch.Status.FAILED
    assert "nested deeper than 64 levels" in batch.message
    assert not DataValue.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "document",
    [
        nested(DEEP),
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"CODE": "03"}, "geometry": {"type": "Polygon", "coordinates": ' + nested(DEEP) + "}}]}",
    ],
)
def test_a_deep_geojson_file_is_refused(tmp_path: Path, document: str) -> None:
    path = tmp_path / "deep.geojson"
    path.write_text(document)
    country = Country.objects.get(iso2="PE")
    refused_fast(
        lambda: import_boundaries(
            path=path, country=country, level="department", code_property="CODE"
        ),
        r"deep.geojson: refused, JSON nested deeper than 64 levels",
    )
    assert ImportBatch.objects.latest("pk").status == ImportBatch.Status.FAILED


def test_a_deep_mapping_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mapping.json"
    path.write_text('{"constants": ' + nested(DEEP) + "}")
    with pytest.raises(ImportRefused, match=r"mapping\.json: refused, JSON nested deeper"):
        load_mapping(path)


@pytest.mark.django_db
@pytest.mark.parametrize("document", [nested(DEEP), '{"name": ' + nested(DEEP) + "}"])
def test_a_deep_api_body_is_refused_with_400(api_for, document: str) -> None:
    started = time.perf_counter()
    response = api_for("ana").post("/api/budget-lines/", document, content_type="application/json")
    assert time.perf_counter() - started < 1.0
    assert response.status_code == 400
    # In the user's language (ana reads Spanish).
    assert "anidado a más de 64 niveles" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_a_body_within_the_limit_is_parsed_as_before(api_for) -> None:
    response = api_for("ana").post(
        "/api/budget-lines/", '{"year": [[[1]]]}', content_type="application/json"
    )
    assert response.status_code == 400
    assert "anidado" not in json.dumps(response.json())
