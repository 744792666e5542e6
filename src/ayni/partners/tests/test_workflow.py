"""The agreement workflow: every transition, every guard, who may, and that refusals save
nothing. (The engine itself is tested in ``core/tests/test_workflow.py``.)"""

from datetime import date
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from ayni.core.permissions import has_perm
from ayni.partners.models import Agreement
from ayni.partners.services import agreement_transition
from ayni.partners.workflow import AGREEMENT

pytestmark = pytest.mark.django_db
S = Agreement.Status


def refused(agreement, transition, user, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        agreement_transition(agreement=agreement, transition=transition, user=user, **kwargs)
    return caught.value.message_dict


def test_the_table_declares_every_transition_once() -> None:
    assert set(AGREEMENT.transitions) == {
        "submit",
        "return_to_draft",
        "sign",
        "activate",
        "suspend",
        "resume",
        "end",
        "terminate",
    }
    assert AGREEMENT.transitions["terminate"].sources == {
        S.DRAFT,
        S.IN_REVIEW,
        S.SIGNED,
        S.ACTIVE,
        S.SUSPENDED,
    }


@pytest.mark.parametrize(
    ("start", "transition", "target"),
    [
        (S.DRAFT, "submit", S.IN_REVIEW),
        (S.IN_REVIEW, "return_to_draft", S.DRAFT),
        (S.IN_REVIEW, "sign", S.SIGNED),
        (S.SIGNED, "activate", S.ACTIVE),
        (S.SIGNED, "suspend", S.SUSPENDED),
        (S.ACTIVE, "suspend", S.SUSPENDED),
        (S.SUSPENDED, "resume", S.ACTIVE),
        (S.ACTIVE, "end", S.ENDED),
        (S.DRAFT, "terminate", S.TERMINATED),
        (S.SUSPENDED, "terminate", S.TERMINATED),
    ],
)
def test_each_transition_moves_the_status_and_records_an_event(
    make_agreement, actor, start, transition, target
) -> None:
    agreement = make_agreement(status=start)
    events_before = agreement.workflow_events.count()
    moved = agreement_transition(
        agreement=agreement,
        transition=transition,
        user=actor("ana"),
        reason="Budget cut",
        confirm=True,
    )
    assert moved.status == target
    assert Agreement.objects.get(pk=agreement.pk).status == target
    event = agreement.workflow_events.last()
    assert agreement.workflow_events.count() == events_before + 1
    assert (event.transition, event.from_state, event.to_state) == (transition, start, target)
    assert event.actor == actor("ana")


def test_signing_without_a_budget_is_refused_naming_the_field_and_saves_nothing(
    make_agreement, actor
) -> None:
    agreement = make_agreement(status=S.IN_REVIEW, unicef_contribution=None)
    log_before = LogEntry.objects.count()
    errors = refused(agreement, "sign", actor("pablo"), on=date(2012, 3, 1))
    assert list(errors) == ["unicef_contribution"]
    assert "without a budget" in errors["unicef_contribution"][0]
    agreement.refresh_from_db()
    assert (agreement.status, agreement.signed_date) == (S.IN_REVIEW, None)
    assert not agreement.workflow_events.filter(transition="sign").exists()
    assert LogEntry.objects.count() == log_before


def test_a_zero_budget_is_no_budget(make_agreement, actor) -> None:
    agreement = make_agreement(status=S.IN_REVIEW, unicef_contribution=Decimal("0"))
    assert "unicef_contribution" in refused(agreement, "sign", actor("pablo"))


def test_signing_without_results_is_refused_naming_results(make_agreement, actor) -> None:
    agreement = make_agreement(status=S.IN_REVIEW, results=[])
    errors = refused(agreement, "sign", actor("pablo"))
    assert list(errors) == ["results"]
    assert Agreement.objects.get(pk=agreement.pk).status == S.IN_REVIEW


def test_all_missing_things_are_named_at_once(make_agreement, actor) -> None:
    agreement = make_agreement(status=S.IN_REVIEW, unicef_contribution=None, results=[])
    assert set(refused(agreement, "sign", actor("pablo"))) == {"unicef_contribution", "results"}


def test_signing_sets_the_signature_date_given_or_today(make_agreement, actor) -> None:
    from django.utils import timezone

    given = make_agreement(status=S.IN_REVIEW)
    signed = agreement_transition(
        agreement=given, transition="sign", user=actor("pablo"), on=date(2012, 5, 1)
    )
    assert signed.signed_date == date(2012, 5, 1)
    today = make_agreement(status=S.IN_REVIEW, end_date=date(2099, 1, 1))
    signed = agreement_transition(agreement=today, transition="sign", user=actor("pablo"))
    assert signed.signed_date == timezone.localdate()


def test_sign_checks_completeness_again_after_edits_in_review(make_agreement, actor) -> None:
    from ayni.partners.services import agreement_update

    agreement = make_agreement(status=S.IN_REVIEW)
    agreement = agreement_update(agreement=agreement, end_date=None)
    assert list(refused(agreement, "sign", actor("pablo"))) == ["end_date"]


def test_a_signature_after_the_end_is_refused(make_agreement, actor) -> None:
    agreement = make_agreement(status=S.IN_REVIEW)
    assert "date" in refused(agreement, "sign", actor("pablo"), on=date(2014, 1, 1))


def test_submit_needs_dates_in_order(make_agreement, actor) -> None:
    agreement = make_agreement(start_date=None, end_date=None)
    errors = refused(agreement, "submit", actor("pablo"))
    assert set(errors) == {"start_date", "end_date"}
    assert Agreement.objects.get(pk=agreement.pk).status == S.DRAFT


def test_submit_refuses_an_end_before_the_start(make_agreement, actor) -> None:
    agreement = make_agreement()
    # The services refuse such dates too; force them to prove the guard checks on its own.
    Agreement.objects.filter(pk=agreement.pk).update(end_date=date(2011, 1, 1))
    agreement.refresh_from_db()
    assert "end_date" in refused(agreement, "submit", actor("pablo"))


def test_an_ended_agreement_cannot_be_resumed_or_terminated(make_agreement, actor) -> None:
    agreement = make_agreement(status=S.ENDED)
    assert "status" in refused(agreement, "resume", actor("pablo"))
    assert "status" in refused(agreement, "terminate", actor("pablo"), reason="late")
    assert AGREEMENT.available(agreement, actor("pablo")) == []


def test_a_draft_cannot_be_signed_directly(make_agreement, actor) -> None:
    assert "status" in refused(make_agreement(), "sign", actor("pablo"))


def test_terminate_needs_a_reason_and_keeps_it(make_agreement, actor) -> None:
    agreement = make_agreement(status=S.ACTIVE)
    errors = refused(agreement, "terminate", actor("pablo"), reason="  ", confirm=True)
    assert list(errors) == ["reason"]
    assert Agreement.objects.get(pk=agreement.pk).status == S.ACTIVE
    agreement_transition(
        agreement=agreement,
        transition="terminate",
        user=actor("pablo"),
        reason="The partner closed its office in Apurímac.",
        confirm=True,
    )
    event = agreement.workflow_events.get(transition="terminate")
    assert event.reason == "The partner closed its office in Apurímac."


def test_suspend_needs_a_reason(make_agreement, actor) -> None:
    agreement = make_agreement(status=S.ACTIVE)
    assert "reason" in refused(agreement, "suspend", actor("pablo"))


def test_an_unknown_transition_is_named(make_agreement, actor) -> None:
    assert "transition" in refused(make_agreement(), "approve", actor("pablo"))


@pytest.mark.parametrize("name", ["pia", "carlos", "rosa", "diego", "paula", "bruno"])
def test_only_office_deciders_take_transitions(make_agreement, actor, name) -> None:
    # The caller asks (services do not): the steps are actions of the agreement's policy.
    agreement = make_agreement("PLAN", status=S.IN_REVIEW)
    assert not any(has_perm(actor(name), step, agreement) for step in AGREEMENT.actions)
    assert AGREEMENT.available(agreement, actor(name)) == []


def test_administrators_managers_and_superusers_may(make_agreement, actor) -> None:
    agreement = make_agreement(status=S.IN_REVIEW)
    for name in ("ana", "pablo", "root"):
        assert has_perm(actor(name), "sign", agreement)
        names = [t.name for t in AGREEMENT.available(agreement, actor(name))]
        assert names == ["return_to_draft", "sign", "terminate"]


def test_end_and_terminate_cannot_be_undone_and_ask_for_confirmation(make_agreement, actor) -> None:
    irreversible = {t.name for t in AGREEMENT.transitions.values() if t.irreversible}
    assert irreversible == {"end", "terminate"}
    agreement = make_agreement(status=S.ACTIVE)
    assert list(refused(agreement, "end", actor("pablo"))) == ["confirm"]
    assert Agreement.objects.get(pk=agreement.pk).status == S.ACTIVE
    agreement_transition(agreement=agreement, transition="end", user=actor("pablo"), confirm=True)
    assert Agreement.objects.get(pk=agreement.pk).status == S.ENDED


def test_a_backdated_signature_stores_the_date_entered(make_agreement, actor) -> None:
    agreement = make_agreement(status=S.IN_REVIEW, end_date=date(2016, 12, 31))
    signed = agreement_transition(
        agreement=agreement, transition="sign", user=actor("pablo"), on=date(2014, 3, 5)
    )
    assert signed.signed_date == date(2014, 3, 5)
    event = agreement.workflow_events.get(transition="sign")
    assert event.effective_date == date(2014, 3, 5)
    assert event.recorded_at.date() > date(2014, 3, 5)


def test_a_step_cannot_be_dated_before_the_previous_one(make_agreement, actor) -> None:
    agreement = make_agreement(status=S.IN_REVIEW)  # submitted on 2012-02-20
    errors = refused(agreement, "sign", actor("pablo"), on=date(2012, 2, 19))
    assert list(errors) == ["date"] and "2012-02-20" in errors["date"][0]
    assert Agreement.objects.get(pk=agreement.pk).signed_date is None


def test_the_audit_trail_records_the_status_change(make_agreement, actor) -> None:
    agreement = make_agreement(status=S.IN_REVIEW)
    agreement_transition(agreement=agreement, transition="return_to_draft", user=actor("ana"))
    entry = LogEntry.objects.get_for_object(agreement).latest("timestamp")
    assert entry.changes_dict["status"] == ["in_review", "draft"]
