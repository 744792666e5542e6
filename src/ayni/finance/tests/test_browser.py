"""In Debian's Chromium: an administrator records a grant, allocates part of it, and is
refused when allocating more than remains."""

import pytest

from ayni.core.tests.world import PASSWORD, build_world, make_programme
from ayni.finance import services
from ayni.geography.models import Location
from ayni.partners.models import Organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db) -> None:
    # Transactional tests start from an empty database: build the shared fixtures again.
    if not Location.objects.exists():
        build_world()
    make_programme(code="browser-cp")
    services.funding_types_ensure()
    services.donor_ensure(organisation=Organisation.objects.get(acronym="CIDA"), code="cida")


def test_create_a_grant_allocate_part_of_it_and_be_refused_over_the_rest(
    live_server, page, world
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Nombre de usuario").fill("ana")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_test_id("lang-en").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"

    page.goto(f"{live_server.url}/funding/grants/")
    page.get_by_role("link", name="New grant").click()
    page.get_by_label("Programme").select_option(label="Test programme")
    page.get_by_label("Donor").select_option(
        label="Canadian International Development Agency (CIDA)"
    )
    page.get_by_label("Reference").fill("CIDA-2014-01")
    page.get_by_label("Funding type").select_option(label="Other resources – regular")
    page.get_by_label("Amount").fill("1000.00")
    page.get_by_label("Currency").fill("CAD")
    page.get_by_label("Stage").select_option("signed")
    page.get_by_label("Signed").fill("2014-01-15")
    page.get_by_role("button", name="Save").click()

    page.wait_for_url("**/funding/grants/*/")
    assert "CIDA-2014-01" in page.get_by_role("heading", level=1).inner_text()
    page.get_by_label("Result").select_option(label="C1.1 Output 1.1")
    page.get_by_label("Year").select_option("2014")
    page.get_by_label("Amount").fill("400.00")
    page.get_by_label("Date", exact=True).fill("2014-02-01")
    page.get_by_role("button", name="Allocate").click()

    page.wait_for_load_state()
    allocations = page.locator("#allocations")
    assert "C1.1 Output 1.1" in allocations.inner_text()
    assert "400.00" in allocations.inner_text()
    assert "600.00 CAD" in page.get_by_test_id("available").inner_text()

    page.get_by_label("Result").select_option(label="C2.1 Output 2.1")
    page.get_by_label("Year").select_option("2015")
    page.get_by_label("Amount").fill("600.01")
    page.get_by_label("Date", exact=True).fill("2015-02-01")
    page.get_by_role("button", name="Allocate").click()

    page.wait_for_load_state()
    summary = page.get_by_role("alert")
    assert "Amount" in summary.inner_text()
    assert "600.00 CAD" in summary.inner_text()
    assert page.locator("#id_amount-error").is_visible()
    assert page.get_by_label("Amount").input_value() == "600.01"
    assert "C2.1" not in allocations.inner_text()
