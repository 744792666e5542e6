"""Indicators of the default programme, with cited values and illustrative ones.

Cited values (FACTS, each with its source) are loaded as they were published. So that pages
are alive before real data is imported, every department also gets values for 2012–2016
generated from a fixed seed around the national trajectory, and an indicator with no cited
national value gets a national series on that trajectory (for a count, the sum of the
departments): those are marked illustrative (``is_illustrative=True``, source
``illustrative-demo``) and labelled as such in the UI.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from ayni.geography.models import Country, Location
from ayni.monitoring.models import (
    DataSource,
    DataValue,
    Dimension,
    DimensionValue,
    Indicator,
    IndicatorCode,
    Target,
)

DIMENSIONS = [
    # code, es, en, [(value code, es, en)]
    ("sex", "Sexo", "Sex", [("F", "Mujeres", "Female"), ("M", "Hombres", "Male")]),
    ("area", "Área", "Area", [("urban", "Urbana", "Urban"), ("rural", "Rural", "Rural")]),
    (
        "age",
        "Grupo de edad",
        "Age group",
        [
            ("0-5", "0 a 5 años", "0–5 years"),
            ("6-11", "6 a 11 años", "6–11 years"),
            ("12-17", "12 a 17 años", "12–17 years"),
        ],
    ),
    (
        "wealth_quintile",
        "Quintil de riqueza",
        "Wealth quintile",
        [(f"Q{n}", f"Quintil {n}", f"Quintile {n}") for n in range(1, 6)],
    ),
    (
        "mother_tongue",
        "Lengua materna",
        "Mother tongue",
        [
            ("spanish", "Castellano", "Spanish"),
            ("quechua", "Quechua", "Quechua"),
            ("aymara", "Aimara", "Aymara"),
            ("amazonian", "Lengua amazónica", "Amazonian language"),
        ],
    ),
    (
        "disability",
        "Discapacidad",
        "Disability",
        [
            ("yes", "Con discapacidad", "With disability"),
            ("no", "Sin discapacidad", "Without disability"),
        ],
    ),
]

ILLUSTRATIVE_SOURCE = "illustrative-demo"

SOURCES = [
    # code, kind, es, en, publisher, year, source (its citation), illustrative
    (
        ILLUSTRATIVE_SOURCE,
        "other",
        "Valores ilustrativos de demostración",
        "Illustrative demo values",
        "Ayni",
        None,
        "Generated for the demo from a fixed seed; not real data.",
        True,
    ),
    (
        "inversionenlainfancia-1823",
        "survey",
        "ENDES, según Inversión en la Infancia",
        "ENDES, as reported by Inversión en la Infancia",
        "INEI (ENDES)",
        None,
        "https://inversionenlainfancia.net/?blog/entrada/noticia/1823",
        False,
    ),
    (
        "andina-inei-2018",
        "survey",
        "ENDES, según Andina",
        "ENDES, as reported by Andina",
        "INEI (ENDES)",
        2018,
        "https://andina.pe/agencia/seccion-economia-%202.aspx/www.pronabec.gob.pe/js/"
        "noticia-inei-desnutricion-infantil-disminuyo-53-los-ultimos-5-anos-peru-753057.aspx",
        False,
    ),
    (
        "elcomercio-endes-2016",
        "survey",
        "ENDES 2016, según El Comercio",
        "ENDES 2016, as reported by El Comercio",
        "INEI (ENDES)",
        2016,
        "https://elcomercio.pe/peru/desnutricion-infantil-continuan-elevados-niveles-anemia-"
        "427260-noticia/",
        False,
    ),
    (
        "un-igme-indexmundi",
        "modelled",
        "UN IGME, según indexmundi",
        "UN IGME, as reported by indexmundi",
        "UN IGME",
        None,
        "http://www.indexmundi.com/es/datos/per%C3%BA/indicador/SH.DYN.MORT",
        False,
    ),
    (
        "elalmamatinal-2014",
        "survey",
        "ENDES, según El Alma Matinal",
        "ENDES, as reported by El Alma Matinal",
        "INEI (ENDES)",
        2014,
        "https://elalmamatinal.blogspot.com/2014/09",
        False,
    ),
    (
        "docplayer-matricula",
        "administrative",
        "Evolución de la matrícula escolar",
        "School enrolment trends",
        "MINEDU",
        2012,
        "http://docplayer.es/8185019-Evolucion-de-la-matricula-escolar.html",
        False,
    ),
]

INDICATORS = [
    # code, es, en, unit, direction, dimensions, codes {system: code}, national trajectory
    (
        "stunting-u5",
        "Desnutrición crónica en menores de 5 años",
        "Chronic malnutrition (stunting) in children under 5",
        "percent",
        "down",
        ["sex", "area", "wealth_quintile", "mother_tongue"],
        {"sdmx_unicef": "NT_ANT_HAZ_NE2"},
        (19.5, 13.1),
    ),
    (
        "anaemia-6-35m",
        "Anemia en niñas y niños de 6 a 35 meses",
        "Anaemia in children aged 6–35 months",
        "percent",
        "down",
        ["sex", "area"],
        {},
        (44.5, 43.5),
    ),
    (
        "neonatal-mortality",
        "Tasa de mortalidad neonatal",
        "Neonatal mortality rate",
        "per_1000",
        "down",
        ["sex", "area"],
        {"sdmx_unicef": "CME_MRM0"},
        (12.5, 10.5),
    ),
    (
        "u5-mortality",
        "Tasa de mortalidad en menores de 5 años",
        "Under-five mortality rate",
        "per_1000",
        "down",
        ["sex"],
        {"sdmx_unicef": "CME_MRY0T4"},
        (17.9, 15.0),
    ),
    (
        "birth-registration-u5",
        "Nacimientos registrados en menores de 5 años",
        "Births registered, children under 5",
        "percent",
        "up",
        ["sex", "area"],
        {"sdmx_unicef": "PT_CHLD_Y0T4_REG"},
        (93.0, 97.0),
    ),
    (
        "net-enrolment-initial",
        "Tasa neta de matrícula en educación inicial (3 a 5 años)",
        "Net enrolment rate, initial education (ages 3–5)",
        "percent",
        "up",
        ["sex", "area"],
        {},
        (73.5, 86.0),
    ),
    (
        "ibe-schools-children",
        "Niñas y niños en escuelas de educación intercultural bilingüe",
        "Children in intercultural bilingual schools",
        "number",
        "up",
        ["sex", "mother_tongue"],
        {},
        (None, None),
    ),
]

# Cited values (FACTS §5), national unless a department code is given:
# indicator, place, year, value, source, disaggregation
FACT_VALUES = [
    ("stunting-u5", "PE", 2011, "19.5", "inversionenlainfancia-1823", ""),
    ("stunting-u5", "PE", 2012, "18.1", "inversionenlainfancia-1823", ""),
    ("stunting-u5", "PE", 2013, "17.5", "andina-inei-2018", ""),
    ("stunting-u5", "PE", 2018, "12.2", "andina-inei-2018", ""),
    ("stunting-u5", "PE", 2016, "13.1", "elcomercio-endes-2016", ""),
    ("stunting-u5", "PE", 2016, "7.9", "elcomercio-endes-2016", "area=urban"),
    ("stunting-u5", "PE", 2016, "26.5", "elcomercio-endes-2016", "area=rural"),
    ("stunting-u5", "09", 2016, "33.4", "elcomercio-endes-2016", ""),
    ("stunting-u5", "06", 2016, "26", "elcomercio-endes-2016", ""),
    ("anaemia-6-35m", "PE", 2012, "44.5", "elalmamatinal-2014", ""),
    ("anaemia-6-35m", "PE", 2013, "46.4", "elalmamatinal-2014", ""),
    ("u5-mortality", "PE", 2011, "18.8", "un-igme-indexmundi", ""),
    ("u5-mortality", "PE", 2012, "17.9", "un-igme-indexmundi", ""),
    ("u5-mortality", "PE", 2013, "17.1", "un-igme-indexmundi", ""),
    ("u5-mortality", "PE", 2014, "16.4", "un-igme-indexmundi", ""),
    ("u5-mortality", "PE", 2015, "15.7", "un-igme-indexmundi", ""),
    ("u5-mortality", "PE", 2016, "15.0", "un-igme-indexmundi", ""),
    ("net-enrolment-initial", "PE", 2012, "73.5", "docplayer-matricula", ""),
]

YEARS = range(2012, 2017)
SEED = 2012


@dataclass
class MonitoringDemoSummary:
    indicators: int
    values: int


def dimensions_ensure() -> dict[str, Dimension]:
    dimensions = {}
    for position, (code, name_es, name_en, values) in enumerate(DIMENSIONS):
        dimension, _ = Dimension.objects.update_or_create(
            code=code, defaults={"name_es": name_es, "name_en": name_en, "position": position}
        )
        for value_position, (value_code, value_es, value_en) in enumerate(values):
            DimensionValue.objects.update_or_create(
                dimension=dimension,
                code=value_code,
                defaults={"name_es": value_es, "name_en": value_en, "position": value_position},
            )
        dimensions[code] = dimension
    return dimensions


@transaction.atomic
def load_demo_indicators(country: Country) -> MonitoringDemoSummary:
    """Load the indicators, cited values, and illustrative values for every department.

    Idempotent: indicators are updated in place; values are only generated when an indicator
    has none yet, so imported data is never overwritten."""
    dimensions = dimensions_ensure()
    sources = {}
    for code, kind, name_es, name_en, publisher, year, citation, illustrative in SOURCES:
        sources[code], _ = DataSource.objects.update_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name_es": name_es,
                "name_en": name_en,
                "publisher": publisher,
                "year": year,
                "source": citation,
                "is_illustrative": illustrative,
            },
        )
    places = {
        loc.code: loc for loc in Location.objects.filter(country=country, level__depth__lte=1)
    }
    departments = [loc for loc in places.values() if loc.level.depth == 1] if places else []
    rng = random.Random(SEED)  # noqa: S311  (reproducible demo data, not security)
    created = 0
    for code, name_es, name_en, unit, direction, dims, codes, trajectory in INDICATORS:
        indicator, _ = Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name_es": name_es,
                "name_en": name_en,
                "unit": unit,
                "direction": direction,
                "is_illustrative": False,
                "source": "Indicator list of the default programme (Ayni demo)",
            },
        )
        indicator.dimensions.set([dimensions[d] for d in dims])
        for system, external in codes.items():
            IndicatorCode.objects.update_or_create(
                system=system, code=external, defaults={"indicator": indicator}
            )
        if indicator.values.exists():
            continue
        rows = [
            DataValue(
                indicator=indicator,
                location=places[place],
                period_type="Y",
                period=str(year),
                year=year,
                value=Decimal(value),
                disaggregation=disaggregation,
                source=sources[source],
            )
            for ind, place, year, value, source, disaggregation in FACT_VALUES
            if ind == code and place in places
        ]
        rows += _illustrative(
            indicator, trajectory, places, departments, rng, sources[ILLUSTRATIVE_SOURCE]
        )
        if "PE" in places and not any(row.location.code == "PE" for row in rows):
            # No cited national value: an illustrative national series, so that the trend,
            # the status and the indicator list have something to show.
            rows += _illustrative_national(
                indicator, trajectory, places["PE"], rows, sources[ILLUSTRATIVE_SOURCE]
            )
        DataValue.objects.bulk_create(rows, batch_size=1000)
        created += len(rows)
        _targets(indicator, trajectory, places)
    return MonitoringDemoSummary(indicators=len(INDICATORS), values=created)


def _illustrative(
    indicator: Indicator,
    trajectory: tuple[float | None, float | None],
    places: dict[str, Location],
    departments: list[Location],
    rng: random.Random,
    source: DataSource,
) -> list[DataValue]:
    """Department values around the national trajectory; rural worse than urban by a fixed
    factor in the indicator's direction, so that the equity panel has a gap to show."""
    start, end = trajectory
    factors = _factors(indicator)
    rows = []
    for department in departments:
        # Each department keeps its own level relative to the country from year to year.
        offset = rng.uniform(-0.45, 0.65)
        base = rng.randint(2_000, 60_000)
        for step, year in enumerate(YEARS):
            if start is None or end is None:  # a count: children in IBE schools
                count = Decimal(int(base * (1 + 0.04 * step)))
                rows.append(_value(indicator, department, year, count, "", source))
                continue
            value = (start + (end - start) * step / (len(YEARS) - 1)) * (1 + offset)
            rows += _with_factors(indicator, department, year, value, factors, source)
    return rows


def _illustrative_national(
    indicator: Indicator,
    trajectory: tuple[float | None, float | None],
    country: Location,
    department_rows: list[DataValue],
    source: DataSource,
) -> list[DataValue]:
    """National values on the trajectory, with the same rural and urban factors as the
    departments; for a count (no trajectory), the sum of the departments' values."""
    start, end = trajectory
    if start is None or end is None:
        totals: dict[int, Decimal] = {}
        for row in department_rows:
            if not row.disaggregation:
                totals[row.year] = totals.get(row.year, Decimal(0)) + row.value
        return [
            _value(indicator, country, year, total, "", source)
            for year, total in sorted(totals.items())
        ]
    factors = _factors(indicator)
    rows = []
    for step, year in enumerate(YEARS):
        value = start + (end - start) * step / (len(YEARS) - 1)
        rows += _with_factors(indicator, country, year, value, factors, source)
    return rows


def _factors(indicator: Indicator) -> list[tuple[float, str]]:
    """(factor, disaggregation) of the values generated for each total: the total itself and,
    where the indicator accepts the area, rural worse and urban better than the total."""
    if "area" not in {d.code for d in indicator.dimensions.all()}:
        return [(1.0, "")]
    worse, better = (1.6, 0.7) if indicator.direction == "down" else (0.85, 1.1)
    return [(1.0, ""), (worse, "area=rural"), (better, "area=urban")]


def _with_factors(
    indicator: Indicator,
    place: Location,
    year: int,
    value: float,
    factors: list[tuple[float, str]],
    source: DataSource,
) -> list[DataValue]:
    return [
        _value(indicator, place, year, _clip(indicator, value * factor), key, source)
        for factor, key in factors
    ]


def _clip(indicator: Indicator, value: float) -> Decimal:
    if indicator.unit == "percent":
        value = max(0.0, min(value, 100.0))
    return Decimal(f"{max(value, 0.0):.1f}")


def _value(
    indicator: Indicator,
    location: Location,
    year: int,
    value: Decimal,
    disaggregation: str,
    source: DataSource,
) -> DataValue:
    return DataValue(
        indicator=indicator,
        location=location,
        period_type="Y",
        period=str(year),
        year=year,
        value=value,
        disaggregation=disaggregation,
        source=source,
        is_illustrative=True,
    )


def _targets(
    indicator: Indicator, trajectory: tuple[float | None, float | None], places: dict[str, Location]
) -> None:
    """Illustrative national baseline (2012) and target (2016) along the same trajectory."""
    start, end = trajectory
    national = places.get("PE")
    if national is None or start is None or end is None:
        return
    for kind, year, value in (("baseline", 2012, start), ("target", 2016, end)):
        Target.objects.update_or_create(
            indicator=indicator,
            location=national,
            kind=kind,
            year=year,
            defaults={
                "value": Decimal(f"{value:.1f}"),
                "is_illustrative": True,
                "source": "Illustrative demo record (not a cited fact)",
            },
        )
