"""Smoke test in Debian's Chromium: sign in, switch language, open a department page."""

import pytest

from ayni.core.tests.world import PASSWORD, build_world
from ayni.geography.models import Location

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db) -> None:
    # Transactional tests start from an empty database: build the shared fixtures again.
    if not Location.objects.exists():
        build_world()


def test_sign_in_switch_language_and_open_a_department(live_server, page, world) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Nombre de usuario").fill("ana")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert "ana" in page.locator("header .who").inner_text()

    page.get_by_test_id("lang-en").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Places", exact=True).click()

    page.get_by_label("Code or name").fill("apurimac")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Apurímac").click()
    page.wait_for_url("**/places/PE/03/")
    assert page.get_by_role("heading", level=1).inner_text() == "Apurímac"
    assert page.get_by_text("PE-APU").is_visible()
