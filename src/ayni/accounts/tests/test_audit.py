"""The audit trail: who changed what, when, with old and new values."""

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.urls import reverse

from ayni.accounts.audit import AYNI_APPS, NOT_AUDITED
from ayni.geography.models import Location
from ayni.partners.models import Organisation

pytestmark = pytest.mark.django_db


def test_every_domain_model_is_audited() -> None:
    from auditlog.registry import auditlog

    missing = [
        m._meta.label_lower
        for label in AYNI_APPS
        for m in apps.get_app_config(label).get_models()
        if m._meta.label_lower not in NOT_AUDITED and not auditlog.contains(m)
    ]
    assert missing == []


def test_an_api_update_records_actor_and_old_and_new_values(api_for, actor) -> None:
    location = Location.objects.get(country__iso2="PE", code="0301")
    api_for("rosa").patch(
        f"/api/locations/{location.pk}/", {"capital": "Abancay II"}, format="json"
    )
    entry = LogEntry.objects.get_for_object(location).latest("timestamp")
    assert entry.actor == actor("rosa")
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.changes_dict["capital"] == ["Abancay", "Abancay II"]


def test_create_and_delete_are_recorded(actor) -> None:
    org = Organisation.objects.create(
        country_office=actor("ana").country_office, name="MCLCP", type="coordination_body"
    )
    pk = org.pk
    org.delete()
    actions = set(
        LogEntry.objects.filter(object_pk=str(pk), content_type__model="organisation").values_list(
            "action", flat=True
        )
    )
    assert actions == {LogEntry.Action.CREATE, LogEntry.Action.DELETE}


def test_passwords_never_enter_the_log(actor) -> None:
    user = actor("pablo")
    user.set_password("another long passphrase 99")
    user.save()
    for entry in LogEntry.objects.get_for_object(user):
        assert "password" not in entry.changes_dict


def test_an_administrator_reads_a_record_history_in_the_admin(client_for, api_for) -> None:
    location = Location.objects.get(country__iso2="PE", code="03")
    api_for("ana").patch(f"/api/locations/{location.pk}/", {"capital": "Abancay!"}, format="json")
    url = reverse("admin:geography_location_auditlog", args=[location.pk])
    response = client_for("root").get(url)
    assert response.status_code == 200
    assert "Abancay!" in response.content.decode()
