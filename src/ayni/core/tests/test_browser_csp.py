"""In Debian's Chromium, the key pages run under the Content-Security-Policy without a single
violation: the dashboard, an indicator page, the API's Swagger UI and the two-step
verification set-up page (its QR code is inline SVG)."""

from typing import Any

import pytest

from ayni.core.tests.world import PASSWORD, build_world
from ayni.geography.models import Location
from ayni.monitoring.models import Indicator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db: Any) -> None:
    if not Location.objects.exists():
        build_world()
    Indicator.objects.get_or_create(
        code="t-csp",
        defaults={
            "name_es": "Prueba",
            "name_en": "Test",
            "unit": Indicator.Unit.PERCENT,
            "direction": Indicator.Direction.LOWER_IS_BETTER,
        },
    )


def _watch(page: Any) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def test_key_pages_log_no_csp_violation(live_server: Any, page: Any, world: None) -> None:
    violations = _watch(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Nombre de usuario").fill("ana")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_url(f"{live_server.url}/")
    page.wait_for_load_state("networkidle")
    assert page.locator("header .who").is_visible()

    page.goto(f"{live_server.url}/monitoring/indicators/t-csp/?country=PE")
    page.wait_for_load_state("networkidle")
    assert "Prueba" in page.get_by_role("heading", level=1).inner_text()

    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    page.locator(".opblock").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert "Ayni API" in page.locator(".swagger-ui .info .title").inner_text()

    page.goto(f"{live_server.url}/accounts/two-step/setup/")
    page.wait_for_load_state("networkidle")
    box = page.locator(".qr-box svg.qr").bounding_box()
    assert box is not None and box["width"] > 150
    assert violations == []


def test_an_inline_script_is_refused(live_server: Any, page: Any, world: None) -> None:
    """The check above can fail: an inline script on our pages is reported as a violation."""
    violations = _watch(page)
    page.goto(f"{live_server.url}/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = 1'; document.body.appendChild(s); }"
    )
    assert page.evaluate("() => window.ran") is None
    assert any("script-src" in text for text in violations)
