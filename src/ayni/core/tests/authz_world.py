"""The records the authorization matrix (``test_authorization_matrix``) acts on: the same set
in each country office, Peru (``PE``) and Bolivia (``BO``), with a marker in every name, title,
reference and code that office staff alone may read, so that a response can be searched for
the other office's records.

Peru's records are the usual ones of the shared world (PLAN, CARE, CIDA and their users);
Bolivia's are built beside them. The M&E officer (mia) and the finance officer (fiona) are
added here: the policies tell them apart from administrators and programme managers (imports,
studies, finance writes), and the shared world has none.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ayni.accounts import services as accounts_services
from ayni.accounts.models import CountryOffice, User
from ayni.core import jobs
from ayni.core.exports import export_start
from ayni.core.models import ImportBatch, Job, WorkflowEvent
from ayni.core.roles import Role
from ayni.core.tests.world import PASSWORD, make_programme
from ayni.evidence.models import Study
from ayni.finance import services as finance
from ayni.finance.models import Grant
from ayni.geography.models import Location, Zone
from ayni.monitoring.models import DataSource, DataValue, Indicator, Target
from ayni.partners.models import Agreement, Organisation, PartnerReport
from ayni.partners.services import (
    agreement_create,
    agreement_transition,
    partner_report_create,
    partner_report_submit,
)
from ayni.programmes.models import Framework, Workplan

# What only the office itself (and whom its policies name) may read.
MARKERS = {"PE": "QQPERUMARK", "BO": "QQBOLIVIAMARK"}
# CARE's agreement, its report and its cash transfer: Peru's staff and carlos only (not pia,
# not rosa, whose region it is not, not diego).
CARE_MARKER = "QQCAREMARK"
INDICATOR = "mx-ind"
# Amounts whose digits appear nowhere else, different in each office.
AMOUNTS = {
    "PE": {
        "g1": "71234.11", "g2": "52345.22", "pipeline": "33456.33", "spare": "14567.44",
        "line1": "4321.17", "line2": "3210.29", "line3": "5432.13",
        "alloc1": "1234.56", "alloc2": "987.65", "alloc3": "876.54",
        "spent1": "345.67", "spent2": "234.78", "instalment": "1111.37",
        "transfer": "2468.02", "care_transfer": "1357.91",
    },
    "BO": {
        "g1": "61938.27", "g2": "42817.36", "pipeline": "23796.45", "spare": "24675.54",
        "line1": "6815.42", "line2": "7926.53", "line3": "8137.64",
        "alloc1": "2591.48", "alloc2": "3702.59", "alloc3": "4813.61",
        "spent1": "592.83", "spent2": "683.94", "instalment": "2222.48",
        "transfer": "3579.13", "care_transfer": "",
    },
}  # fmt: skip
SIGNED = date(2012, 3, 1)


def _office(code: str) -> CountryOffice:
    return CountryOffice.objects.get(code={"PE": "peru", "BO": "bolivia"}[code])


def _place(country: str, code: str) -> Location:
    return Location.objects.get(country__iso2=country, code=code)


def _programme(office: str) -> Any:
    mark = MARKERS[office]
    programme = make_programme({"PE": "peru", "BO": "bolivia"}[office], code=f"mx-{office}")
    programme.title_es = programme.title_en = f"Programa {mark}"
    programme.planned_total = Decimal("864201.37") if office == "PE" else Decimal("531864.29")
    programme.save()
    for result in programme.results.all():
        result.title_es = result.title_en = f"{result.code} {mark}"
        result.save()
    return programme


def _agreement(office: str, org: Organisation, title: str, place: Location, **extra: Any) -> Any:
    programme = extra.pop("programme")
    steps = extra.pop("steps", ["submit", "sign", "activate"])
    agreement = agreement_create(
        country_office=_office(office),
        organisation=org,
        reference=f"{title[:20]}/{org.acronym}",
        type=Agreement.Type.PCA,
        title=title,
        programme=programme,
        start_date=date(2012, 3, 1),
        end_date=date(2016, 12, 31),
        unicef_contribution=Decimal("150000.00"),
        partner_contribution=Decimal("20000.00"),
        results=[programme.results.get(code="C1.1")],
        locations=[place],
    )
    admin = User.objects.get(username="ana" if office == "PE" else "bruno")
    for step in steps:
        agreement = agreement_transition(
            agreement=agreement, transition=step, user=admin, on=date(2012, 2, 20), confirm=True
        )
    return agreement


def _reports(agreement: Agreement, mark: str, author: User) -> dict[str, PartnerReport]:
    draft = partner_report_create(
        agreement=agreement,
        period_start=date(2013, 1, 1),
        period_end=date(2013, 6, 30),
        narrative=f"Draft progress {mark}",
        challenges="",
    )
    submitted = partner_report_create(
        agreement=agreement,
        period_start=date(2012, 7, 1),
        period_end=date(2012, 12, 31),
        narrative=f"Submitted progress {mark}",
        challenges="",
    )
    submitted = partner_report_submit(report=submitted, user=author, on=date(2013, 1, 15))
    return {"draft": draft, "submitted": submitted}


def _finance(office: str, programme: Any, donors: dict[str, Any], types: Any) -> dict[str, Any]:
    """Grants, allocations, budget lines and expenditures; amounts with digits found nowhere
    else, so that a figure in a response can only come from here."""
    mark = MARKERS[office]
    c11, c21 = programme.results.get(code="C1.1"), programme.results.get(code="C2.1")
    first, second = donors["first"], donors["second"]

    def grant(donor: Any, ref: str, amount: str, **extra: Any) -> Grant:
        values = {"stage": Grant.Stage.SIGNED, "signed_date": SIGNED, **extra}
        return finance.grant_create(
            programme=programme,
            donor=donor,
            reference=f"{ref}-{mark}",
            amount=Decimal(amount),
            currency="USD",
            funding_type=types["orr"],
            **values,
        )

    a = AMOUNTS[office]
    main = grant(first, "G1", a["g1"])
    other = grant(second, "G2", a["g2"])
    grant(
        first,
        "GP",
        a["pipeline"],
        stage=Grant.Stage.PIPELINE,
        probability=50,
        signed_date=None,
        expiry_date=date.today(),
    )
    spare = grant(second, "GS", a["spare"])
    for year, amount in ((2013, a["line1"]), (2014, a["line2"])):
        finance.budget_line_set(
            result=c11,
            year=year,
            funding_type=types["orr"],
            amount=Decimal(amount),
            currency="USD",
        )
    line = finance.budget_line_set(
        result=c21, year=2013, funding_type=types["rr"], amount=Decimal(a["line3"]), currency="USD"
    )
    allocation = finance.allocation_create(
        grant=main, result=c11, year=2013, amount=Decimal(a["alloc1"]), date=date(2013, 2, 1)
    )
    finance.allocation_create(
        grant=other, result=c11, year=2013, amount=Decimal(a["alloc2"]), date=date(2013, 2, 1)
    )
    finance.allocation_create(
        grant=other, result=c21, year=2013, amount=Decimal(a["alloc3"]), date=date(2013, 2, 1)
    )
    expenditure = finance.expenditure_record(
        result=c11,
        year=2013,
        date=date(2013, 3, 1),
        amount=Decimal(a["spent1"]),
        currency="USD",
        grant=main,
    )
    finance.expenditure_record(
        result=c21, year=2013, date=date(2013, 3, 1), amount=Decimal(a["spent2"]), currency="USD"
    )
    instalment = finance.instalment_add(
        grant=main, due_date=date(2013, 1, 1), amount=Decimal(a["instalment"])
    )
    return {
        "grant": main,
        "grant_spare": spare,
        "budget_line": line,
        "budget_line_funded": c11.budget_lines.get(year=2013),
        "allocation": allocation,
        "expenditure": expenditure,
        "instalment": instalment,
    }


def _jobs(office: str, starter: User) -> dict[str, Any]:
    """An export that ran (its file), one that failed (to retry), an import dry run that
    succeeded (to confirm) and an import batch with an error report."""
    export = export_start(user=starter, name="finance.grants", fmt="csv", params={})
    export = jobs.run(export)
    assert export.status == Job.Status.SUCCEEDED, export.message
    failed = export_start(user=starter, name="finance.grants", fmt="csv", params={})
    Job.objects.filter(pk=failed.pk).update(status=Job.Status.FAILED, message="disk full")
    batch = ImportBatch.objects.create(
        kind="monitoring.csv",
        file_name=f"values-{MARKERS[office]}.csv",
        created_by=starter,
        status=ImportBatch.Status.FAILED,
        errors=[{"line": 2, "field": "value", "message": f"bad {MARKERS[office]}", "item": ""}],
    )
    dry_run = Job.objects.create(
        kind="monitoring.import",
        status=Job.Status.SUCCEEDED,
        created_by=starter,
        payload={
            "format": "csv",
            "atomic": True,
            "dry_run": True,
            "user_id": starter.pk,
            "file_name": "values.csv",
            "language": "en",
        },
        result={"batch": batch.pk},
    )
    return {"export_job": export, "failed_job": failed, "import_job": dry_run, "batch": batch}


def _monitoring(office: str, country: str, region: str) -> dict[str, Any]:
    indicator = Indicator.objects.get(code=INDICATOR)
    source, _created = DataSource.objects.get_or_create(
        code="mx-src",
        defaults={"name_es": "Fuente", "name_en": "Source", "kind": DataSource.Kind.choices[0][0]},
    )
    value = DataValue.objects.create(
        indicator=indicator,
        location=_place(country, region),
        period_type=DataValue.PeriodType.YEAR,
        period="2013",
        year=2013,
        value=Decimal("41.5") if office == "PE" else Decimal("37.25"),
        source=source,
    )
    target = Target.objects.create(
        indicator=indicator,
        location=_place(country, region),
        kind=Target.Kind.TARGET,
        year=2016,
        value=Decimal("20.0"),
    )
    return {"data_value": value, "target": target}


def build() -> dict[str, dict[str, Any]]:
    """Both offices' records; ``world[office][key]``. Peru's first organisation (the partner
    that reports, a donor too) is PLAN, its donor CIDA; Bolivia's are built to match."""
    peru, bolivia = _office("PE"), _office("BO")
    for name, role in (("mia", Role.ME_OFFICER), ("fiona", Role.FINANCE_OFFICER)):
        User.objects.create_user(username=name, password=PASSWORD, role=role, country_office=peru)
    types = finance.funding_types_ensure()
    finance.exchange_rate_set(currency="PEN", date=date(2012, 1, 1), units_per_usd=Decimal("2.7"))
    Indicator.objects.create(
        code=INDICATOR,
        name_es="Indicador de prueba",
        name_en="Test indicator",
        unit=Indicator.Unit.PERCENT,
        direction=Indicator.Direction.LOWER_IS_BETTER,
    )
    Framework.objects.create(
        code="mx-fw", kind=Framework.Kind.choices[0][0], name_es="Marco", name_en="Framework"
    )
    scb = Organisation.objects.get(acronym="SCB")
    orgs = {
        "PE": {
            "partner": Organisation.objects.get(acronym="PLAN"),
            "donor": Organisation.objects.get(acronym="CIDA"),
            "care": Organisation.objects.get(acronym="CARE"),
        },
        "BO": {
            "partner": scb,
            "donor": Organisation.objects.create(
                country_office=bolivia,
                name=f"Donor {MARKERS['BO']}",
                acronym="BOD",
                type=Organisation.Type.BILATERAL_DONOR,
            ),
        },
    }
    for office, home in (("PE", peru), ("BO", bolivia)):
        orgs[office]["spare"] = Organisation.objects.create(
            country_office=home,
            name=f"Spare {MARKERS[office]}",
            acronym=f"SP{office}",
            type=Organisation.Type.NGO,
        )
        orgs[office]["no_donor"] = Organisation.objects.create(
            country_office=home,
            name=f"Not yet a donor {MARKERS[office]}",
            acronym=f"ND{office}",
            type=Organisation.Type.BILATERAL_DONOR,
        )
    world: dict[str, dict[str, Any]] = {}
    places = {"PE": ("PE", "03", "08"), "BO": ("BO", "02", "07")}
    for office in ("PE", "BO"):
        mark = MARKERS[office]
        country, region, elsewhere = places[office]
        programme = _programme(office)
        donors = {
            "first": finance.donor_ensure(organisation=orgs[office]["donor"], code=f"d1-{office}"),
            "second": finance.donor_ensure(
                organisation=orgs[office]["partner"], code=f"d2-{office}"
            ),
        }
        spare_donor = finance.donor_ensure(organisation=orgs[office]["spare"], code=f"sp-{office}")
        records: dict[str, Any] = {
            "programme": programme,
            "component": programme.results.get(code="C1"),
            "c11": programme.results.get(code="C1.1"),
            "result": programme.results.get(code="C1.1.1"),
            "result_retire": programme.results.get(code="C2.1.2"),
            "partner": orgs[office]["partner"],
            "no_donor": orgs[office]["no_donor"],
            "organisation_spare": orgs[office]["spare"],
            "donor": donors["first"],
            "donor_spare": spare_donor,
            "region": _place(country, region),
        }
        records.update(_finance(office, programme, donors, types))
        active = _agreement(
            office,
            orgs[office]["partner"],
            f"Active {mark}",
            _place(country, region),
            programme=programme,
        )
        records["agreement"] = active
        records["agreement_event"] = WorkflowEvent.objects.filter(
            workflow="agreement", object_id=active.pk
        ).first()
        records["agreement_draft"] = _agreement(
            office,
            orgs[office]["partner"],
            f"Draft {mark}",
            _place(country, region),
            programme=programme,
            steps=[],
        )
        author = User.objects.get(username="pia" if office == "PE" else "bruno")
        reports = _reports(active, mark, author)
        records["report_draft"], records["report_submitted"] = (
            reports["draft"],
            reports["submitted"],
        )
        records["cash_transfer"] = finance.cash_transfer_record(
            agreement=active,
            date=date(2013, 4, 1),
            amount=Decimal(AMOUNTS[office]["transfer"]),
            currency="USD",
        )
        if office == "PE":
            care = _agreement(
                office,
                orgs[office]["care"],
                f"CARE {CARE_MARKER}",
                _place(country, elsewhere),
                programme=programme,
            )
            care_author = User.objects.get(username="carlos")
            _reports(care, CARE_MARKER, care_author)
            finance.cash_transfer_record(
                agreement=care,
                date=date(2013, 4, 1),
                amount=Decimal(AMOUNTS["PE"]["care_transfer"]),
                currency="USD",
            )
        records["workplan"] = Workplan.objects.create(
            programme=programme,
            year=2013,
            title_es=f"Plan {mark}",
            title_en=f"Plan {mark}",
            region=_place(country, region),
        )
        records["study"] = Study.objects.create(
            country_office=_office(office),
            programme=programme,
            kind=Study.Kind.choices[0][0],
            title_es=f"Estudio {mark}",
            title_en=f"Study {mark}",
            year=2013,
            status=Study.Status.choices[0][0],
        )
        zone = Zone.objects.create(
            country=_place(country, country).country,
            code=f"mx-zone-{office.lower()}",
            kind=Zone.Kind.choices[0][0],
            name_es=f"Zona {office}",
            name_en=f"Zone {office}",
        )
        zone.locations.set([_place(country, region)])
        records["zone"] = zone
        starter = User.objects.get(username="ana" if office == "PE" else "bruno")
        records.update(_jobs(office, starter))
        # An API token of the office's administrator: revoked by its owner alone.
        records["api_token"] = accounts_services.api_token_create(
            user=starter, name=f"script {MARKERS[office]}", scope="read", days=30
        ).token
        records.update(_monitoring(office, country, region))
        world[office] = records
    return world


def job_file_text(job: Job) -> str:
    """What a job's output file holds (to search it for markers)."""
    output = job.output()
    if output is None:
        return ""
    with output.file.open("rb") as handle:
        return handle.read().decode("utf-8-sig", "replace")
