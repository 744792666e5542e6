"""Who sees and does what with agreements and partner reports, on the pages and in the API.

Two active agreements of the Peru office: PLAN's in Abancay (Apurímac, 0301) and CARE's in
Cusco (08). Each role is named with what it must see and what it must be refused.
"""

from datetime import date

import pytest
from django.urls import reverse

from ayni.partners.models import Agreement, PartnerReport
from ayni.partners.services import partner_report_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_agreement) -> dict:
    plan = make_agreement("PLAN", status=Agreement.Status.ACTIVE, places=["0301"])
    care = make_agreement("CARE", status=Agreement.Status.ACTIVE, places=["08"])
    return {
        "plan": plan,
        "care": care,
        "plan_report": partner_report_create(
            agreement=plan, period_start=date(2012, 3, 1), period_end=date(2012, 6, 30)
        ),
        "care_report": partner_report_create(
            agreement=care, period_start=date(2012, 3, 1), period_end=date(2012, 6, 30)
        ),
    }


# Who sees which agreement: None = refused the whole list (403).
SEES = {
    "ana": {"plan", "care"},
    "pablo": {"plan", "care"},
    "root": {"plan", "care"},
    "pia": {"plan"},
    "carlos": {"care"},
    "rosa": {"plan"},  # Abancay is inside Apurímac; Cusco is not
    "bruno": set(),  # Bolivia's administrator: nothing of Peru
    "diego": None,  # donor viewers read no agreements
    "paula": None,
}


@pytest.mark.parametrize("name", list(SEES))
def test_agreement_list_page_shows_only_what_the_role_may_see(client_for, world, name) -> None:
    response = client_for(name).get(reverse("partners:agreement-list"))
    expected = SEES[name]
    if expected is None:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    shown = {a.pk for a in response.context["agreement_list"]}
    assert shown == {world[key].pk for key in expected}


@pytest.mark.parametrize("name", list(SEES))
def test_agreement_api_list_shows_only_what_the_role_may_see(api_for, world, name) -> None:
    response = api_for(name).get("/api/agreements/")
    expected = SEES[name]
    if expected is None:
        assert response.status_code == 403
        return
    assert {row["id"] for row in response.json()["results"]} == {world[key].pk for key in expected}


@pytest.mark.parametrize("name", ["pia", "carlos", "rosa", "bruno", "diego", "paula"])
def test_an_agreement_outside_scope_is_not_revealed(client_for, api_for, world, name) -> None:
    for key in ("plan", "care"):
        if SEES[name] and key in SEES[name]:
            continue
        agreement = world[key]
        page = client_for(name).get(reverse("partners:agreement-detail", args=[agreement.pk]))
        api = api_for(name).get(f"/api/agreements/{agreement.pk}/")
        # Roles that may read some agreements get 404 (existence hidden); others 403 outright.
        expected = 404 if SEES[name] is not None else 403
        assert (page.status_code, api.status_code) == (expected, expected)


def test_pia_reads_her_agreement_page_without_workflow_buttons(client_for, world) -> None:
    response = client_for("pia").get(reverse("partners:agreement-detail", args=[world["plan"].pk]))
    assert response.status_code == 200
    assert response.context["transitions"] == []
    assert b'name="transition"' not in response.content


def test_anonymous_visitors_are_sent_to_sign_in(client, api_for, world) -> None:
    response = client.get(reverse("partners:agreement-list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert api_for(None).get("/api/agreements/").status_code in {401, 403}


REPORTS_SEEN = {
    "pablo": {"plan_report", "care_report"},
    "pia": {"plan_report"},
    "carlos": {"care_report"},
    "bruno": set(),
    "rosa": None,  # regional focal points read agreements in their places, nothing else
    "diego": None,
}


@pytest.mark.parametrize("name", list(REPORTS_SEEN))
def test_partner_reports_are_scoped(api_for, client_for, world, name) -> None:
    response = api_for(name).get("/api/partner-reports/")
    expected = REPORTS_SEEN[name]
    if expected is None:
        assert response.status_code == 403
        return
    assert {r["id"] for r in response.json()["results"]} == {world[k].pk for k in expected}
    for key in {"plan_report", "care_report"} - expected:
        url = reverse("partners:report-detail", args=[world[key].pk])
        assert client_for(name).get(url).status_code == 404
        assert api_for(name).get(f"/api/partner-reports/{world[key].pk}/").status_code == 404


def test_events_are_scoped_like_reports(api_for, world) -> None:
    plan_events = set(world["plan"].workflow_events.values_list("pk", flat=True))
    rows = api_for("pia").get("/api/agreement-events/").json()["results"]
    assert {r["id"] for r in rows} == plan_events
    assert api_for("rosa").get("/api/agreement-events/").status_code == 403
    # Read-only: the workflow writes events, never a client.
    payload = {"agreement": world["plan"].pk, "transition": "end", "from_status": "active"}
    response = api_for("pablo").post("/api/agreement-events/", payload, format="json")
    assert response.status_code in {403, 405}
    assert world["plan"].workflow_events.count() == len(plan_events)


def test_pia_creates_and_submits_a_report_on_the_page_but_cannot_accept(client_for, world) -> None:
    pia, plan = client_for("pia"), world["plan"]
    url = reverse("partners:report-create", args=[plan.pk])
    assert pia.get(url).status_code == 200
    response = pia.post(
        url,
        {
            "period_start": "2012-07-01",
            "period_end": "2012-12-31",
            "narrative": "Twelve early-learning centres opened in Abancay.",
            "challenges": "Rains delayed two.",
        },
    )
    report = PartnerReport.objects.get(agreement=plan, period_start=date(2012, 7, 1))
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    submit = reverse("partners:report-action", args=[report.pk, "submit"])
    assert pia.post(submit).status_code == 302
    report.refresh_from_db()
    assert report.status == PartnerReport.Status.SUBMITTED
    accept = reverse("partners:report-action", args=[report.pk, "accept"])
    assert pia.post(accept).status_code == 403
    assert PartnerReport.objects.get(pk=report.pk).status == PartnerReport.Status.SUBMITTED
    # Accepting cannot be undone: without the box ticked, the confirmation page comes first.
    pablo = client_for("pablo")
    assert pablo.post(accept).status_code == 200
    assert PartnerReport.objects.get(pk=report.pk).status == PartnerReport.Status.SUBMITTED
    assert pablo.post(accept, {"confirm": "on"}).status_code == 302
    assert PartnerReport.objects.get(pk=report.pk).status == PartnerReport.Status.ACCEPTED


def test_pia_cannot_report_on_cares_agreement(client_for, api_for, world) -> None:
    url = reverse("partners:report-create", args=[world["care"].pk])
    assert client_for("pia").get(url).status_code == 404
    response = api_for("pia").post(
        "/api/partner-reports/",
        {"agreement": world["care"].pk, "period_start": "2012-07-01", "period_end": "2012-09-30"},
        format="json",
    )
    assert response.status_code == 400 and "agreement" in response.json()["error"]["fields"]
    assert not PartnerReport.objects.filter(period_start=date(2012, 7, 1)).exists()


def test_pia_reports_through_the_api_and_pablo_accepts(api_for, world) -> None:
    pia = api_for("pia")
    created = pia.post(
        "/api/partner-reports/",
        {
            "agreement": world["plan"].pk,
            "period_start": "2012-07-01",
            "period_end": "2012-09-30",
            "narrative": "Two municipalities adopted the child budget.",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert pia.post(f"/api/partner-reports/{pk}/submit/").json()["status"] == "submitted"
    assert pia.post(f"/api/partner-reports/{pk}/accept/").status_code == 403
    returned = api_for("pablo").post(
        f"/api/partner-reports/{pk}/return/", {"reason": "Name them."}, format="json"
    )
    assert returned.json()["status"] == "returned"
    assert returned.json()["return_reason"] == "Name them."
    assert pia.post(f"/api/partner-reports/{pk}/submit/").status_code == 200
    accept = f"/api/partner-reports/{pk}/accept/"
    assert api_for("pablo").post(accept, {"confirm": True}, format="json").json()["status"] == (
        "accepted"
    )


def test_rosa_and_carlos_cannot_touch_plans_report(api_for, client_for, world) -> None:
    pk = world["plan_report"].pk
    assert api_for("carlos").post(f"/api/partner-reports/{pk}/submit/").status_code == 404
    assert api_for("rosa").post(f"/api/partner-reports/{pk}/submit/").status_code == 403
    submit = reverse("partners:report-action", args=[pk, "submit"])
    assert client_for("carlos").post(submit).status_code == 404


@pytest.mark.parametrize("name", ["pia", "rosa", "diego"])
def test_only_office_editors_create_and_edit_agreements(client_for, api_for, world, name) -> None:
    assert client_for(name).get(reverse("partners:agreement-create")).status_code == 403
    edit = reverse("partners:agreement-edit", args=[world["plan"].pk])
    assert client_for(name).get(edit).status_code in {403, 404}
    response = api_for(name).patch(
        f"/api/agreements/{world['plan'].pk}/", {"title": "Mine now"}, format="json"
    )
    assert response.status_code in {403, 404}
    assert Agreement.objects.get(pk=world["plan"].pk).title != "Mine now"


def test_pia_cannot_sign_through_the_api_or_the_page(api_for, client_for, make_agreement) -> None:
    agreement = make_agreement("PLAN", status=Agreement.Status.IN_REVIEW)
    response = api_for("pia").post(
        f"/api/agreements/{agreement.pk}/transition/", {"transition": "sign"}, format="json"
    )
    assert response.status_code == 403
    page = client_for("pia").post(
        reverse("partners:agreement-transition", args=[agreement.pk]), {"transition": "sign"}
    )
    assert page.status_code == 403
    assert Agreement.objects.get(pk=agreement.pk).status == Agreement.Status.IN_REVIEW


def test_bruno_cannot_act_on_perus_agreements(api_for, client_for, world) -> None:
    pk = world["plan"].pk
    response = api_for("bruno").post(
        f"/api/agreements/{pk}/transition/", {"transition": "end"}, format="json"
    )
    assert response.status_code == 404
    page = client_for("bruno").post(
        reverse("partners:agreement-transition", args=[pk]), {"transition": "end"}
    )
    assert page.status_code == 404
    assert Agreement.objects.get(pk=pk).status == Agreement.Status.ACTIVE


def test_organisation_page_lists_only_visible_agreements(client_for, world) -> None:
    plan_org = world["plan"].organisation
    pia = client_for("pia").get(reverse("partners:organisation-detail", args=[plan_org.pk]))
    assert list(pia.context["agreements"]) == [world["plan"]]
    assert world["plan"].reference.encode() in pia.content
    care_org = world["care"].organisation
    assert (
        client_for("pia")
        .get(reverse("partners:organisation-detail", args=[care_org.pk]))
        .status_code
        == 404
    )
    rosa = client_for("rosa").get(reverse("partners:organisation-detail", args=[care_org.pk]))
    assert list(rosa.context["agreements"]) == []
    diego = client_for("diego").get(
        reverse("partners:organisation-detail", args=[world["plan"].organisation.pk])
    )
    assert diego.status_code == 404  # his own organisation is CIDA only
