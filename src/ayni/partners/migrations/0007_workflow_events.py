"""Agreements' status history moves onto the one event log of every workflow
(``core.WorkflowEvent``). The old table had no effective date: a signature takes the
agreement's ``signed_date`` (the date entered when signing), every other step the local day it
was recorded on."""

from django.db import migrations
from django.utils import timezone


def to_workflow_events(apps, schema_editor):
    db = schema_editor.connection.alias
    AgreementEvent = apps.get_model("partners", "AgreementEvent")
    WorkflowEvent = apps.get_model("core", "WorkflowEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    agreement_type, _created = ContentType.objects.using(db).get_or_create(
        app_label="partners", model="agreement"
    )
    events = []
    rows = AgreementEvent.objects.using(db).select_related("agreement").order_by("at", "pk")
    for event in rows.iterator():
        effective = timezone.localtime(event.at).date()
        if event.transition == "sign" and event.agreement.signed_date:
            effective = event.agreement.signed_date
        events.append(
            WorkflowEvent(
                content_type=agreement_type,
                object_id=event.agreement_id,
                workflow="agreement",
                transition=event.transition,
                from_state=event.from_status,
                to_state=event.to_status,
                actor_id=event.user_id,
                reason=event.reason,
                effective_date=effective,
                recorded_at=event.at,
            )
        )
    WorkflowEvent.objects.using(db).bulk_create(events, batch_size=1000)


def to_agreement_events(apps, schema_editor):
    db = schema_editor.connection.alias
    AgreementEvent = apps.get_model("partners", "AgreementEvent")
    WorkflowEvent = apps.get_model("core", "WorkflowEvent")
    rows = WorkflowEvent.objects.using(db).filter(workflow="agreement")
    AgreementEvent.objects.using(db).bulk_create(
        [
            AgreementEvent(
                agreement_id=event.object_id,
                transition=event.transition,
                from_status=event.from_state,
                to_status=event.to_state,
                user_id=event.actor_id,
                at=event.recorded_at,
                reason=event.reason,
            )
            for event in rows.order_by("recorded_at", "pk").iterator()
        ],
        batch_size=1000,
    )
    rows.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0003_workflow_events"),
        ("partners", "0006_provenance"),
    ]

    operations = [
        migrations.RunPython(to_workflow_events, to_agreement_events, elidable=False),
    ]
