"""Load the default programme: the cited facts of ``facts`` plus illustrative records.

Everything not in ``facts`` is marked ``is_illustrative=True`` and says so in the UI:
outputs and activities, the budget split by result, year and funding type, grants,
allocations, expenditures, exchange rates, agreements and workplans. The split is chosen so
that the records add up to the cited totals: US$47,150,000 planned and 37% (US$17,445,500)
funded. Loading is idempotent: a programme already loaded is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from ayni.accounts.models import CountryOffice
from ayni.demo import facts, records
from ayni.finance import services as finance
from ayni.geography.models import Location, Zone
from ayni.partners.models import Organisation
from ayni.programmes.models import (
    Approach,
    CountryProgramme,
    FocusPopulation,
    Framework,
    FrameworkGoal,
    Result,
)
from ayni.programmes.services import result_create

ILLUSTRATIVE = records.ILLUSTRATIVE

# Illustrative split of the budget: share of each component, and the RR share of each line.
COMPONENT_SHARE = {
    "C1": Decimal("0.35"),
    "C2": Decimal("0.30"),
    "C3": Decimal("0.20"),
    "C4": Decimal("0.15"),
}
RR_SHARE = Decimal("0.20")
PLANNED_TOTAL = Decimal(str(facts.PROGRAMME["planned_total"]))

# Illustrative outputs: code, es, en, DAC sector, goal codes, zone codes, interculturality
OUTPUTS = [
    (
        "C1.1",
        "Nutrición y anemia en la primera infancia",
        "Early childhood nutrition and anaemia",
        "12240",
        ["pnaia-2012-2021:M1", "mdg:ODM1", "crc:Art. 24"],
        ["mmn-pilot-2009-2011"],
        True,
    ),
    (
        "C1.2",
        "Salud materna y neonatal",
        "Maternal and newborn health",
        "12220",
        ["pnaia-2012-2021:OE1", "mdg:ODM4", "mdg:ODM5"],
        ["assisted-andean-regions-2013"],
        False,
    ),
    (
        "C2.1",
        "Educación intercultural bilingüe",
        "Intercultural bilingual education",
        "11220",
        ["acuerdo-nacional:P12", "mdg:ODM2", "crc:Art. 28"],
        ["cida-education-regions"],
        True,
    ),
    (
        "C2.2",
        "Educación inicial",
        "Initial (early childhood) education",
        "11240",
        ["pnaia-2012-2021:M2", "acuerdo-nacional:P12"],
        [],
        False,
    ),
    (
        "C3.1",
        "Registro de nacimiento e identidad",
        "Birth registration and identity",
        "15160",
        ["crc:Art. 7", "plan-bicentenario:E1"],
        [],
        False,
    ),
    (
        "C3.2",
        "Prevención de la violencia contra la niñez",
        "Preventing violence against children",
        "15160",
        ["pnaia-2012-2021:M6", "acuerdo-nacional:P16", "crc:Art. 19"],
        ["assisted-andean-regions-2013"],
        False,
    ),
    (
        "C4.1",
        "Inversión pública en la infancia",
        "Public investment in children",
        "15110",
        ["plan-bicentenario:E3"],
        [],
        False,
    ),
    (
        "C4.2",
        "Gestión del conocimiento y comunicación",
        "Knowledge management and communication",
        "15110",
        ["plan-bicentenario:E2"],
        [],
        False,
    ),
]
ACTIVITIES = [
    (
        "C1.1.1",
        "C1.1",
        "Suplementación con multimicronutrientes en los servicios de salud",
        "Multi-micronutrient supplementation through health services",
    ),
    (
        "C2.1.1",
        "C2.1",
        "Materiales y formación docente EIB en la Amazonía",
        "IBE teaching materials and teacher training in the Amazon",
    ),
    (
        "C3.1.1",
        "C3.1",
        "Registro de nacimientos en comunidades rurales",
        "Birth registration in rural communities",
    ),
    (
        "C4.1.1",
        "C4.1",
        "Seguimiento concertado a los acuerdos de gobernabilidad",
        "Joint follow-up of the regional governance agreements",
    ),
]


@dataclass
class DemoSummary:
    created: bool
    programme: CountryProgramme


def _cents_split(total: Decimal, parts: int) -> list[Decimal]:
    """Split ``total`` into ``parts`` amounts to the cent whose sum is exactly ``total``."""
    cents = int(total * 100)
    base, rest = divmod(cents, parts)
    return [Decimal(base + (1 if i < rest else 0)) / 100 for i in range(parts)]


@transaction.atomic
def load_default_programme(office: CountryOffice) -> DemoSummary:
    existing = CountryProgramme.objects.filter(
        country_office=office, code=facts.PROGRAMME["code"]
    ).first()
    if existing:
        return DemoSummary(created=False, programme=existing)
    programme = CountryProgramme.objects.create(
        country_office=office, country=office.country, **facts.PROGRAMME
    )
    approaches = _reference(Approach, facts.APPROACHES)
    populations = _reference(FocusPopulation, facts.FOCUS_POPULATIONS, source=facts.ABOUT)
    goals = _frameworks()
    zones = _focus_zones(office)
    orgs = _organisations(office)
    results = _results(programme, approaches, populations, goals, zones)
    _finance(programme, results, orgs)
    records.agreements(office, programme, results, orgs)
    records.workplan(programme, results)
    records.studies(office, programme, orgs)
    return DemoSummary(created=True, programme=programme)


def _reference(model: Any, rows: list[tuple[str, str, str]], source: str = "") -> dict[str, Any]:
    out = {}
    for code, name_es, name_en in rows:
        defaults = {"name_es": name_es, "name_en": name_en}
        if source:
            defaults["source"] = source
        out[code], _ = model.objects.update_or_create(code=code, defaults=defaults)
    return out


def _frameworks() -> dict[str, FrameworkGoal]:
    goals = {}
    for code, kind, name_es, name_en, source, framework_goals in facts.FRAMEWORKS:
        framework, _ = Framework.objects.update_or_create(
            code=code,
            defaults={"kind": kind, "name_es": name_es, "name_en": name_en, "source": source},
        )
        for goal_code, title_es, title_en, goal_source, illustrative in framework_goals:
            goal, _ = FrameworkGoal.objects.update_or_create(
                framework=framework,
                code=goal_code,
                defaults={
                    "title_es": title_es,
                    "title_en": title_en,
                    "source": goal_source or (ILLUSTRATIVE if illustrative else source),
                    "is_illustrative": illustrative,
                },
            )
            goals[f"{code}:{goal_code}"] = goal
    return goals


def _focus_zones(office: CountryOffice) -> dict[str, Zone]:
    zones = {}
    for code, name_es, name_en, departments, source in facts.FOCUS_ZONES:
        zone, _ = Zone.objects.update_or_create(
            country=office.country,
            code=code,
            defaults={
                "kind": Zone.Kind.FOCUS,
                "name_es": name_es,
                "name_en": name_en,
                "source": source,
                "scheme": "UNICEF",
            },
        )
        zone.locations.set(
            Location.objects.filter(country=office.country, level__depth=1, code__in=departments)
        )
        zones[code] = zone
    return zones


def _organisations(office: CountryOffice) -> dict[str, Organisation]:
    orgs = {}
    for name, acronym, kind, source in facts.ORGANISATIONS:
        org, _ = Organisation.objects.update_or_create(
            country_office=office,
            name=name,
            defaults={"acronym": acronym, "type": kind, "source": source},
        )
        orgs[acronym or name] = org
    for name, acronym, kind, identifier in [
        ("UNICEF — recursos regulares", "UNICEF RR", "un_agency", "XM-DAC-41122"),
        ("Fondos temáticos (ilustrativo)", "THEMATIC", "un_agency", ""),
        ("Alianza corporativa (ilustrativa)", "CSR", "private_sector", ""),
        ("Donante europeo (ilustrativo)", "EU-DONOR", "bilateral_donor", ""),
    ]:
        org, _ = Organisation.objects.update_or_create(
            country_office=office,
            name=name,
            defaults={
                "acronym": acronym,
                "type": kind,
                "iati_identifier": identifier,
                # UNICEF's regular resources are real (the programme document budgets them
                # apart from other resources); the other donors are invented for the demo.
                "source": facts.CPD if acronym == "UNICEF RR" else ILLUSTRATIVE,
                "is_illustrative": acronym != "UNICEF RR",
            },
        )
        orgs[acronym] = org
    return orgs


def _results(
    programme: CountryProgramme,
    approaches: dict[str, Approach],
    populations: dict[str, FocusPopulation],
    goals: dict[str, FrameworkGoal],
    zones: dict[str, Zone],
) -> dict[str, Result]:
    results: dict[str, Result] = {}
    for code, title_es, title_en in facts.COMPONENTS:
        results[code] = result_create(
            programme=programme,
            parent=None,
            level=Result.Level.COMPONENT,
            code=code,
            title_es=title_es,
            title_en=title_en,
            source=facts.ABOUT,
            approaches=list(approaches.values()),
            focus_populations=list(populations.values()),
        )
    for code, title_es, title_en, sector, goal_codes, zone_codes, intercultural in OUTPUTS:
        results[code] = result_create(
            programme=programme,
            parent=results[code.split(".")[0]],
            level=Result.Level.OUTPUT,
            code=code,
            title_es=title_es,
            title_en=title_en,
            sector_code=sector,
            interculturality_marker=intercultural,
            gender_marker=Result.GenderMarker.SIGNIFICANT,
            is_illustrative=True,
            source=ILLUSTRATIVE,
            goals=[goals[g] for g in goal_codes],
            zones=[zones[z] for z in zone_codes],
        )
    for code, parent, title_es, title_en in ACTIVITIES:
        results[code] = result_create(
            programme=programme,
            parent=results[parent],
            level=Result.Level.ACTIVITY,
            code=code,
            title_es=title_es,
            title_en=title_en,
            is_illustrative=True,
            source=ILLUSTRATIVE,
        )
    return results


def _finance(
    programme: CountryProgramme, results: dict[str, Result], orgs: dict[str, Organisation]
) -> None:
    types = finance.funding_types_ensure()
    for currency, rate in [("PEN", "2.60"), ("CAD", "1.25"), ("EUR", "0.80")]:
        finance.exchange_rate_set(
            currency=currency,
            date=date(2012, 1, 1),
            units_per_usd=Decimal(rate),
            source=ILLUSTRATIVE,
            is_illustrative=True,
        )
    years = list(programme.years)
    rr_lines: list[tuple[Result, int, Decimal]] = []
    for component, share in COMPONENT_SHARE.items():
        outputs = [
            r
            for code, r in results.items()
            if code.count(".") == 1 and code.startswith(component + ".")
        ]
        per_output = _cents_split(PLANNED_TOTAL * share, len(outputs))
        for output, output_total in zip(outputs, per_output, strict=True):
            for year, amount in zip(years, _cents_split(output_total, len(years)), strict=True):
                rr = (amount * RR_SHARE).quantize(Decimal("0.01"))
                for funding_type, line_amount in (("rr", rr), ("orr", amount - rr)):
                    finance.budget_line_set(
                        result=output,
                        year=year,
                        funding_type=types[funding_type],
                        amount=line_amount,
                        currency="USD",
                        source=ILLUSTRATIVE,
                        is_illustrative=True,
                    )
                rr_lines.append((output, year, rr))

    def grant(
        donor_key: str, reference: str, amount: str, currency: str, funding_type: str, **kwargs: Any
    ) -> Any:
        donor = finance.donor_ensure(
            organisation=orgs[donor_key], code=donor_key.lower().replace(" ", "-")
        )
        return finance.grant_create(
            programme=programme,
            donor=donor,
            reference=reference,
            amount=Decimal(amount),
            currency=currency,
            funding_type=types[funding_type],
            source=ILLUSTRATIVE,
            is_illustrative=True,
            **kwargs,
        )

    signed = {
        "stage": "signed",
        "signed_date": date(2012, 2, 15),
        "start_date": date(2012, 1, 1),
        "expiry_date": date(2016, 12, 31),
    }
    rr_grant = grant(
        "UNICEF RR",
        "RR-2012-2016",
        str(sum((a for _, _, a in rr_lines), Decimal(0))),
        "USD",
        "rr",
        **signed,
    )
    for output, year, amount in rr_lines:
        finance.allocation_create(
            grant=rr_grant,
            result=output,
            year=year,
            amount=amount,
            date=date(year, 1, 15),
            is_illustrative=True,
        )
    cida = grant(
        "CIDA",
        "CIDA-EIB-2012",
        "5000000.00",
        "CAD",
        "orr",
        earmark="result",
        earmarked_result=results["C2.1"],
        title="Basic education (illustrative share)",
        **signed,
    )
    for year in years:
        finance.allocation_create(
            grant=cida,
            result=results["C2.1"],
            year=year,
            amount=Decimal("1000000.00"),
            date=date(year, 2, 1),
            is_illustrative=True,
        )
    thematic = grant(
        "THEMATIC",
        "TH-NUT-2012",
        "3000000.00",
        "USD",
        "orr",
        earmark="component",
        earmarked_result=results["C1"],
        **signed,
    )
    for year in (2012, 2013, 2014):
        finance.allocation_create(
            grant=thematic,
            result=results["C1.1"],
            year=year,
            amount=Decimal("1000000.00"),
            date=date(year, 3, 1),
            is_illustrative=True,
        )
    csr = grant(
        "CSR",
        "CSR-ID-2013",
        "2640300.00",
        "PEN",
        "orr",
        earmark="result",
        earmarked_result=results["C3.1"],
        **signed,
    )
    finance.allocation_create(
        grant=csr,
        result=results["C3.1"],
        year=2013,
        amount=Decimal("2640300.00"),
        date=date(2013, 4, 1),
        is_illustrative=True,
    )
    grant(
        "EU-DONOR",
        "EU-PROT-2015",
        "2000000.00",
        "EUR",
        "orr",
        stage="pipeline",
        probability=50,
        earmark="component",
        earmarked_result=results["C3"],
    )
    _expenditures(programme)


def _expenditures(programme: CountryProgramme) -> None:
    """Illustrative spending: 90% of each year's funding up to 2015, 40% in 2016."""
    from ayni.finance.models import Allocation

    for allocation in Allocation.objects.filter(grant__programme=programme).select_related(
        "grant", "result"
    ):
        share = Decimal("0.40") if allocation.year == 2016 else Decimal("0.90")
        amount = (allocation.amount * share).quantize(Decimal("0.01"))
        finance.expenditure_record(
            result=allocation.result,
            grant=allocation.grant,
            year=allocation.year,
            date=date(allocation.year, 9, 30),
            amount=amount,
            currency=allocation.grant.currency,
            description=ILLUSTRATIVE,
            is_illustrative=True,
        )
