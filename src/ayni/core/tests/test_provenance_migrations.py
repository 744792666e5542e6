"""The ``*_provenance`` migrations keep every source: a data source's citation becomes its
``source``, and sources of up to 1,000 characters now fit where 500 did."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ayni.monitoring.models import DataSource
from ayni.programmes.models import Framework

BEFORE = [
    ("evidence", "0001_initial"),
    ("finance", "0002_initial"),
    ("geography", "0002_source_length"),
    ("monitoring", "0003_weekly_and_daily_periods"),
    ("partners", "0005_organisation_source_length"),
    ("programmes", "0001_initial"),
]


def migrate(targets: list[tuple[str, str]] | None = None) -> MigrationExecutor:
    """To ``targets``, or forward to the latest migrations (the schema the models have)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()
    return executor


# Schema changes need committed transactions (SQLite cannot alter tables inside one).
@pytest.mark.django_db(transaction=True)
def test_the_provenance_migrations_keep_the_data() -> None:
    try:
        old = migrate(BEFORE).loader.project_state(BEFORE).apps
        old_source = old.get_model("monitoring", "DataSource")
        old_source.objects.create(
            code="endes-2016", kind="survey", name_es="ENDES 2016", citation="INEI, ENDES 2016"
        )
        old.get_model("programmes", "Framework").objects.create(
            code="pnaia", kind="national_plan", name_es="PNAIA", name_en="PNAIA", source="DS 001"
        )
        migrate()
        assert DataSource.objects.get(code="endes-2016").source == "INEI, ENDES 2016"
        framework = Framework.objects.get(code="pnaia")
        assert framework.source == "DS 001" and not framework.is_illustrative
        framework.source = "x" * 1000  # PostgreSQL refused more than 500 before
        framework.save()
        framework.refresh_from_db()
        assert len(framework.source) == 1000
    finally:
        migrate()
