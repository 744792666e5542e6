"""A grant's stages through the workflow engine: each step logged with its effective date,
receiving asks for confirmation, the grant page's forms and history, and the API."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ayni.core.permissions import has_perm
from ayni.finance import services
from ayni.finance.models import Grant
from ayni.finance.workflow import GRANT

pytestmark = pytest.mark.django_db
G = Grant.Stage


@pytest.fixture
def pipeline(make_grant) -> Grant:
    return make_grant("CIDA", "G-PIPE", "1000.00", stage=G.PIPELINE, signed_date=None)


def test_each_stage_step_is_logged_with_who_and_the_date_it_took_effect(pipeline, actor) -> None:
    ana = actor("ana")
    services.grant_transition(grant=pipeline, transition="pledge", user=ana, on=date(2013, 1, 5))
    services.grant_advance(grant=pipeline, stage=G.SIGNED, user=ana, on=date(2013, 3, 1))
    services.grant_advance(
        grant=pipeline, stage=G.RECEIVED, user=ana, on=date(2013, 4, 2), confirm=True
    )
    pipeline.refresh_from_db()
    assert (pipeline.stage, pipeline.signed_date) == (G.RECEIVED, date(2013, 3, 1))
    assert [
        (e.transition, e.from_state, e.to_state, e.actor_id, e.effective_date)
        for e in pipeline.workflow_events.all()
    ] == [
        ("pledge", "pipeline", "pledged", ana.pk, date(2013, 1, 5)),
        ("sign", "pledged", "signed", ana.pk, date(2013, 3, 1)),
        ("receive", "signed", "received", ana.pk, date(2013, 4, 2)),
    ]


def test_receiving_cannot_be_undone_and_needs_confirmation(make_grant, actor) -> None:
    grant = make_grant("CIDA", "G-1", "10.00")
    with pytest.raises(ValidationError) as refused:
        services.grant_advance(grant=grant, stage=G.RECEIVED, user=actor("ana"))
    assert list(refused.value.message_dict) == ["confirm"]
    assert Grant.objects.get(pk=grant.pk).stage == G.SIGNED
    assert GRANT.transitions["receive"].irreversible


def test_a_grant_is_not_received_before_it_was_signed(make_grant, actor) -> None:
    grant = make_grant("CIDA", "G-1", "10.00")  # signed on 2012-03-01
    with pytest.raises(ValidationError) as refused:
        services.grant_advance(
            grant=grant, stage=G.RECEIVED, user=actor("ana"), on=date(2012, 2, 1), confirm=True
        )
    assert "2012-03-01" in refused.value.message_dict["date"][0]


def test_signing_without_a_date_keeps_the_one_the_grant_holds(make_grant, actor) -> None:
    grant = make_grant("CIDA", "G-1", "10.00", stage=G.PLEDGED, signed_date=date(2013, 2, 2))
    services.grant_advance(grant=grant, stage=G.SIGNED, user=actor("ana"))
    grant.refresh_from_db()
    assert grant.signed_date == date(2013, 2, 2)
    assert grant.workflow_events.get().effective_date == date(2013, 2, 2)


def test_the_last_instalment_received_makes_the_grant_received_on_its_date(
    make_grant, actor
) -> None:
    grant = make_grant("CIDA", "G-1", "100.00")
    first = services.instalment_add(grant=grant, due_date=date(2013, 1, 1), amount=Decimal(60))
    second = services.instalment_add(grant=grant, due_date=date(2014, 1, 1), amount=Decimal(40))
    services.instalment_receive(instalment=second, received_date=date(2014, 1, 8))
    services.instalment_receive(
        instalment=first, received_date=date(2013, 1, 10), user=actor("ana")
    )
    event = grant.workflow_events.get()
    assert (event.transition, event.actor, event.effective_date) == (
        "receive",
        actor("ana"),
        date(2014, 1, 8),
    )


def test_only_administrators_and_finance_officers_take_stage_steps(pipeline, actor) -> None:
    assert has_perm(actor("ana"), "sign", pipeline)
    for name in ("pablo", "diego", "rosa", "bruno"):
        assert not has_perm(actor(name), "sign", pipeline)


def test_the_grant_page_offers_the_steps_with_their_dates(client_for, pipeline) -> None:
    page = client_for("ana").get(pipeline.get_absolute_url())
    assert [f.transition.name for f in page.context["steps"]] == ["pledge", "sign", "receive"]
    body = page.content.decode()
    today = timezone.localdate().isoformat()
    for form in page.context["steps"]:
        assert form.fields["date"].widget.attrs["max"] == today
        assert f'id="id_{form.transition.name}_date"' in body
    assert f'value="{today}"' in body
    assert 'id="id_receive_confirm"' in body and 'id="id_sign_confirm"' not in body
    assert client_for("pablo").get(pipeline.get_absolute_url()).context["steps"] == []


def test_signing_from_the_page_with_a_past_date(client_for, pipeline) -> None:
    ana = client_for("ana")
    url = reverse("finance:grant-stage", args=[pipeline.pk])
    response = ana.post(url, {"transition": "sign", "date": "2013-05-02"})
    assert response.status_code == 302
    pipeline.refresh_from_db()
    assert (pipeline.stage, pipeline.signed_date) == (G.SIGNED, date(2013, 5, 2))
    page = ana.get(pipeline.get_absolute_url())
    assert [(e.transition, e.effective_date) for e in page.context["events"]] == [
        ("sign", date(2013, 5, 2))
    ]
    assert b'data-testid="history"' in page.content


def test_receiving_from_the_page_shows_the_confirmation_page_first(client_for, make_grant) -> None:
    grant = make_grant("CIDA", "G-1", "10.00")
    ana = client_for("ana")
    url = reverse("finance:grant-stage", args=[grant.pk])
    page = ana.post(url, {"transition": "receive", "date": "2013-06-01"})
    assert page.status_code == 200
    assert b'name="confirm"' in page.content
    assert Grant.objects.get(pk=grant.pk).stage == G.SIGNED
    ana.post(url, {"transition": "receive", "date": "2013-06-01", "confirm": "on"})
    assert Grant.objects.get(pk=grant.pk).stage == G.RECEIVED


def test_a_programme_manager_posting_a_step_is_refused(client_for, pipeline) -> None:
    url = reverse("finance:grant-stage", args=[pipeline.pk])
    assert client_for("pablo").post(url, {"transition": "sign"}).status_code == 403
    assert client_for("bruno").post(url, {"transition": "sign"}).status_code == 404
    assert Grant.objects.get(pk=pipeline.pk).stage == G.PIPELINE


def test_the_api_needs_confirm_to_receive_and_keeps_the_date(api_for, make_grant) -> None:
    grant = make_grant("CIDA", "G-1", "10.00")
    url = f"/api/grants/{grant.pk}/advance/"
    refused = api_for("ana").post(url, {"stage": "received"}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()["error"]["fields"]) == ["confirm"]
    done = api_for("ana").post(
        url, {"stage": "received", "date": "2013-06-01", "confirm": True}, format="json"
    )
    assert done.status_code == 200 and done.json()["stage"] == "received"
    history = api_for("diego").get(f"/api/grants/{grant.pk}/history/").json()
    assert [(r["transition"], r["effective_date"], r["actor"]) for r in history] == [
        ("receive", "2013-06-01", "ana")
    ]


def test_the_api_refuses_a_future_date(api_for, pipeline) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = api_for("ana").post(
        f"/api/grants/{pipeline.pk}/advance/", {"stage": "pledged", "date": tomorrow}, format="json"
    )
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["date"]
