"""The workflow engine on its own: declarations, steps allowed and refused, guards, roles,
confirmation of irreversible steps, effective dates and the event log.

The engine is tried on a small workflow of its own over agreements (the model is at hand; its
states are the agreement's), declared for these tests only and removed afterwards.
"""

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone

from ayni.accounts.models import CountryOffice
from ayni.core import workflow as engine
from ayni.core import workflow_registry
from ayni.core.models import WorkflowEvent
from ayni.core.permissions import has_perm, scope
from ayni.core.roles import Role
from ayni.core.workflow import Errors, Step, Transition, Workflow
from ayni.geography.models import Location
from ayni.partners.models import Agreement, Organisation

pytestmark = pytest.mark.django_db
S = Agreement.Status
MANAGERS = frozenset({Role.PROGRAMME_MANAGER})


def titled(agreement: Agreement, step: Step) -> Errors:
    return {} if agreement.title.strip() else {"title": "Give it a title."}


def has_contribution(agreement: Agreement, step: Step) -> Errors:
    return {} if agreement.unicef_contribution else {"unicef_contribution": "Give the amount."}


def _note_partner(agreement: Agreement, step: Step) -> list[str]:
    agreement.source = f"closed by {step.actor.username}: {step.reason}"
    return ["source"]


@pytest.fixture
def flow() -> Iterator[Workflow]:
    declared = Workflow(
        "test_flow",
        Agreement,
        [
            Transition("review", "Review", frozenset({S.DRAFT}), S.IN_REVIEW, MANAGERS),
            Transition(
                "sign",
                "Sign",
                frozenset({S.IN_REVIEW}),
                S.SIGNED,
                MANAGERS,
                guards=(titled, has_contribution),
                date_field="signed_date",
            ),
            Transition(
                "plan", "Plan", frozenset({S.SIGNED}), S.ACTIVE, MANAGERS, allow_future=True
            ),
            Transition("reopen", "Reopen", frozenset({S.ACTIVE}), S.SIGNED, MANAGERS),
            Transition(
                "close",
                "Close",
                frozenset({S.DRAFT, S.IN_REVIEW, S.SIGNED}),
                S.TERMINATED,
                MANAGERS,
                needs_reason=True,
                irreversible=True,
                effect=_note_partner,
            ),
        ],
    )
    yield declared
    workflow_registry.declared.pop("test_flow")


@pytest.fixture
def record() -> Agreement:
    office = CountryOffice.objects.get(code="peru")
    return Agreement.objects.create(
        country_office=office,
        organisation=Organisation.objects.get(country_office=office, acronym="PLAN"),
        reference="TEST/1",
        type=Agreement.Type.PCA,
        title="Early childhood",
        unicef_contribution=1000,
    )


def refused(flow: Workflow, record: Agreement, name: str, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        flow.take(record, name, **kwargs)
    return caught.value.message_dict


def test_a_step_moves_the_state_and_logs_who_when_and_why(flow, record, actor) -> None:
    flow.take(record, "review", actor=actor("pablo"), on=date(2013, 2, 1), reason=" Ready ")
    assert Agreement.objects.get(pk=record.pk).status == S.IN_REVIEW
    assert record.status == S.IN_REVIEW  # the caller's instance too
    event = WorkflowEvent.objects.get(workflow="test_flow")
    assert event.subject == record
    assert event.content_type == ContentType.objects.get_for_model(Agreement)
    assert (event.transition, event.from_state, event.to_state) == ("review", "draft", "in_review")
    assert (event.actor, event.reason) == (actor("pablo"), "Ready")
    assert event.effective_date == date(2013, 2, 1)
    assert timezone.now() - event.recorded_at < timedelta(minutes=1)
    assert (event.from_label, event.to_label, event.transition_label) == (
        "draft",
        "in review",
        "Review",
    )


def test_a_step_from_the_wrong_state_is_refused_naming_the_state_field(flow, record, actor) -> None:
    errors = refused(flow, record, "sign", actor=actor("pablo"))
    assert list(errors) == ["status"] and "draft" in errors["status"][0]
    assert not flow.events(record).exists()


def test_an_unknown_step_is_named(flow, record, actor) -> None:
    assert list(refused(flow, record, "approve", actor=actor("pablo"))) == ["transition"]


def test_every_guard_speaks_at_once_and_nothing_is_saved(flow, record, actor) -> None:
    flow.take(record, "review", actor=actor("pablo"), on=date(2013, 1, 1))
    Agreement.objects.filter(pk=record.pk).update(title=" ", unicef_contribution=None)
    errors = refused(flow, record, "sign", actor=actor("pablo"), on=date(2013, 2, 1))
    assert set(errors) == {"title", "unicef_contribution"}
    stored = Agreement.objects.get(pk=record.pk)
    assert (stored.status, stored.signed_date) == (S.IN_REVIEW, None)
    assert flow.events(record).count() == 1


def test_the_date_field_takes_the_date_entered(flow, record, actor) -> None:
    flow.take(record, "review", actor=actor("pablo"), on=date(2014, 3, 1))
    flow.take(record, "sign", actor=actor("pablo"), on=date(2014, 3, 5))
    assert Agreement.objects.get(pk=record.pk).signed_date == date(2014, 3, 5)
    assert flow.events(record).last().effective_date == date(2014, 3, 5)


def test_without_a_date_the_step_takes_today_or_the_date_the_record_holds(
    flow, record, actor
) -> None:
    flow.take(record, "review", actor=actor("pablo"))
    assert flow.events(record).get().effective_date == timezone.localdate()
    Agreement.objects.filter(pk=record.pk).update(signed_date=timezone.localdate())
    flow.take(record, "sign", actor=actor("pablo"))
    assert flow.events(record).last().effective_date == timezone.localdate()


def test_a_date_in_the_future_is_refused_unless_the_step_allows_it(flow, record, actor) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    errors = refused(flow, record, "review", actor=actor("pablo"), on=tomorrow)
    assert list(errors) == ["date"] and "future" in errors["date"][0]
    flow.take(record, "review", actor=actor("pablo"))
    flow.take(record, "sign", actor=actor("pablo"))
    flow.take(record, "plan", actor=actor("pablo"), on=tomorrow)
    assert flow.events(record).last().effective_date == tomorrow


def test_a_date_before_the_previous_step_is_refused(flow, record, actor) -> None:
    flow.take(record, "review", actor=actor("pablo"), on=date(2014, 3, 1))
    errors = refused(flow, record, "sign", actor=actor("pablo"), on=date(2014, 2, 28))
    assert list(errors) == ["date"] and "2014-03-01" in errors["date"][0]
    flow.take(record, "sign", actor=actor("pablo"), on=date(2014, 3, 1))  # the same day is fine


def test_an_irreversible_step_needs_confirmation(flow, record, actor) -> None:
    errors = refused(flow, record, "close", actor=actor("pablo"), reason="Withdrawn")
    assert list(errors) == ["confirm"]
    assert Agreement.objects.get(pk=record.pk).status == S.DRAFT
    flow.take(record, "close", actor=actor("pablo"), reason="Withdrawn", confirm=True)
    assert Agreement.objects.get(pk=record.pk).status == S.TERMINATED


def test_a_reason_is_asked_where_declared_and_the_effect_reads_it(flow, record, actor) -> None:
    errors = refused(flow, record, "close", actor=actor("pablo"), reason="  ", confirm=True)
    assert errors == {"reason": ["Give the reason."]}
    flow.take(record, "close", actor=actor("pablo"), reason="Withdrawn", confirm=True)
    assert Agreement.objects.get(pk=record.pk).source == "closed by pablo: Withdrawn"


def test_refusals_say_what_would_refuse_without_taking_the_step(flow, record, actor) -> None:
    assert flow.refusals(record, "close", actor=actor("pablo")) == {"reason": "Give the reason."}
    assert flow.refusals(record, "close", actor=actor("pablo"), reason="Withdrawn") == {}
    assert list(flow.refusals(record, "sign", actor=actor("pablo"))) == ["status"]
    assert Agreement.objects.get(pk=record.pk).status == S.DRAFT
    assert not flow.events(record).exists()


def test_roles_are_the_transitions_own(flow, actor) -> None:
    assert flow.role_may(actor("pablo"), "review")
    assert not flow.role_may(actor("ana"), "review")  # an administrator, not named here
    assert not flow.role_may(actor("pablo"), "approve")
    assert flow.actions == {"review", "sign", "plan", "reopen", "close"}


def test_leaving_lists_the_steps_from_a_state_in_declared_order(flow) -> None:
    assert [t.name for t in flow.leaving(S.IN_REVIEW)] == ["sign", "close"]
    assert flow.leaving(S.TERMINATED) == []


def test_a_step_into_a_state_nothing_leaves_must_be_declared_irreversible() -> None:
    with pytest.raises(ImproperlyConfigured, match="irreversible"):
        Workflow(
            "bad_flow",
            Agreement,
            [Transition("end", "End", frozenset({S.ACTIVE}), S.ENDED, MANAGERS)],
        )
    assert engine.workflow_named("bad_flow") is None


@pytest.mark.parametrize(
    "transitions",
    [
        [Transition("x", "X", frozenset({"nowhere"}), S.DRAFT, MANAGERS)],
        [
            Transition("x", "X", frozenset({S.DRAFT}), S.ENDED, MANAGERS, irreversible=True),
            Transition("x", "X", frozenset({S.DRAFT}), S.ENDED, MANAGERS, irreversible=True),
        ],
        [
            Transition(
                "x",
                "X",
                frozenset({S.DRAFT}),
                S.ENDED,
                MANAGERS,
                irreversible=True,
                date_field="sined_date",
            )
        ],
    ],
    ids=["unknown state", "declared twice", "unknown date field"],
)
def test_mistakes_in_a_declaration_fail_when_it_loads(transitions) -> None:
    with pytest.raises(ImproperlyConfigured):
        Workflow("bad_flow", Agreement, transitions)
    assert engine.workflow_named("bad_flow") is None


def test_every_workflow_of_ayni_is_declared_and_its_steps_are_policy_actions() -> None:
    from ayni.core.permissions import policy_for

    names = {w.name for w in engine.workflows()}
    assert {"agreement", "partner_report", "grant"} <= names
    for declared in engine.workflows():
        if declared.name == "test_flow":
            continue
        assert declared.actions <= policy_for(declared.model).actions


def test_events_are_read_by_those_who_may_read_the_records_history(actor) -> None:
    """pia reads the history of her organisation's agreements only; rosa, who reads the
    agreements in her region, not their history; a public user nothing."""
    from ayni.partners.workflow import AGREEMENT

    office = CountryOffice.objects.get(code="peru")
    plan, care = (
        Agreement.objects.create(
            country_office=office,
            organisation=Organisation.objects.get(country_office=office, acronym=acronym),
            reference=f"TEST/{acronym}",
            type=Agreement.Type.PCA,
            title="Early childhood",
            start_date=date(2012, 1, 1),
            end_date=date(2013, 1, 1),
        )
        for acronym in ("PLAN", "CARE")
    )
    plan.locations.set([Location.objects.get(country__iso2="PE", code="0301")])
    assert has_perm(actor("rosa"), "view", plan)  # Abancay is in her Apurímac
    for agreement in (plan, care):
        AGREEMENT.take(agreement, "submit", actor=actor("pablo"), on=date(2012, 1, 5))
    everything = WorkflowEvent.objects.all()
    assert set(scope(actor("pia"), "view", everything).values_list("object_id", flat=True)) == {
        plan.pk
    }
    assert scope(actor("pablo"), "view", everything).count() == 2
    assert not scope(actor("rosa"), "view", everything).exists()
    assert not scope(actor("paula"), "view", everything).exists()
    assert not has_perm(actor("pablo"), "change", WorkflowEvent)
