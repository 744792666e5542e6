"""How the authorization matrix reaches each URL: the record a URL name is asked about in each
office (its path arguments) and the body of each write, valid for an allowed actor so that
"allowed" means "it was written", not "it got past the permission check and failed".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from ayni.finance.models import ExchangeRate, FundingType
from ayni.programmes.models import Framework

# URL name → (record key in ``authz_world``, path arguments of the record). ``None``: the URL
# takes no record. A ``(name, method)`` key overrides the record for that method (a delete
# acts on a record nothing else depends on).
Target = tuple[str | None, Callable[[Any], dict[str, Any]]]


def _pk(obj: Any) -> dict[str, Any]:
    return {"pk": obj.pk}


def _place(obj: Any) -> dict[str, Any]:
    return {"country": obj.country.iso2, "code": obj.code}


NONE: Target = (None, lambda _obj: {})

TARGETS: dict[Any, Target] = {
    "reporting:programme-dashboard": ("programme", _pk),
    "reporting:result-tree": ("programme", _pk),
    "reporting:result-detail": ("component", _pk),
    "core:job": ("export_job", _pk),
    "accounts:token-revoke": ("api_token", _pk),
    "core:job-download": ("export_job", _pk),
    "core:job-retry": ("failed_job", _pk),
    "geography:zone-detail": ("zone", _pk),
    "geography:location-detail": ("region", _place),
    "geography:location-edit": ("region", _place),
    "partners:organisation-detail": ("partner", _pk),
    "partners:organisation-edit": ("partner", _pk),
    "partners:agreement-create": ("partner", lambda _obj: {}),
    "partners:agreement-detail": ("agreement", _pk),
    "partners:agreement-edit": ("agreement_draft", _pk),
    "partners:agreement-transition": ("agreement", _pk),
    "partners:report-create": ("agreement", _pk),
    "partners:report-detail": ("report_submitted", _pk),
    "partners:report-edit": ("report_draft", _pk),
    ("partners:report-action", "POST submit"): ("report_draft", _pk),
    ("partners:report-action", "POST accept"): ("report_submitted", _pk),
    ("partners:report-action", "POST return"): ("report_submitted", _pk),
    "programmes:component-create": ("programme", lambda obj: {"programme": obj.pk}),
    "programmes:result-create": ("component", lambda obj: {"parent": obj.pk}),
    "programmes:result-edit": ("result", _pk),
    ("programmes:result-action", "POST retire"): ("result_retire", _pk),
    ("programmes:result-action", "POST down"): ("result", _pk),
    "programmes:workplan-detail": ("workplan", _pk),
    "finance:donor-detail": ("donor", _pk),
    "finance:grant-create": ("programme", lambda _obj: {}),
    "finance:grant-detail": ("grant", _pk),
    "finance:grant-allocate": ("grant", _pk),
    "finance:grant-stage": ("grant", _pk),
    "finance:budget": ("programme", lambda obj: {"programme_pk": obj.pk}),
    "evidence:study-detail": ("study", _pk),
    "monitoring:indicator-detail": (None, lambda _obj: {"code": "mx-ind"}),
    "monitoring:import-job": ("import_job", _pk),
    "monitoring:import-errors": ("batch", _pk),
    "monitoring:region": ("region", _place),
    "programme-funding": ("programme", _pk),
    "result-funding": ("component", _pk),
    "location-detail": ("region", _pk),
    "zone-detail": ("zone", _pk),
    "organisation-detail": ("partner", _pk),
    ("organisation-detail", "DELETE"): ("no_donor", _pk),
    "agreement-list": ("partner", lambda _obj: {}),
    "agreement-detail": ("agreement", _pk),
    ("agreement-detail", "PUT"): ("agreement_draft", _pk),
    ("agreement-detail", "PATCH"): ("agreement_draft", _pk),
    "agreement-history": ("agreement", _pk),
    "agreement-event-detail": ("agreement_event", _pk),
    "agreement-transition": ("agreement", _pk),
    "partner-report-list": ("agreement", lambda _obj: {}),
    "partner-report-detail": ("report_submitted", _pk),
    ("partner-report-detail", "PUT"): ("report_draft", _pk),
    ("partner-report-detail", "PATCH"): ("report_draft", _pk),
    "partner-report-history": ("report_submitted", _pk),
    "partner-report-submit": ("report_draft", _pk),
    "partner-report-accept": ("report_submitted", _pk),
    "partner-report-return": ("report_submitted", _pk),
    "programme-detail": ("programme", _pk),
    "result-list": ("component", lambda _obj: {}),
    "result-detail": ("result", _pk),
    "result-retire": ("result_retire", _pk),
    "framework-detail": (None, lambda _obj: {"pk": Framework.objects.get(code="mx-fw").pk}),
    "workplan-detail": ("workplan", _pk),
    "funding-type-detail": (None, lambda _obj: {"pk": FundingType.objects.get(code="rr").pk}),
    "exchange-rate-detail": (None, lambda _obj: {"pk": ExchangeRate.objects.get().pk}),
    "budget-line-list": ("component", lambda _obj: {}),
    "budget-line-detail": ("budget_line_funded", _pk),
    "donor-list": ("no_donor", lambda _obj: {}),
    "donor-detail": ("donor", _pk),
    ("donor-detail", "DELETE"): ("donor_spare", _pk),
    "grant-list": ("programme", lambda _obj: {}),
    "grant-detail": ("grant", _pk),
    ("grant-detail", "DELETE"): ("grant_spare", _pk),
    "grant-advance": ("grant", _pk),
    "grant-history": ("grant", _pk),
    "grant-instalments": ("grant", _pk),
    "allocation-list": ("grant", lambda _obj: {}),
    "allocation-detail": ("allocation", _pk),
    "expenditure-list": ("component", lambda _obj: {}),
    "expenditure-detail": ("expenditure", _pk),
    "cash-transfer-list": ("agreement", lambda _obj: {}),
    "cash-transfer-detail": ("cash_transfer", _pk),
    "study-detail": ("study", _pk),
    "indicator-detail": (None, lambda _obj: {"code": "mx-ind"}),
    "data-value-detail": ("data_value", _pk),
    "target-detail": ("target", _pk),
    "analytics-list": ("region", lambda _obj: {}),
    "analytics-equity": ("region", lambda _obj: {}),
    "import-detail": ("import_job", _pk),
    "import-confirm": ("import_job", _pk),
    "job-detail": ("export_job", _pk),
    "job-download": ("export_job", _pk),
    "job-retry": ("failed_job", _pk),
}


# Lists asked again with each filter that names a record set to the Bolivian record: nobody
# but Bolivia's staff reads anything of it through a filter either.
FILTERS: dict[str, list[str]] = {
    "result-list": ["programme", "parent"],
    "budget-line-list": ["programme", "result"],
    "grant-list": ["programme", "result", "donor"],
    "allocation-list": ["programme", "result", "donor", "grant"],
    "expenditure-list": ["programme", "result", "donor", "grant"],
    "cash-transfer-list": ["programme", "result", "grant", "agreement"],
    "agreement-list": ["organisation", "programme"],
    "partner-report-list": ["agreement"],
    "agreement-event-list": ["agreement"],
    "partners:agreement-list": ["partner"],
    "finance:grant-list": ["donor", "programme"],
}
# Filter → the record (``authz_world`` key) whose id it takes.
FILTER_RECORDS = {
    "programme": "programme",
    "parent": "component",
    "result": "c11",
    "donor": "donor",
    "grant": "grant",
    "agreement": "agreement",
    "organisation": "partner",
    "partner": "partner",
}


def filters(name: str, records: dict[str, Any]) -> list[dict[str, str]]:
    return [{f: str(records[FILTER_RECORDS[f]].pk)} for f in FILTERS.get(name, [])]


def target(name: str, method: str) -> Target:
    return TARGETS.get((name, method)) or TARGETS.get(name) or NONE


def query(name: str, records: dict[str, Any]) -> dict[str, str]:
    """Query parameters a URL needs to answer at all (the analytics: which indicator, which
    country)."""
    if name in {"analytics-list", "analytics-equity"}:
        return {"indicator": "mx-ind", "country": records["region"].country.iso2}
    return {}


def _csv_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "values.csv", b"indicator,location,period,value\nmx-ind,03,2014,12.5\n", "text/csv"
    )


def _agreement_fields(r: dict[str, Any], title: str) -> dict[str, Any]:
    return {
        "reference": f"NEW/{title}",
        "type": "pca",
        "title": title,
        "organisation": r["partner"].pk,
        "programme": r["programme"].pk,
        "start_date": "2014-01-01",
        "end_date": "2014-12-31",
        "currency": "USD",
        "unicef_contribution": "100.00",
        "partner_contribution": "0.00",
        "results": [r["programme"].results.get(code="C1.1").pk],
        "locations": [r["region"].pk],
    }


def _result_fields(code: str) -> dict[str, Any]:
    return {"code": code, "title_es": "Nuevo", "title_en": "New"}


def _c11(r: dict[str, Any]) -> int:
    return int(r["programme"].results.get(code="C1.1").pk)


# (URL name, method key) → the body, from the records of the office the write is aimed at.
BODIES: dict[tuple[str, str], Callable[[dict[str, Any]], dict[str, Any]]] = {
    ("core:job-retry", "POST"): lambda r: {},
    ("accounts:token-create", "POST"): lambda r: {"name": "A script", "scope": "read", "days": 30},
    ("accounts:token-revoke", "POST"): lambda r: {},
    ("geography:location-edit", "POST"): lambda r: {
        "name": r["region"].name,
        "capital": "Nueva capital",
    },
    ("partners:organisation-create", "POST"): lambda r: {
        "name": "New partner",
        "acronym": "NEWP",
        "type": "ngo",
    },
    ("partners:organisation-edit", "POST"): lambda r: {
        "name": "Renamed partner",
        "acronym": r["partner"].acronym,
        "type": r["partner"].type,
    },
    ("partners:agreement-create", "POST"): lambda r: _agreement_fields(r, "Created"),
    ("partners:agreement-edit", "POST"): lambda r: {
        **_agreement_fields(r, "Edited"),
        "reference": r["agreement_draft"].reference,
    },
    ("partners:agreement-transition", "POST"): lambda r: {
        "transition": "suspend",
        "reason": "Security incident",
    },
    ("partners:report-create", "POST"): lambda r: {
        "period_start": "2014-01-01",
        "period_end": "2014-06-30",
        "narrative": "New report",
    },
    ("partners:report-edit", "POST"): lambda r: {
        "period_start": "2013-01-01",
        "period_end": "2013-06-30",
        "narrative": "Edited report",
    },
    ("partners:report-action", "POST submit"): lambda r: {},
    ("partners:report-action", "POST accept"): lambda r: {"confirm": "on"},
    ("partners:report-action", "POST return"): lambda r: {"reason": "Add the figures"},
    ("programmes:component-create", "POST"): lambda r: _result_fields("C9"),
    ("programmes:result-create", "POST"): lambda r: _result_fields("C1.9"),
    ("programmes:result-edit", "POST"): lambda r: {"title_es": "Editado", "title_en": "Edited"},
    ("programmes:result-action", "POST retire"): lambda r: {"reason": "Obsolete"},
    ("programmes:result-action", "POST down"): lambda r: {},
    ("finance:grant-create", "POST"): lambda r: {
        "programme": r["programme"].pk,
        "donor": r["donor"].pk,
        "reference": "NEW-GRANT",
        "funding_type": FundingType.objects.get(code="rr").pk,
        "amount": "10.00",
        "currency": "USD",
        "stage": "pipeline",
        "probability": "50",
        "earmark": "programme",
    },
    ("finance:grant-allocate", "POST"): lambda r: {
        "result": _c11(r),
        "year": "2014",
        "amount": "1.00",
        "date": "2014-01-01",
    },
    ("finance:grant-stage", "POST"): lambda r: {"transition": "receive", "confirm": "on"},
    ("monitoring:import", "POST"): lambda r: {"file": _csv_upload(), "format": "csv"},
    ("monitoring:import-job", "POST"): lambda r: {},
    ("location-detail", "PUT"): lambda r: {"name": r["region"].name, "capital": "Capital"},
    ("location-detail", "PATCH"): lambda r: {"capital": "Otra capital"},
    ("organisation-list", "POST"): lambda r: {"name": "New", "acronym": "NW", "type": "ngo"},
    ("organisation-detail", "PUT"): lambda r: {"name": "Renamed", "type": r["partner"].type},
    ("organisation-detail", "PATCH"): lambda r: {"name": "Renamed"},
    ("organisation-detail", "DELETE"): lambda r: {},
    ("agreement-list", "POST"): lambda r: _agreement_fields(r, "Created by the API"),
    ("agreement-detail", "PUT"): lambda r: {
        **_agreement_fields(r, "Put"),
        "reference": r["agreement_draft"].reference,
    },
    ("agreement-detail", "PATCH"): lambda r: {"title": "Patched"},
    ("agreement-transition", "POST"): lambda r: {"transition": "suspend", "reason": "Audit"},
    ("partner-report-list", "POST"): lambda r: {
        "agreement": r["agreement"].pk,
        "period_start": "2014-01-01",
        "period_end": "2014-06-30",
        "narrative": "From the API",
    },
    ("partner-report-detail", "PUT"): lambda r: {
        "period_start": "2013-01-01",
        "period_end": "2013-06-30",
        "narrative": "Put",
    },
    ("partner-report-detail", "PATCH"): lambda r: {"narrative": "Patched"},
    ("partner-report-submit", "POST"): lambda r: {},
    ("partner-report-accept", "POST"): lambda r: {"confirm": True},
    ("partner-report-return", "POST"): lambda r: {"reason": "Add the figures"},
    ("programme-detail", "PATCH"): lambda r: {"title_en": "Patched"},
    ("result-list", "POST"): lambda r: {
        "programme": r["programme"].pk,
        "parent": r["component"].pk,
        **_result_fields("C1.8"),
    },
    ("result-detail", "PATCH"): lambda r: {"title_en": "Patched"},
    ("result-retire", "POST"): lambda r: {"reason": "Obsolete"},
    ("exchange-rate-list", "POST"): lambda r: {
        "currency": "EUR",
        "date": "2013-01-01",
        "units_per_usd": "0.9000",
    },
    ("exchange-rate-detail", "PUT"): lambda r: {
        "currency": "PEN",
        "date": "2012-01-01",
        "units_per_usd": "2.8000",
    },
    ("exchange-rate-detail", "PATCH"): lambda r: {"units_per_usd": "2.9000"},
    ("exchange-rate-detail", "DELETE"): lambda r: {},
    ("budget-line-list", "POST"): lambda r: {
        "result": _c11(r),
        "year": 2015,
        "funding_type": "rr",
        "amount": "10.00",
        "currency": "USD",
    },
    ("budget-line-detail", "PUT"): lambda r: {
        "result": _c11(r),
        "year": 2013,
        "funding_type": "orr",
        "amount": "4444.44",
        "currency": "USD",
    },
    ("budget-line-detail", "PATCH"): lambda r: {"amount": "4444.44"},
    ("budget-line-detail", "DELETE"): lambda r: {},
    ("donor-list", "POST"): lambda r: {"organisation": r["no_donor"].pk, "code": "new-donor"},
    ("donor-detail", "PUT"): lambda r: {"organisation": r["donor"].organisation_id, "code": "x"},
    ("donor-detail", "PATCH"): lambda r: {"code": "patched"},
    ("donor-detail", "DELETE"): lambda r: {},
    ("grant-list", "POST"): lambda r: {
        "programme": r["programme"].pk,
        "donor": r["donor"].pk,
        "reference": "API-GRANT",
        "funding_type": "rr",
        "amount": "10.00",
        "currency": "USD",
        "stage": "pipeline",
    },
    ("grant-detail", "PUT"): lambda r: {
        "programme": r["grant"].programme_id,
        "donor": r["grant"].donor_id,
        "reference": r["grant"].reference,
        "title": "Put",
        "funding_type": "orr",
        "amount": str(r["grant"].amount),
        "currency": "USD",
        "stage": "signed",
        "signed_date": "2012-03-01",
    },
    ("grant-detail", "PATCH"): lambda r: {"title": "Patched"},
    ("grant-detail", "DELETE"): lambda r: {},
    ("grant-advance", "POST"): lambda r: {"stage": "received", "confirm": True},
    ("grant-instalments", "POST"): lambda r: {"due_date": "2014-01-01", "amount": "10.00"},
    ("allocation-list", "POST"): lambda r: {
        "grant": r["grant"].pk,
        "result": _c11(r),
        "year": 2014,
        "amount": "1.00",
        "date": "2014-01-01",
    },
    ("allocation-detail", "DELETE"): lambda r: {},
    ("expenditure-list", "POST"): lambda r: {
        "result": _c11(r),
        "year": 2014,
        "date": "2014-01-01",
        "amount": "1.00",
        "currency": "USD",
    },
    ("expenditure-detail", "DELETE"): lambda r: {},
    ("cash-transfer-list", "POST"): lambda r: {
        "agreement": r["agreement"].pk,
        "date": "2014-01-01",
        "amount": "1.00",
        "currency": "USD",
    },
    ("cash-transfer-detail", "DELETE"): lambda r: {},
    ("import-list", "POST"): lambda r: {"file": _csv_upload(), "format": "csv"},
    ("import-confirm", "POST"): lambda r: {},
    ("job-retry", "POST"): lambda r: {},
    ("export-list", "POST"): lambda r: {"type": "finance.grants", "format": "csv"},
}

# Bodies sent as multipart (a file); every other API body is JSON.
MULTIPART = {("import-list", "POST")}
