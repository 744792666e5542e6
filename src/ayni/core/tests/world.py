"""The shared test world: Peru loaded, two country offices, one named user per role.

Actors (named so a test reads as a sentence):
- ana: administrator of the Peru office        - bruno: administrator of the Bolivia office
- pablo: programme manager (Peru)              - rosa: regional focal point for Apurímac (03)
- pia: partner focal point for Plan International (Peru)
- carlos: partner focal point for CARE (Peru)  - diego: donor viewer for CIDA (Peru)
- paula: public user                            - root: superuser
"""

from __future__ import annotations

from typing import Any

from ayni.accounts.models import CountryOffice, User
from ayni.core.roles import Role
from ayni.geography.models import AdminLevel, Country, Location
from ayni.geography.services import geography_load_peru
from ayni.partners.models import Organisation

PASSWORD = "correct horse battery staple 42"


def _make_bolivia() -> Country:
    """A small second country: the country itself (its national place, as Peru's ``PE``) and
    two departments whose codes are also Peru's (02 Áncash, 07 Callao), so that a test shows
    which country a code was read in."""
    country = Country.objects.create(iso2="BO", iso3="BOL", name_es="Bolivia", name_en="Bolivia")
    national_level = AdminLevel.objects.create(
        country=country, depth=0, slug="country", name_es="País", name_en="Country"
    )
    level = AdminLevel.objects.create(
        country=country,
        depth=1,
        slug="department",
        name_es="Departamento",
        name_en="Department",
        code_length=2,
    )
    national = Location.objects.create(
        country=country, level=national_level, code="BO", name="Bolivia"
    )
    for code, name in [("02", "La Paz"), ("07", "Santa Cruz")]:
        Location.objects.create(country=country, level=level, parent=national, code=code, name=name)
    return country


def build_world() -> None:
    geography_load_peru()
    peru = CountryOffice.objects.create(
        code="peru",
        name_es="UNICEF Perú",
        name_en="UNICEF Peru",
        country=Country.objects.get(iso2="PE"),
    )
    bolivia = CountryOffice.objects.create(
        code="bolivia", name_es="UNICEF Bolivia", name_en="UNICEF Bolivia", country=_make_bolivia()
    )
    orgs = {
        acronym: Organisation.objects.create(
            country_office=office, name=name, acronym=acronym, type=kind
        )
        for office, name, acronym, kind in [
            (peru, "Plan International", "PLAN", Organisation.Type.NGO),
            (peru, "CARE Perú", "CARE", Organisation.Type.NGO),
            (
                peru,
                "Canadian International Development Agency",
                "CIDA",
                Organisation.Type.BILATERAL_DONOR,
            ),
            (bolivia, "Save the Children Bolivia", "SCB", Organisation.Type.NGO),
        ]
    }

    def user(name: str, role: Role, office: CountryOffice | None, **extra: Any) -> User:
        return User.objects.create_user(
            username=name, password=PASSWORD, role=role, country_office=office, **extra
        )

    user("ana", Role.ADMINISTRATOR, peru)
    user("bruno", Role.ADMINISTRATOR, bolivia)
    user("pablo", Role.PROGRAMME_MANAGER, peru)
    rosa = user("rosa", Role.REGIONAL_FOCAL_POINT, peru)
    rosa.locations.set([Location.objects.get(country__iso2="PE", code="03")])
    user("pia", Role.PARTNER_FOCAL_POINT, peru, organisation=orgs["PLAN"])
    user("carlos", Role.PARTNER_FOCAL_POINT, peru, organisation=orgs["CARE"])
    user("diego", Role.DONOR_VIEWER, peru, organisation=orgs["CIDA"])
    user("paula", Role.PUBLIC, None)
    User.objects.create_superuser(username="root", password=PASSWORD, email="")


def make_programme(office_code: str = "peru", code: str = "test-cp") -> Any:
    """A small programme for tests: two components, each with an output and two activities.

    Codes: C1, C1.1, C1.1.1, C1.1.2, C2, C2.1, C2.1.1, C2.1.2. Years 2012–2016, USD.
    """
    from decimal import Decimal

    from ayni.programmes.models import CountryProgramme, Result
    from ayni.programmes.services import result_create

    office = CountryOffice.objects.get(code=office_code)
    programme = CountryProgramme.objects.create(
        country_office=office,
        code=code,
        title_es="Programme de prueba",
        title_en="Test programme",
        country=office.country,
        start_year=2012,
        end_year=2016,
        planned_total=Decimal("1000000.00"),
        currency="USD",
    )
    for c in (1, 2):
        component = result_create(
            programme=programme,
            parent=None,
            level=Result.Level.COMPONENT,
            code=f"C{c}",
            title_es=f"Componente {c}",
            title_en=f"Component {c}",
        )
        output = result_create(
            programme=programme,
            parent=component,
            level=Result.Level.OUTPUT,
            code=f"C{c}.1",
            title_es=f"Producto {c}.1",
            title_en=f"Output {c}.1",
        )
        for a in (1, 2):
            result_create(
                programme=programme,
                parent=output,
                level=Result.Level.ACTIVITY,
                code=f"C{c}.1.{a}",
                title_es=f"Actividad {c}.1.{a}",
                title_en=f"Activity {c}.1.{a}",
            )
    return programme
