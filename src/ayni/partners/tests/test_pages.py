"""Agreement, report and organisation pages: lists, filters, downloads, forms and buttons."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import load_workbook

from ayni.partners.models import Agreement, Organisation

pytestmark = pytest.mark.django_db
LIST = reverse("partners:agreement-list")


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


def rows_of(response) -> list[str]:
    return [a.reference for a in response.context["agreement_list"]]


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_list_filters_by_status_type_partner_and_search(client_for, make_agreement) -> None:
    signed = make_agreement("PLAN", status="signed", reference="PER/PCA/A", title="Nutrition")
    draft = make_agreement("CARE", reference="PER/SSFA/B", type=Agreement.Type.SSFA)
    pablo = client_for("pablo")
    assert rows_of(pablo.get(LIST, {"status": "signed"})) == [signed.reference]
    assert rows_of(pablo.get(LIST, {"type": "ssfa"})) == [draft.reference]
    assert rows_of(pablo.get(LIST, {"partner": draft.organisation_id})) == [draft.reference]
    assert rows_of(pablo.get(LIST, {"q": "nutri"})) == [signed.reference]
    assert rows_of(pablo.get(LIST, {"q": "ssfa/b"})) == [draft.reference]
    # An unknown status and a partner that is not an id are each a 400 naming it.
    unknown = pablo.get(LIST, {"status": "nope"}, HTTP_ACCEPT_LANGUAGE="en")
    assert unknown.status_code == 400
    assert "status: Choose one of: draft" in unknown.content.decode()
    refused = pablo.get(LIST, {"partner": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "partner: Enter a whole number." in refused.content.decode()


def test_list_sorts_by_column(client_for, make_agreement) -> None:
    make_agreement(reference="B", unicef_contribution=Decimal("10"))
    make_agreement(reference="A", unicef_contribution=Decimal("30"))
    make_agreement(reference="C", unicef_contribution=Decimal("20"))
    pablo = client_for("pablo")
    assert rows_of(pablo.get(LIST, {"sort": "reference"})) == ["A", "B", "C"]
    assert rows_of(pablo.get(LIST, {"sort": "-unicef_contribution"})) == ["A", "C", "B"]


def test_totals_are_per_currency_over_all_filtered_rows(client_for, make_agreement) -> None:
    make_agreement(unicef_contribution=Decimal("100.50"))
    make_agreement(unicef_contribution=Decimal("200.25"))
    make_agreement(currency="PEN", unicef_contribution=Decimal("1000"))
    make_agreement("CARE", unicef_contribution=Decimal("5"))
    response = client_for("pablo").get(LIST, {"partner": make_agreement().organisation_id})
    totals = {row["currency"]: row["total"] for row in response.context["totals"]}
    assert totals == {"USD": Decimal("150300.75"), "PEN": Decimal("1000.00")}


def test_csv_download_has_every_row_and_escapes_formulas(client_for, make_agreement) -> None:
    make_agreement(title='=HYPERLINK("http://evil")', reference="PER/1")
    make_agreement("CARE", title="Water and sanitation", reference="PER/2")
    response = english(client_for("pablo")).get(LIST, {"format": "csv", "sort": "reference"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "Reference",
        "Title",
        "Partner",
        "Type",
        "Status",
        "Start",
        "End",
        "Currency",
        "UNICEF contribution",
    ]
    assert [r[0] for r in rows[1:]] == ["PER/1", "PER/2"]
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'
    assert rows[2][2] == "CARE" and rows[2][8] == "150000.00"


def test_xlsx_download_has_the_rows(client_for, make_agreement) -> None:
    make_agreement(reference="PER/1", title="Birth registration")
    make_agreement("CARE", reference="PER/2", title="Water")
    response = client_for("pablo").get(LIST, {"format": "xlsx", "sort": "reference"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert [v[0] for v in values[1:]] == ["PER/1", "PER/2"]
    assert values[1][1] == "Birth registration"


def test_downloads_are_scoped_too(client_for, make_agreement) -> None:
    make_agreement("PLAN", reference="PER/PLAN")
    make_agreement("CARE", reference="PER/CARE")
    response = client_for("pia").get(LIST, {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "PER/PLAN" in text and "PER/CARE" not in text


def test_list_page_query_count_does_not_grow(
    client_for, make_agreement, django_assert_max_num_queries
) -> None:
    for _ in range(30):
        make_agreement(places=["03"])
    client = client_for("pablo")
    with django_assert_max_num_queries(8):
        response = client.get(LIST)
    assert len(response.context["agreement_list"]) == 30
    with django_assert_max_num_queries(8):
        client.get(LIST, {"format": "csv"}).getvalue()


def test_illustrative_agreements_carry_a_badge(client_for, make_agreement) -> None:
    agreement = make_agreement(is_illustrative=True)
    for url in (LIST, agreement.get_absolute_url()):
        assert b'class="badge illustrative"' in client_for("pablo").get(url).content


def test_refused_signature_comes_back_naming_the_field(client_for, make_agreement) -> None:
    agreement = make_agreement(status="in_review", unicef_contribution=None)
    pablo = english(client_for("pablo"))
    response = pablo.post(
        reverse("partners:agreement-transition", args=[agreement.pk]),
        {"transition": "sign"},
        follow=True,
    )
    body = response.content.decode()
    assert "UNICEF contribution: An agreement cannot be signed without a budget" in body
    agreement.refresh_from_db()
    assert agreement.status == "in_review" and agreement.signed_date is None


def test_detail_page_offers_the_available_transitions(client_for, make_agreement) -> None:
    agreement = make_agreement(status="active")
    response = english(client_for("pablo")).get(agreement.get_absolute_url())
    names = [t.name for t in response.context["transitions"]]
    assert names == ["suspend", "end", "terminate"]
    body = response.content.decode()
    assert 'value="terminate"' in body and 'name="reason"' in body
    assert 'value="sign"' not in body


def test_terminate_from_the_page_asks_for_a_reason_and_shows_it(client_for, make_agreement) -> None:
    agreement = make_agreement(status="signed")
    pablo = english(client_for("pablo"))
    url = reverse("partners:agreement-transition", args=[agreement.pk])
    response = pablo.post(url, {"transition": "terminate", "reason": ""}, follow=True)
    assert "Reason: Give the reason." in response.content.decode()
    assert Agreement.objects.get(pk=agreement.pk).status == "signed"
    response = pablo.post(
        url, {"transition": "terminate", "reason": "Partner withdrew", "confirm": "on"}, follow=True
    )
    assert Agreement.objects.get(pk=agreement.pk).status == "terminated"
    assert "Partner withdrew" in response.content.decode()  # the history on the page


def test_a_bad_signature_date_is_refused(client_for, make_agreement) -> None:
    agreement = make_agreement(status="in_review")
    response = english(client_for("pablo")).post(
        reverse("partners:agreement-transition", args=[agreement.pk]),
        {"transition": "sign", "date": "01/05/2012"},
    )
    assert any(m.startswith("Signature date:") for m in messages_of(response))
    assert Agreement.objects.get(pk=agreement.pk).status == "in_review"


def form_data(programme, **overrides) -> dict:
    data = {
        "reference": "PER/PCA/2012/900",
        "type": "pca",
        "title": "Intercultural bilingual education",
        "organisation": Organisation.objects.get(acronym="PLAN").pk,
        "programme": programme.pk,
        "start_date": "2012-04-01",
        "end_date": "2013-03-31",
        "currency": "USD",
        "unicef_contribution": "",
        "partner_contribution": "",
        "results": [],
        "locations": [],
        "source": "",
    }
    data.update(overrides)
    return data


def test_create_form_saves_a_draft(client_for, programme) -> None:
    from ayni.partners.tests.conftest import place

    data = form_data(
        programme,
        results=[programme.results.get(code="C1.1.1").pk],
        locations=[place("0301").pk],
        unicef_contribution="80000",
    )
    response = client_for("pablo").post(reverse("partners:agreement-create"), data)
    agreement = Agreement.objects.get(reference="PER/PCA/2012/900")
    assert response.status_code == 302 and response["Location"] == agreement.get_absolute_url()
    assert agreement.status == "draft" and agreement.country_office.code == "peru"
    assert [r.code for r in agreement.results.all()] == ["C1.1.1"]


def test_create_form_says_what_is_wrong(client_for, programme) -> None:
    data = form_data(programme, title="", currency="ZZZ", end_date="2011-01-01")
    data["organisation"] = Organisation.objects.get(acronym="SCB").pk  # Bolivia's: not offered
    response = english(client_for("pablo")).post(reverse("partners:agreement-create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"title", "organisation", "currency", "end_date"}
    body = response.content.decode()
    assert "There is a problem" in body and 'class="error"' in body
    assert not Agreement.objects.filter(reference="PER/PCA/2012/900").exists()


def test_form_offers_only_the_offices_choices(client_for, programme) -> None:
    form = client_for("pablo").get(reverse("partners:agreement-create")).context["form"]
    assert "SCB" not in {o.acronym for o in form.fields["organisation"].queryset}
    depths = set(form.fields["locations"].queryset.values_list("level__depth", flat=True))
    assert depths == {1, 2}
    assert form.fields["results"].queryset.count() == 8


def test_edit_form_only_before_signature(client_for, make_agreement) -> None:
    draft = make_agreement()
    pablo = client_for("pablo")
    response = pablo.get(reverse("partners:agreement-edit", args=[draft.pk]))
    assert response.status_code == 200
    signed = make_agreement(status="signed")
    response = pablo.get(reverse("partners:agreement-edit", args=[signed.pk]))
    assert response.status_code == 302 and response["Location"] == signed.get_absolute_url()
    data = form_data(signed.programme, reference=signed.reference, title="Changed")
    response = pablo.post(reverse("partners:agreement-edit", args=[signed.pk]), data)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert Agreement.objects.get(pk=signed.pk).title != "Changed"


def test_edit_then_sign_from_the_pages(client_for, make_agreement, programme) -> None:
    agreement = make_agreement(status="in_review", unicef_contribution=None, results=[])
    pablo = client_for("pablo")
    data = form_data(
        programme,
        reference=agreement.reference,
        unicef_contribution="120000.00",
        results=[programme.results.get(code="C2.1").pk],
    )
    response = pablo.post(reverse("partners:agreement-edit", args=[agreement.pk]), data)
    assert response.status_code == 302
    pablo.post(
        reverse("partners:agreement-transition", args=[agreement.pk]),
        {"transition": "sign", "date": "2012-04-15"},
    )
    agreement.refresh_from_db()
    assert agreement.status == "signed" and str(agreement.signed_date) == "2012-04-15"
    assert agreement.workflow_events.filter(transition="sign").exists()


def test_report_pages_return_with_a_reason(client_for, make_agreement, actor) -> None:
    from ayni.partners.services import partner_report_create, partner_report_submit

    agreement = make_agreement("PLAN", status="active")
    report = partner_report_create(
        agreement=agreement,
        period_start=agreement.start_date,
        period_end=agreement.start_date.replace(month=6),
        narrative="Progress",
    )
    partner_report_submit(report=report, user=actor("pia"))
    pablo = english(client_for("pablo"))
    page = pablo.get(report.get_absolute_url())
    assert page.context["can_review"] and not page.context["can_edit"]
    url = reverse("partners:report-action", args=[report.pk, "return"])
    response = pablo.post(url, {"reason": ""})
    assert "Reason: Say what the partner should change." in messages_of(response)
    pablo.post(url, {"reason": "Add beneficiaries by sex."})
    report.refresh_from_db()
    assert report.status == "returned"
    pia = english(client_for("pia"))
    pia_page = pia.get(report.get_absolute_url())
    assert pia_page.context["can_edit"] and b"Add beneficiaries by sex." in pia_page.content
    edit = reverse("partners:report-edit", args=[report.pk])
    response = pia.post(
        edit,
        {
            "period_start": report.period_start.isoformat(),
            "period_end": report.period_end.isoformat(),
            "narrative": "Progress: 320 girls and 298 boys registered.",
            "challenges": "",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.narrative.startswith("Progress: 320 girls")
    assert client_for("carlos").get(edit).status_code == 404


def test_report_form_names_a_period_outside_the_agreement(client_for, make_agreement) -> None:
    agreement = make_agreement("PLAN", status="active")
    response = client_for("pia").post(
        reverse("partners:report-create", args=[agreement.pk]),
        {"period_start": "2011-01-01", "period_end": "2011-06-30", "narrative": "x"},
    )
    assert response.status_code == 200 and "period_start" in response.context["form"].errors


def test_report_create_is_refused_for_a_draft_agreement(client_for, make_agreement) -> None:
    agreement = make_agreement("PLAN")
    response = client_for("pablo").get(reverse("partners:report-create", args=[agreement.pk]))
    assert response.status_code == 302 and response["Location"] == agreement.get_absolute_url()


def test_organisation_create_and_edit(client_for, actor) -> None:
    ana = client_for("ana")
    data = {
        "name": "Mesa de Concertación para la Lucha contra la Pobreza",
        "acronym": "MCLCP",
        "type": "coordination_body",
        "iati_identifier": "",
        "website": "",
        "source": "",
    }
    response = ana.post(reverse("partners:organisation-create"), data)
    created = Organisation.objects.get(acronym="MCLCP")
    assert response.status_code == 302 and created.country_office == actor("ana").country_office
    data["iati_identifier"] = "PE-RUC-20000000001"
    ana.post(reverse("partners:organisation-edit", args=[created.pk]), data)
    created.refresh_from_db()
    assert created.iati_identifier == "PE-RUC-20000000001"
    duplicate = dict(data, name="plan international")
    response = ana.post(reverse("partners:organisation-create"), duplicate)
    assert "name" in response.context["form"].errors


@pytest.mark.parametrize("name", ["pia", "rosa", "diego"])
def test_organisation_forms_are_for_office_editors(client_for, name) -> None:
    plan = Organisation.objects.get(acronym="PLAN")
    assert client_for(name).get(reverse("partners:organisation-create")).status_code == 403
    edit = client_for(name).get(reverse("partners:organisation-edit", args=[plan.pk]))
    assert edit.status_code in {403, 404}
    assert (
        client_for("bruno").get(reverse("partners:organisation-edit", args=[plan.pk])).status_code
        == 404
    )


def test_organisation_list_searches_sorts_and_downloads(client_for) -> None:
    client = client_for("pablo")
    found = client.get("/partners/", {"q": "care"}).context["organisation_list"]
    assert [o.acronym for o in found] == ["CARE"]
    ordered = client.get("/partners/", {"sort": "-acronym"}).context["organisation_list"]
    assert [o.acronym for o in ordered][:2] == ["PLAN", "CIDA"]
    response = client.get("/partners/", {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "CARE" in b"".join(response.streaming_content).decode()
