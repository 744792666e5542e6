"""Browser tests: the programme screens in both languages, and editing the results tree."""

import re

import pytest

from ayni.accounts.models import CountryOffice
from ayni.core.tests.world import PASSWORD, build_world
from ayni.demo.programme import load_default_programme
from ayni.geography.models import Location

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def default_programme(transactional_db):
    if not Location.objects.exists():
        build_world()
    return load_default_programme(CountryOffice.objects.get(code="peru")).programme


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")


def switch_to(page, language: str) -> None:
    button = page.get_by_test_id(f"lang-{language}")
    if button.count():
        button.click()
        page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == language


def test_dashboard_answers_with_the_cited_figures(live_server, page, default_programme) -> None:
    sign_in(page, live_server, "pablo")
    page.goto(f"{live_server.url}/programmes/")
    switch_to(page, "en")
    assert page.get_by_test_id("planned").inner_text() == "47,150,000.00"
    assert page.get_by_test_id("funded").inner_text() == "17,445,500.00"
    assert page.get_by_test_id("gap").inner_text() == "29,704,500.00"
    assert page.get_by_test_id("funded-pct").inner_text() == "37.0%"
    assert page.locator("figure.chart svg").count() >= 2
    assert page.locator(".badge.illustrative").count() >= 1
    page.get_by_text("Show as table").first.click()
    assert page.locator("details.as-table table").first.is_visible()
    switch_to(page, "es")
    assert page.get_by_test_id("planned").inner_text() == "47\xa0150\xa0000,00"


@pytest.mark.parametrize("language", ["es", "en"])
def test_programme_screens_open_in_both_languages(
    live_server, page, default_programme, language
) -> None:
    sign_in(page, live_server, "ana")
    page.goto(f"{live_server.url}/")
    switch_to(page, language)
    result = default_programme.results.get(code="C1.1")
    for path in [
        default_programme.get_absolute_url(),
        f"/programmes/{default_programme.pk}/results/",
        result.get_absolute_url(),
        "/programmes/frameworks/",
        "/programmes/workplans/",
        "/evidence/",
    ]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("h1").count() == 1


def test_editing_the_results_tree(live_server, page, default_programme) -> None:
    sign_in(page, live_server, "pablo")
    switch_to(page, "en")
    page.goto(f"{live_server.url}/programmes/{default_programme.pk}/results/")
    component = default_programme.results.get(code="C4")
    page.locator(f"#result-{component.pk}").get_by_role("link", name="Add under").click()
    page.locator("#id_code").fill("C4.3")
    page.locator("#id_title_es").fill("Datos abiertos")
    page.locator("#id_title_en").fill("Open data")
    page.locator("#id_sector_code").fill("123")
    page.get_by_role("button", name="Save").click()
    assert page.locator(".error-summary").is_visible()
    assert page.locator("#id_title_en").input_value() == "Open data"
    page.locator("#id_sector_code").fill("15110")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/programmes/results/\d+/$"))
    assert "C4.3" in page.locator("h1").inner_text()
    page.locator("#id_reason").fill("Merged into C4.2")
    page.get_by_role("button", name="Retire").click()
    assert page.get_by_text("retired").first.is_visible()
