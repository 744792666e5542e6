from decimal import Decimal

import pytest

from ayni.core.models import ImportBatch
from ayni.geography.models import Location, Zone
from ayni.geography.services import geography_load_peru

pytestmark = pytest.mark.django_db


def _count(level: str) -> int:
    return Location.objects.filter(country__iso2="PE", level__slug=level).count()


def test_peru_has_its_departments_provinces_and_districts() -> None:
    assert _count("department") == 25
    assert _count("province") == 196
    assert _count("district") >= 1870


def test_names_keep_accents_and_codes_are_inei_ubigeo() -> None:
    apurimac = Location.objects.get(country__iso2="PE", code="03")
    assert apurimac.name == "Apurímac"
    assert apurimac.level.slug == "department"
    abancay = Location.objects.get(country__iso2="PE", code="0301")
    assert abancay.parent == apurimac
    assert Location.objects.get(country__iso2="PE", code="030101").parent == abancay


def test_departments_carry_iso_codes_capitals_and_centroids() -> None:
    apurimac = Location.objects.get(country__iso2="PE", code="03")
    assert apurimac.iso_code == "PE-APU"
    assert apurimac.capital == "Abancay"
    assert apurimac.latitude == Decimal("-13.628889")
    departments = Location.objects.filter(country__iso2="PE", level__slug="department")
    assert all(d.iso_code.startswith("PE-") for d in departments)
    assert Location.objects.get(country__iso2="PE", code="07").iso_code == "PE-CAL"
    assert Location.objects.get(country__iso2="PE", code="15").iso_code == "PE-LIM"
    assert all(d.has_centroid for d in departments)


def test_paths_put_every_district_inside_its_department() -> None:
    apurimac = Location.objects.get(country__iso2="PE", code="03")
    inside = apurimac.descendants()
    assert (
        inside.filter(level__slug="district").count()
        == Location.objects.filter(
            country__iso2="PE", level__slug="district", code__startswith="03"
        ).count()
    )
    assert not inside.filter(code__startswith="04").exists()


def test_macro_regions_of_inei_and_ceplan_are_zones() -> None:
    zones = Zone.objects.filter(country__iso2="PE", kind=Zone.Kind.MACRO_REGION)
    assert {"INEI", "CEPLAN"} <= set(zones.values_list("scheme", flat=True))
    ceplan_sur = zones.get(code="macro-ceplan-sur")
    codes = set(ceplan_sur.locations.values_list("code", flat=True))
    assert {"03", "05", "08"} <= codes  # Apurímac, Ayacucho, Cusco


def test_loading_again_changes_nothing() -> None:
    before = Location.objects.count()
    summary = geography_load_peru()
    assert (summary.created, summary.updated) == (0, 0)
    assert summary.unchanged == Location.objects.filter(country__iso2="PE").count()
    assert Location.objects.count() == before
    assert ImportBatch.objects.filter(kind="geography.peru").exists()


def test_loading_again_repairs_a_changed_name_and_keeps_the_id() -> None:
    apurimac = Location.objects.get(country__iso2="PE", code="03")
    Location.objects.filter(pk=apurimac.pk).update(name="Apurimac (typo)")
    summary = geography_load_peru()
    assert summary.updated == 1
    apurimac.refresh_from_db()
    assert apurimac.name == "Apurímac"
