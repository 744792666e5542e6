"""Monitoring downloads as export types (``core.exports``): an indicator's data from the
analytics store, and data values with the API's filters."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from django.db.models import QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ayni.core.exports import Column, Params, TableExport, export_type
from ayni.core.models import ImportBatch
from ayni.core.params import choice_param, int_param, year_param
from ayni.core.permissions import Action, has_perm, scope
from ayni.geography.selectors import country_for
from ayni.monitoring import analytics
from ayni.monitoring.imports.pipeline import REPORT_HEADER
from ayni.monitoring.models import DataValue, Indicator

# The data-value filters of the API and of this export: parameter → lookup.
FILTERS = {
    "country": "location__country__iso2__iexact",
    "indicator": "indicator__code",
    "location": "location__code",
    "year": "year",
    "period": "period",
    "period_type": "period_type",
    "disaggregation": "disaggregation",
    "source": "source__code",
}


def filter_data_values(queryset: QuerySet[Any], params: Params) -> QuerySet[Any]:
    """The data values matching the ``FILTERS`` given; a malformed year or an unknown period
    type is refused (400)."""
    for param, lookup in FILTERS.items():
        value: Any = (
            year_param(params, param)
            if param == "year"
            else choice_param(params, param, DataValue.PeriodType.values)
            if param == "period_type"
            else params.get(param)
        )
        if value is not None:
            queryset = queryset.filter(**{lookup: value})
    return queryset


CSV_FIELDS = [
    "indicator__code",
    "location__code",
    "period",
    "disaggregation",
    "value",
    "lower",
    "upper",
    "source__code",
    "flags",
    "is_illustrative",
]


@export_type("monitoring.indicator-data")
class IndicatorDataTable(TableExport):
    """Every preferred value of one indicator (``?indicator=<code>``), every place and period,
    from the analytics store. Column names are fixed codes, the same in every language."""

    title = _("Indicator data")
    model = Indicator
    formats = ("csv",)
    columns = [
        Column("indicator", "indicator", value=itemgetter("indicator")),
        Column("location", "location", value=itemgetter("location_code")),
        Column("name", "name", value=itemgetter("location_name")),
        Column("period", "period", value=itemgetter("period")),
        Column("value", "value", value=itemgetter("value")),
        Column("lower", "lower", value=itemgetter("lower")),
        Column("upper", "upper", value=itemgetter("upper")),
        Column("source", "source", value=itemgetter("source_code")),
        Column(
            "illustrative", "illustrative", value=lambda r: "yes" if r["is_illustrative"] else ""
        ),
    ]

    def allowed(self, user: Any, params: Params) -> bool:
        return (
            has_perm(user, Action.VIEW, Indicator)
            and scope(
                user, Action.VIEW, Indicator.objects.filter(code=params.get("indicator", ""))
            ).exists()
        )

    def filename(self, params: Params) -> str:
        name = slugify(params.get("indicator", "")) or "indicator"
        country = params.get("country", "")
        return f"{name}-{slugify(country).upper()}" if country else name

    def describe(self, params: Params) -> list[tuple[Any, str]]:
        return [(_("Indicator"), params.get("indicator", ""))]

    def rows(self, user: Any, params: Params) -> list[dict[str, Any]]:
        code = params.get("indicator", "")
        country = country_for(user, params.get("country"))
        rows = analytics.series(code, country=country.iso2, location_code=None, period_type=None)
        return [{**row, "indicator": code} for row in rows]


@export_type("monitoring.data-values")
class DataValueTable(TableExport):
    """Data values with the API's filters (``?indicator=…&location=…&year=…``), in the order of
    indicator, place and period."""

    title = _("Data values")
    model = DataValue
    formats = ("csv",)
    columns = [
        Column(name.split("__")[0], name.split("__")[0], value=itemgetter(index))
        for index, name in enumerate(CSV_FIELDS)
    ]

    def filename(self, params: Params) -> str:
        return "data-values"

    def queryset(self, user: Any, params: Params) -> QuerySet[Any]:
        queryset = scope(user, Action.VIEW, DataValue.objects.all())
        return filter_data_values(queryset, params)

    def rows(self, user: Any, params: Params) -> QuerySet[Any]:
        return (
            self.queryset(user, params)
            .order_by("indicator__code", "location__code", "period", "pk")
            .values_list(*CSV_FIELDS)
        )


@export_type("monitoring.import-errors")
class ImportErrorsTable(TableExport):
    """The refused lines of an import batch (``?batch=<id>``): line, field, message, item."""

    title = _("Import error report")
    model = ImportBatch
    formats = ("csv",)
    columns = [Column(key, key, value=itemgetter(key)) for key in REPORT_HEADER]

    def batch(self, user: Any, params: Params) -> ImportBatch | None:
        pk = int_param(params, "batch")
        if pk is None:
            return None
        return scope(user, Action.VIEW, ImportBatch.objects.filter(pk=pk)).first()

    def allowed(self, user: Any, params: Params) -> bool:
        return self.batch(user, params) is not None

    def filename(self, params: Params) -> str:
        return f"import-{params.get('batch', '')}-errors"

    def describe(self, params: Params) -> list[tuple[Any, str]]:
        return [(_("Import"), params.get("batch", ""))]

    def rows(self, user: Any, params: Params) -> list[dict[str, Any]]:
        batch = self.batch(user, params)
        errors = batch.errors if batch is not None else []
        return [
            {key: error.get(key) for key in REPORT_HEADER}
            for error in errors or []
            if isinstance(error, dict)
        ]
