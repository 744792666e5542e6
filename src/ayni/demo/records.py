"""Illustrative agreements, workplan and the cited 2011 evidence of the default programme."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ayni.accounts.models import CountryOffice
from ayni.demo import facts
from ayni.geography.models import Location
from ayni.partners import services as partners
from ayni.partners.models import Organisation
from ayni.programmes.models import CountryProgramme, Result, Workplan, WorkplanActivity

ILLUSTRATIVE = "Illustrative demo record (not a cited fact)"


def agreements(
    office: CountryOffice,
    programme: CountryProgramme,
    results: dict[str, Result],
    orgs: dict[str, Organisation],
) -> None:
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    departments = {
        loc.code: loc for loc in Location.objects.filter(country=office.country, level__depth=1)
    }
    rows = [
        (
            "PCA-2012-01",
            "pca",
            "PLAN",
            "Protección y registro de nacimientos en Cusco",
            ["C3.1", "C3.2"],
            ["08"],
            "350000.00",
            "70000.00",
            ["submit", "sign", "activate"],
        ),
        (
            "SSFA-2013-02",
            "ssfa",
            "CARE",
            "Vigilancia comunitaria de la anemia en Ayacucho",
            ["C1.1"],
            ["05"],
            "48000.00",
            "12000.00",
            ["submit", "sign", "activate", "end"],
        ),
        (
            "MOU-2012-03",
            "mou",
            "MCLCP",
            "Seguimiento concertado a los acuerdos de gobernabilidad",
            ["C4.1"],
            [],
            "120000.00",
            None,
            ["submit", "sign", "activate"],
        ),
        (
            "GWP-2014-04",
            "government_workplan",
            "GORE Apurímac",
            "Plan de trabajo con el Gobierno Regional de Apurímac",
            ["C1.1", "C2.1"],
            ["03"],
            "200000.00",
            "80000.00",
            ["submit"],
        ),
    ]
    for ref, kind, org, title, result_codes, places, unicef, partner, steps in rows:
        agreement = partners.agreement_create(
            country_office=office,
            organisation=orgs[org],
            reference=ref,
            type=kind,
            title=f"{title} (ilustrativo)",
            programme=programme,
            start_date=date(2013, 1, 1),
            end_date=date(2016, 12, 31),
            currency="USD",
            unicef_contribution=Decimal(unicef),
            partner_contribution=Decimal(partner) if partner else None,
            results=[results[c] for c in result_codes],
            locations=[departments[c] for c in places],
            is_illustrative=True,
            source=ILLUSTRATIVE,
        )
        for step in steps:
            partners.agreement_transition(
                agreement=agreement,
                transition=step,
                user=actor,
                on=date(2013, 1, 10),
                # The loader's own decision: ending an agreement asks for confirmation.
                confirm=True,
            )


def workplan(programme: CountryProgramme, results: dict[str, Result]) -> None:
    apurimac = Location.objects.get(country=programme.country, level__depth=1, code="03")
    workplan = Workplan.objects.create(
        programme=programme,
        year=2014,
        title_es="Plan de trabajo anual 2014 — Apurímac",
        title_en="Annual workplan 2014 — Apurímac",
        region=apurimac,
        status=Workplan.Status.APPROVED,
        source=ILLUSTRATIVE,
        is_illustrative=True,
    )
    activity = WorkplanActivity.objects.create(
        workplan=workplan,
        result=results["C1.1.1"],
        title_es="Capacitación a personal de salud en suplementación",
        title_en="Training health staff in supplementation",
        budget=Decimal("85000.00"),
        currency="USD",
        start_date=date(2014, 3, 1),
        end_date=date(2014, 11, 30),
    )
    activity.locations.set(
        Location.objects.filter(country=programme.country, code__in=["0301", "0302"])
    )


def studies(
    office: CountryOffice, programme: CountryProgramme, orgs: dict[str, Organisation]
) -> None:
    """The evidence of 2011 named on UNICEF Peru's "About" page: completed studies, cited."""
    from ayni.evidence.models import Study

    for kind, title_es, title_en, places, partner_keys, extra in facts.STUDIES_2011:
        study = Study.objects.create(
            country_office=office,
            programme=programme,
            kind=kind,
            title_es=title_es,
            title_en=title_en,
            year=2011,
            status=Study.Status.COMPLETED,
            source=facts.ABOUT + (f"; {extra}" if extra else ""),
        )
        study.locations.set(
            Location.objects.filter(country=office.country, level__depth=1, code__in=places)
        )
        study.partners.set([orgs[k] for k in partner_keys])
