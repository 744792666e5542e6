"""The step forms on the agreement and report pages: the date field (today by default, the
date entered kept), the confirmation page of irreversible steps (plain HTML, no JavaScript),
who sees which buttons, and the history."""

from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from ayni.partners.models import Agreement, PartnerReport
from ayni.partners.services import partner_report_create, partner_report_submit

pytestmark = pytest.mark.django_db


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def step_url(agreement: Agreement) -> str:
    return reverse("partners:agreement-transition", args=[agreement.pk])


def test_every_step_form_has_a_date_field_defaulting_to_today(client_for, make_agreement) -> None:
    agreement = make_agreement(status="in_review")
    page = english(client_for("pablo")).get(agreement.get_absolute_url())
    today = timezone.localdate().isoformat()
    forms = page.context["steps"]
    assert [f.transition.name for f in forms] == ["return_to_draft", "sign", "terminate"]
    body = page.content.decode()
    for form in forms:
        name = form.transition.name
        assert f'id="id_{name}_date"' in body
        assert form["date"].value() == timezone.localdate()
        assert form.fields["date"].widget.attrs["max"] == today  # no steps in the future
    assert f'value="{today}"' in body
    assert '<label for="id_sign_date">Signature date</label>' in body
    # Only the step that cannot be undone carries the box.
    assert 'id="id_terminate_confirm"' in body and 'id="id_sign_confirm"' not in body


def test_signing_a_2014_agreement_today_records_the_date_entered(
    client_for, make_agreement
) -> None:
    agreement = make_agreement(status="in_review", end_date=date(2016, 12, 31))
    pablo = english(client_for("pablo"))
    response = pablo.post(step_url(agreement), {"transition": "sign", "date": "2014-03-05"})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.status, agreement.signed_date) == ("signed", date(2014, 3, 5))
    page = pablo.get(agreement.get_absolute_url())
    history = page.context["events"]
    assert [(e.transition, e.effective_date) for e in history] == [
        ("submit", date(2012, 2, 20)),
        ("sign", date(2014, 3, 5)),
    ]
    assert "<td>2014-03-05</td><td>Sign</td><td>in review → signed</td><td>pablo</td>" in (
        page.content.decode()
    )


def test_a_future_date_or_one_before_the_previous_step_comes_back_named(
    client_for, make_agreement
) -> None:
    agreement = make_agreement(status="in_review")  # submitted on 2012-02-20
    pablo = english(client_for("pablo"))
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = pablo.post(step_url(agreement), {"transition": "sign", "date": tomorrow})
    assert messages_of(response) == [
        "Signature date: The date of this step cannot be in the future."
    ]
    response = pablo.post(step_url(agreement), {"transition": "sign", "date": "2012-02-01"})
    assert messages_of(response)[-1] == (
        "Signature date: The date cannot be before the previous step (2012-02-20)."
    )
    assert Agreement.objects.get(pk=agreement.pk).status == "in_review"


def test_terminating_asks_for_confirmation_on_a_second_page(client_for, make_agreement) -> None:
    agreement = make_agreement(status="active")
    pablo = english(client_for("pablo"))
    data = {"transition": "terminate", "date": "2013-01-15", "reason": "Partner withdrew"}
    page = pablo.post(step_url(agreement), data)
    assert page.status_code == 200
    assert page.templates[0].name == "core/workflow_confirm.html"
    body = page.content.decode()
    assert "This cannot be undone" in body
    assert '<input type="checkbox" name="confirm" id="id_confirm" required>' in body
    assert '<input type="hidden" name="date" value="2013-01-15">' in body
    assert '<input type="hidden" name="reason" value="Partner withdrew">' in body
    assert f'action="{step_url(agreement)}"' in body
    assert Agreement.objects.get(pk=agreement.pk).status == "active"
    assert not agreement.workflow_events.filter(transition="terminate").exists()

    # The box left unticked on the second page: asked again, still nothing saved.
    again = pablo.post(step_url(agreement), {**data, "confirming": "1"})
    assert again.status_code == 200 and "Tick the box to confirm" in again.content.decode()
    assert Agreement.objects.get(pk=agreement.pk).status == "active"

    done = pablo.post(step_url(agreement), {**data, "confirming": "1", "confirm": "on"})
    assert done.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == "terminated"
    event = agreement.workflow_events.get(transition="terminate")
    assert (event.reason, event.effective_date) == ("Partner withdrew", date(2013, 1, 15))


def test_a_step_that_would_be_refused_is_not_offered_for_confirmation(
    client_for, make_agreement
) -> None:
    agreement = make_agreement(status="active")
    response = english(client_for("pablo")).post(
        step_url(agreement), {"transition": "terminate", "reason": ""}
    )
    assert response.status_code == 302
    assert messages_of(response) == ["Reason: Give the reason."]


def test_the_box_ticked_on_the_agreement_page_takes_the_step_at_once(
    client_for, make_agreement
) -> None:
    agreement = make_agreement(status="active")
    response = client_for("ana").post(
        step_url(agreement), {"transition": "end", "date": "2013-12-31", "confirm": "on"}
    )
    assert response.status_code == 302
    assert Agreement.objects.get(pk=agreement.pk).status == "ended"


@pytest.mark.parametrize("name", ["rosa", "pia"])
def test_those_who_read_but_may_not_decide_see_no_buttons_and_are_refused(
    client_for, make_agreement, name
) -> None:
    agreement = make_agreement("PLAN", status="in_review", places=["0301"])
    client = client_for(name)
    assert client.get(agreement.get_absolute_url()).context["steps"] == []
    response = client.post(step_url(agreement), {"transition": "sign", "date": "2012-03-01"})
    assert response.status_code == 403
    assert Agreement.objects.get(pk=agreement.pk).status == "in_review"


def test_the_history_is_not_shown_to_a_regional_focal_point(client_for, make_agreement) -> None:
    agreement = make_agreement("PLAN", status="active", places=["0301"])
    rosa_page = client_for("rosa").get(agreement.get_absolute_url())
    assert rosa_page.status_code == 200 and not rosa_page.context["show_history"]
    assert b'data-testid="history"' not in rosa_page.content
    pia_page = client_for("pia").get(agreement.get_absolute_url())
    assert b'data-testid="history"' in pia_page.content


@pytest.fixture
def submitted(make_agreement, actor) -> PartnerReport:
    agreement = make_agreement("PLAN", status="active")
    report = partner_report_create(
        agreement=agreement,
        period_start=date(2012, 3, 1),
        period_end=date(2012, 6, 30),
        narrative="Twelve centres opened.",
    )
    return partner_report_submit(report=report, user=actor("pia"), on=date(2012, 7, 10))


def test_a_report_received_on_paper_keeps_its_submission_date(submitted) -> None:
    assert timezone.localtime(submitted.submitted_at).date() == date(2012, 7, 10)
    assert submitted.workflow_events.get().effective_date == date(2012, 7, 10)


def test_the_report_page_offers_accept_and_return_with_dates(client_for, submitted) -> None:
    page = english(client_for("pablo")).get(submitted.get_absolute_url())
    assert [f.transition.name for f in page.context["steps"]] == ["accept", "return"]
    body = page.content.decode()
    assert 'id="id_accept_date"' in body and 'id="id_return_date"' in body
    assert 'id="id_accept_confirm"' in body
    assert '<label for="id_return_reason">What should the partner change?</label>' in body
    assert english(client_for("pia")).get(submitted.get_absolute_url()).context["steps"] == []


def test_accepting_a_report_asks_for_confirmation_then_records_the_date(
    client_for, submitted
) -> None:
    pablo = english(client_for("pablo"))
    url = reverse("partners:report-action", args=[submitted.pk, "accept"])
    page = pablo.post(url, {"date": "2012-07-20"})
    assert page.status_code == 200 and "This cannot be undone" in page.content.decode()
    assert PartnerReport.objects.get(pk=submitted.pk).status == "submitted"
    pablo.post(url, {"date": "2012-07-20", "confirm": "on", "confirming": "1"})
    submitted.refresh_from_db()
    assert submitted.status == "accepted"
    event = submitted.workflow_events.get(transition="accept")
    assert (event.actor.username, event.effective_date) == ("pablo", date(2012, 7, 20))
    history = pablo.get(submitted.get_absolute_url()).content.decode()
    assert "<td>2012-07-20</td><td>Accept</td><td>submitted → accepted</td>" in history


def test_returning_a_report_before_it_was_submitted_is_refused(client_for, submitted) -> None:
    pablo = english(client_for("pablo"))
    url = reverse("partners:report-action", args=[submitted.pk, "return"])
    response = pablo.post(url, {"date": "2012-07-01", "reason": "Add the numbers."})
    assert messages_of(response) == [
        "Effective date: The date cannot be before the previous step (2012-07-10)."
    ]
    assert PartnerReport.objects.get(pk=submitted.pk).status == "submitted"
