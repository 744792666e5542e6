"""Workflow steps through the API: ``confirm`` for what cannot be undone, the effective date,
403 before the service for those who may not, and each record's history."""

from datetime import date

import pytest

from ayni.partners.models import Agreement, PartnerReport
from ayni.partners.services import partner_report_create, partner_report_submit

pytestmark = pytest.mark.django_db


def step(client, agreement: Agreement, **body):
    return client.post(f"/api/agreements/{agreement.pk}/transition/", body, format="json")


@pytest.mark.parametrize(
    ("transition", "extra", "target"),
    [("end", {}, "ended"), ("terminate", {"reason": "Funds cut"}, "terminated")],
)
def test_end_and_terminate_need_confirm_true(
    api_for, make_agreement, transition, extra, target
) -> None:
    agreement = make_agreement(status="active")
    ana = api_for("ana")
    refused = step(ana, agreement, transition=transition, **extra)
    assert refused.status_code == 400
    assert list(refused.json()["error"]["fields"]) == ["confirm"]
    assert Agreement.objects.get(pk=agreement.pk).status == "active"
    for no in (False, "false"):
        assert step(ana, agreement, transition=transition, confirm=no, **extra).status_code == 400
    done = step(ana, agreement, transition=transition, confirm=True, date="2013-06-30", **extra)
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == target and done.json()["available_transitions"] == []
    event = agreement.workflow_events.get(transition=transition)
    assert (event.actor.username, event.effective_date) == ("ana", date(2013, 6, 30))


def test_reversible_steps_need_no_confirm(api_for, make_agreement) -> None:
    agreement = make_agreement(status="active")
    response = step(api_for("pablo"), agreement, transition="suspend", reason="Elections")
    assert response.status_code == 200 and response.json()["status"] == "suspended"


def test_a_step_the_user_may_not_take_answers_403_and_saves_nothing(
    api_for, make_agreement
) -> None:
    agreement = make_agreement("PLAN", status="active", places=["0301"])
    for name in ("rosa", "pia"):
        response = step(api_for(name), agreement, transition="end", confirm=True)
        assert response.status_code == 403
    assert step(api_for("bruno"), agreement, transition="end").status_code == 404
    assert Agreement.objects.get(pk=agreement.pk).status == "active"


def test_the_agreement_history_endpoint(api_for, make_agreement) -> None:
    agreement = make_agreement("PLAN", status="signed", places=["0301"])
    rows = api_for("pia").get(f"/api/agreements/{agreement.pk}/history/").json()
    assert [(r["transition"], r["effective_date"], r["actor"]) for r in rows] == [
        ("submit", "2012-02-20", "pablo"),
        ("sign", "2012-02-20", "pablo"),
    ]
    # rosa reads the agreement (it is in her region) but not its history.
    assert api_for("rosa").get(f"/api/agreements/{agreement.pk}/").status_code == 200
    assert api_for("rosa").get(f"/api/agreements/{agreement.pk}/history/").status_code == 403
    events = api_for("pablo").get(f"/api/agreement-events/?agreement={agreement.pk}").json()
    assert events["results"][-1]["effective_date"] == "2012-02-20"


@pytest.fixture
def report(make_agreement) -> PartnerReport:
    return partner_report_create(
        agreement=make_agreement("PLAN", status="active"),
        period_start=date(2012, 3, 1),
        period_end=date(2012, 6, 30),
        narrative="Twelve centres opened.",
    )


def test_a_report_is_submitted_with_its_date_and_accepted_with_confirm(api_for, report) -> None:
    url = f"/api/partner-reports/{report.pk}"
    submitted = api_for("pia").post(f"{url}/submit/", {"date": "2012-07-10"}, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    pablo = api_for("pablo")
    refused = pablo.post(f"{url}/accept/", {"date": "2012-07-20"}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()["error"]["fields"]) == ["confirm"]
    accepted = pablo.post(f"{url}/accept/", {"date": "2012-07-20", "confirm": True}, format="json")
    assert accepted.json()["status"] == "accepted"
    history = api_for("pia").get(f"{url}/history/").json()
    assert [(r["transition"], r["effective_date"], r["actor"]) for r in history] == [
        ("submit", "2012-07-10", "pia"),
        ("accept", "2012-07-20", "pablo"),
    ]


def test_a_partner_may_not_accept_even_with_confirm(api_for, report, actor) -> None:
    partner_report_submit(report=report, user=actor("pia"))
    response = api_for("pia").post(
        f"/api/partner-reports/{report.pk}/accept/", {"confirm": True}, format="json"
    )
    assert response.status_code == 403
    assert PartnerReport.objects.get(pk=report.pk).status == "submitted"


def test_returning_needs_a_reason_and_keeps_it(api_for, report, actor) -> None:
    partner_report_submit(report=report, user=actor("pia"))
    url = f"/api/partner-reports/{report.pk}/return/"
    refused = api_for("pablo").post(url, {}, format="json")
    assert list(refused.json()["error"]["fields"]) == ["reason"]
    returned = api_for("pablo").post(url, {"reason": "Count girls and boys."}, format="json")
    assert returned.json()["return_reason"] == "Count girls and boys."
    assert report.workflow_events.last().reason == "Count girls and boys."


def test_the_schema_documents_confirm_and_history(client) -> None:
    schema = client.get("/api/schema/").content
    for text in (b"confirm", b"/api/agreements/{id}/history/", b"/api/grants/{id}/history/"):
        assert text in schema


@pytest.mark.parametrize("path", ["agreements", "partner-reports"])
def test_a_history_answers_as_the_schema_documents_it(make_agreement, report, path) -> None:
    from ayni.core.tests.openapi import call, conform

    record = make_agreement("PLAN", status="signed") if path == "agreements" else report
    case, response = call(
        f"GET /api/{path}/{{id}}/history/", "ana", path_parameters={"id": record.pk}
    )
    assert response.status_code == 200
    assert isinstance(response.json(), list)  # every step, not a page of them
    conform(case, response)
