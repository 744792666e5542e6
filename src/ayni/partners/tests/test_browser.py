"""Agreements in Debian's Chromium: the office's workflow end to end, and a partner's view."""

from datetime import date
from decimal import Decimal

import pytest

from ayni.accounts.models import CountryOffice, User
from ayni.core.tests.world import PASSWORD, build_world, make_programme
from ayni.geography.models import Location
from ayni.partners.models import Agreement, Organisation
from ayni.partners.services import agreement_create, agreement_transition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db) -> dict:
    # Transactional tests start from an empty database: build the shared fixtures again.
    if not Location.objects.exists():
        build_world()
    office = CountryOffice.objects.get(code="peru")
    programme = make_programme()
    abancay = Location.objects.get(country__iso2="PE", code="0301")

    def agreement(acronym: str, reference: str, title: str) -> Agreement:
        return agreement_create(
            country_office=office,
            organisation=Organisation.objects.get(country_office=office, acronym=acronym),
            reference=reference,
            type=Agreement.Type.PCA,
            title=title,
            programme=programme,
            start_date=date(2012, 3, 1),
            end_date=date(2013, 12, 31),
            unicef_contribution=Decimal("150000"),
            results=[programme.results.get(code="C1.1")],
            locations=[abancay],
        )

    plan = agreement("PLAN", "PER/PCA/2012/001", "Early childhood in Apurímac")
    for step in ("submit", "sign", "activate"):
        plan = agreement_transition(
            agreement=plan, transition=step, user=User.objects.get(username="pablo")
        )
    care = agreement("CARE", "PER/PCA/2012/002", "Water and hygiene in schools")
    return {"plan": plan, "care": care, "programme": programme}


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Nombre de usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_url(f"{live_server.url}/")
    # Spanish translations of these pages come later: read them in English.
    page.get_by_test_id("lang-en").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"


def expect_status(page, status: str) -> None:
    """Waits (retrying) for the page after a button's POST and redirect to show ``status``."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("agreement-status")).to_have_text(status)


def test_pablo_creates_submits_and_signs_an_agreement(live_server, page, world) -> None:
    sign_in(page, live_server, "pablo")
    page.goto(f"{live_server.url}/partners/agreements/")
    rows = page.locator("table.data tbody tr")
    assert rows.count() == 2

    page.get_by_label("Partner", exact=True).select_option(label="CARE Perú (CARE)")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**partner=*")
    assert rows.count() == 1 and "PER/PCA/2012/002" in rows.first.inner_text()
    page.get_by_role("link", name="PER/PCA/2012/002").click()
    assert "Water and hygiene in schools" in page.get_by_role("heading", level=1).inner_text()

    # A new agreement through the form, without a budget or a result.
    page.goto(f"{live_server.url}/partners/agreements/")
    page.get_by_role("link", name="New agreement").click()
    page.get_by_label("Reference").fill("PER/SSFA/2012/003")
    page.get_by_label("Type").select_option(label="Small scale funding agreement")
    page.get_by_label("Title").fill("Birth registration in Andahuaylas")
    page.get_by_label("Partner", exact=True).select_option(label="Plan International (PLAN)")
    page.get_by_label("Programme").select_option(label="Test programme")
    page.get_by_label("Start").fill("2012-06-01")
    page.get_by_label("End").fill("2013-05-31")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/partners/agreements/*/")
    expect_status(page, "draft")

    # Each step takes the day it took effect (today unless changed), never before the last.
    page.locator("#id_submit_date").fill("2012-05-15")
    page.get_by_role("button", name="Submit for review").click()
    expect_status(page, "in review")

    page.get_by_role("button", name="Sign", exact=True).click()
    errors = page.locator("ul.messages li.error")
    errors.first.wait_for()
    assert (
        "UNICEF contribution: An agreement cannot be signed without a budget"
        in (errors.all_inner_texts()[0])
    )
    assert any(text.startswith("Results:") for text in errors.all_inner_texts())
    expect_status(page, "in review")

    page.get_by_role("link", name="Edit").click()
    page.get_by_label("UNICEF contribution").fill("90000")
    page.get_by_label("Results").select_option(label="C1.1 Output 1.1")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/partners/agreements/*/")
    assert "90,000.00" in page.get_by_test_id("unicef-contribution").inner_text()

    page.get_by_label("Signature date").fill("2012-05-20")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect_status(page, "signed")
    assert page.get_by_role("cell", name="in review → signed").is_visible()
    assert Agreement.objects.get(reference="PER/SSFA/2012/003").signed_date == date(2012, 5, 20)


def test_terminating_asks_for_confirmation_without_javascript(live_server, browser, world) -> None:
    context = browser.new_context(locale="es-PE", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, live_server, "pablo")
        page.goto(f"{live_server.url}{world['plan'].get_absolute_url()}")
        page.locator("#id_terminate_reason").fill("The partner left Apurímac.")
        page.get_by_role("button", name="Terminate").click()
        page.get_by_role("heading", name="This cannot be undone").wait_for()
        assert Agreement.objects.get(pk=world["plan"].pk).status == "active"
        page.get_by_label("I understand this cannot be undone").check()
        page.get_by_role("button", name="Terminate").click()
        expect_status(page, "terminated")
        assert page.get_by_role("cell", name="The partner left Apurímac.").is_visible()
    finally:
        context.close()


def test_the_form_says_what_is_wrong(live_server, page, world) -> None:
    sign_in(page, live_server, "pablo")
    page.goto(f"{live_server.url}/partners/agreements/new/")
    page.get_by_label("Reference").fill("PER/1")
    page.get_by_label("Currency").fill("ZZZ")
    page.get_by_role("button", name="Save").click()
    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    assert "Title" in summary.inner_text() and "Currency" in summary.inner_text()
    assert not Agreement.objects.filter(reference="PER/1").exists()


def test_pia_sees_only_her_organisations_agreement(live_server, page, world) -> None:
    sign_in(page, live_server, "pia")
    page.goto(f"{live_server.url}/partners/agreements/")
    rows = page.locator("table.data tbody tr")
    assert rows.count() == 1
    assert "PER/PCA/2012/001" in rows.first.inner_text()
    assert "PER/PCA/2012/002" not in page.content()
    assert page.get_by_role("link", name="New agreement").count() == 0

    page.get_by_role("link", name="PER/PCA/2012/001").click()
    expect_status(page, "active")
    assert page.get_by_role("button", name="Terminate").count() == 0
    page.get_by_role("link", name="Plan International (PLAN)").first.click()
    page.wait_for_url(f"**/partners/{world['plan'].organisation_id}/")
    assert page.get_by_role("link", name="PER/PCA/2012/001").is_visible()
    assert "PER/PCA/2012/002" not in page.content()

    response = page.goto(f"{live_server.url}/partners/agreements/{world['care'].pk}/")
    assert response.status == 404
