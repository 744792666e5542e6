"""The agreements' status history kept before the workflow engine moves onto its event log,
and back when the migration is reversed."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ayni.accounts.models import CountryOffice, User
from ayni.core.models import WorkflowEvent
from ayni.core.tests.world import build_world
from ayni.geography.models import Location
from ayni.partners.models import Organisation

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("partners", "0006_provenance")]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def test_agreement_history_moves_onto_the_event_log_and_back() -> None:
    if not Location.objects.exists():
        build_world()
    office = CountryOffice.objects.get(code="peru")
    plan = Organisation.objects.get(country_office=office, acronym="PLAN")
    pablo = User.objects.get(username="pablo")

    old = migrate(BEFORE).loader.project_state(BEFORE).apps
    agreement = old.get_model("partners", "Agreement").objects.create(
        country_office_id=office.pk,
        organisation_id=plan.pk,
        reference="PER/PCA/2014/001",
        type="pca",
        title="Nutrition in Apurímac",
        status="signed",
        signed_date=date(2014, 3, 5),
    )
    old_events = old.get_model("partners", "AgreementEvent").objects
    # 03:00 UTC on the 2nd is still the 1st in Lima: the local day is the effective date.
    old_events.create(
        agreement_id=agreement.pk,
        transition="submit",
        from_status="draft",
        to_status="in_review",
        user_id=pablo.pk,
        at=datetime(2014, 3, 2, 3, 0, tzinfo=UTC),
    )
    # Recorded a week after the signature it records: the signature date is kept.
    old_events.create(
        agreement_id=agreement.pk,
        transition="sign",
        from_status="in_review",
        to_status="signed",
        user_id=pablo.pk,
        at=datetime(2014, 3, 12, 15, 0, tzinfo=UTC),
        reason="Signed in Abancay",
    )

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    events = WorkflowEvent.objects.filter(workflow="agreement", object_id=agreement.pk)
    assert [
        (e.transition, e.from_state, e.to_state, e.actor_id, e.effective_date, e.reason)
        for e in events
    ] == [
        ("submit", "draft", "in_review", pablo.pk, date(2014, 3, 1), ""),
        ("sign", "in_review", "signed", pablo.pk, date(2014, 3, 5), "Signed in Abancay"),
    ]
    assert events[1].recorded_at == datetime(2014, 3, 12, 15, 0, tzinfo=UTC)
    assert {e.subject.pk for e in events} == {agreement.pk}

    old = migrate(BEFORE).loader.project_state(BEFORE).apps
    back = old.get_model("partners", "AgreementEvent").objects.filter(agreement_id=agreement.pk)
    assert [(e.transition, e.user_id, e.reason) for e in back.order_by("at")] == [
        ("submit", pablo.pk, ""),
        ("sign", pablo.pk, "Signed in Abancay"),
    ]
    assert not WorkflowEvent.objects.filter(workflow="agreement").exists()
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
