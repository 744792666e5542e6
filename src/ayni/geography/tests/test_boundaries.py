import io
import json
from pathlib import Path

import pytest

from ayni.core.imports import ImportRefused
from ayni.core.models import ImportBatch
from ayni.core.tests.shared_data import SHARED_DATA, need
from ayni.geography.boundaries import import_boundaries
from ayni.geography.models import Country, Location

pytestmark = pytest.mark.django_db

SHARED = SHARED_DATA / "boundaries"
DEPARTMENTS = SHARED / "juaneladio-peru-geojson" / "peru_departamental_simple.geojson"
PROVINCES = SHARED / "juaneladio-peru-geojson" / "peru_provincial_simple.geojson"

SQUARE = [[[-73.0, -14.0], [-72.0, -14.0], [-72.0, -13.0], [-73.0, -13.0], [-73.0, -14.0]]]


def _feature(code: object, geometry: object = None) -> dict:
    return {
        "type": "Feature",
        "properties": {"CODE": code},
        "geometry": geometry or {"type": "Polygon", "coordinates": SQUARE},
    }


def _write(tmp_path: Path, payload: object, name: str = "b.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def _peru() -> Country:
    return Country.objects.get(iso2="PE")


def _with_boundary() -> int:
    return Location.objects.filter(boundary__isnull=False).count()


def test_real_department_file_matches_all_25() -> None:
    need(DEPARTMENTS)
    result = import_boundaries(
        path=DEPARTMENTS, country=_peru(), level="department", code_property="FIRST_IDDP"
    )
    assert (result.created, result.rejected) == (25, 0)
    assert Location.objects.filter(level__slug="department", boundary__isnull=False).count() == 25
    again = import_boundaries(
        path=DEPARTMENTS, country=_peru(), level="department", code_property="FIRST_IDDP"
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 25)


def test_real_province_file_merges_features_that_share_a_code() -> None:
    need(PROVINCES)
    result = import_boundaries(
        path=PROVINCES,
        country=_peru(),
        level="province",
        code_property="FIRST_IDPR",
        atomic=False,
    )
    piura = Location.objects.get(country__iso2="PE", code="2001")
    assert piura.boundary["type"] == "MultiPolygon"
    assert result.created >= 190


def test_dry_run_counts_but_writes_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path, {"type": "FeatureCollection", "features": [_feature("03")]})
    result = import_boundaries(
        path=path, country=_peru(), level="department", code_property="CODE", dry_run=True
    )
    assert result.created == 1
    assert _with_boundary() == 0
    batch = ImportBatch.objects.get(kind="geography.boundaries")
    assert batch.dry_run and batch.counts["created"] == 1


def test_numeric_codes_are_padded_to_the_level(tmp_path: Path) -> None:
    path = _write(tmp_path, {"type": "FeatureCollection", "features": [_feature(3)]})
    import_boundaries(path=path, country=_peru(), level="department", code_property="CODE")
    assert Location.objects.get(country__iso2="PE", code="03").boundary is not None


def test_a_code_that_matches_nothing_refuses_the_whole_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path, {"type": "FeatureCollection", "features": [_feature("03"), _feature("99")]}
    )
    with pytest.raises(ImportRefused, match=r"feature 2 \(99\), CODE: code '99' matches no"):
        import_boundaries(path=path, country=_peru(), level="department", code_property="CODE")
    assert _with_boundary() == 0
    batch = ImportBatch.objects.get(kind="geography.boundaries")
    assert batch.status == ImportBatch.Status.FAILED and "99" in batch.message


def test_best_effort_loads_the_good_features_and_reports_the_bad(tmp_path: Path) -> None:
    bad_geometry = {"type": "Point", "coordinates": [-72, -13]}
    path = _write(
        tmp_path,
        {
            "type": "FeatureCollection",
            "features": [_feature("03"), _feature("99"), _feature("05", bad_geometry)],
        },
    )
    result = import_boundaries(
        path=path, country=_peru(), level="department", code_property="CODE", atomic=False
    )
    assert result.created == 1 and result.rejected == 2
    assert [(e.line, e.field) for e in result.errors] == [(2, "CODE"), (3, "geometry")]
    assert _with_boundary() == 1


def test_unknown_level_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    path = _write(tmp_path, {"type": "FeatureCollection", "features": [_feature("03")]})
    with pytest.raises(ImportRefused, match=r"unknown level 'region'.*department, province"):
        import_boundaries(path=path, country=_peru(), level="region", code_property="CODE")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("this is not json", "not valid JSON"),
        ("[1, 2, 3]", "not GeoJSON"),
        ('{"type": "Feature", "geometry": null}', "not a GeoJSON FeatureCollection"),
        ("", "empty"),
    ],
)
def test_a_file_that_is_not_geojson_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportRefused, match=message):
        import_boundaries(path=path, country=_peru(), level="department", code_property="CODE")
    assert _with_boundary() == 0


def test_a_missing_property_names_the_feature(tmp_path: Path) -> None:
    path = _write(tmp_path, {"type": "FeatureCollection", "features": [_feature("03")]})
    with pytest.raises(ImportRefused, match=r"feature 1.*IDDP: the feature has no such property"):
        import_boundaries(path=path, country=_peru(), level="department", code_property="IDDP")


def test_an_oversize_file_is_refused_before_reading(tmp_path: Path, settings) -> None:
    settings.AYNI_MAX_IMPORT_BYTES = 10
    path = _write(tmp_path, {"type": "FeatureCollection", "features": [_feature("03")]})
    with pytest.raises(ImportRefused, match="above the limit"):
        import_boundaries(path=path, country=_peru(), level="department", code_property="CODE")


def test_command_line_reports_refusal(tmp_path: Path) -> None:
    from django.core.management import CommandError, call_command

    path = _write(tmp_path, {"type": "FeatureCollection", "features": [_feature("99")]})
    arguments = [str(path), "--level", "department", "--code-property", "CODE"]
    with pytest.raises(CommandError, match="matches no department"):
        call_command("geo_import_boundaries", *arguments, "--country", "pe")


def test_the_command_asks_which_country_when_several_are_loaded(tmp_path: Path) -> None:
    from django.core.management import CommandError, call_command

    path = _write(tmp_path, {"type": "FeatureCollection", "features": [_feature("02")]})
    arguments = [str(path), "--level", "department", "--code-property", "CODE"]
    with pytest.raises(CommandError, match=r"several countries are loaded \(BO, PE\): give --c"):
        call_command("geo_import_boundaries", *arguments)
    with pytest.raises(CommandError, match="unknown country 'XX'"):
        call_command("geo_import_boundaries", *arguments, "--country", "XX")
    call_command("geo_import_boundaries", *arguments, "--country", "BO", stdout=io.StringIO())
    # 02 is La Paz in Bolivia and Áncash in Peru: only Bolivia's has the boundary.
    assert list(
        Location.objects.filter(boundary__isnull=False).values_list("country__iso2", "name")
    ) == [("BO", "La Paz")]
