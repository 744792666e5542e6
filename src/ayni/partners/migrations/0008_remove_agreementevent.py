from django.db import migrations


class Migration(migrations.Migration):
    # Apart from the data migration before it: on PostgreSQL, changing the schema in the
    # transaction that has just written rows can meet their pending (deferred) constraint
    # checks.

    dependencies = [
        ("partners", "0007_workflow_events"),
    ]

    operations = [
        migrations.DeleteModel(
            name="AgreementEvent",
        ),
    ]
