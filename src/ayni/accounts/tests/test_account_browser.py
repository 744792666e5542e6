"""The account page in Chromium on a 360-px phone: from the header to a new token, shown
once, then revoked after a confirmation; nothing wider than the screen."""

from __future__ import annotations

from typing import Any

import pytest

from ayni.accounts.models import ApiToken
from ayni.core.tests.world import PASSWORD, build_world
from ayni.geography.models import Location

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def world(transactional_db: Any) -> None:
    # Transactional tests start from an empty database: build the shared fixtures again.
    if not Location.objects.exists():
        build_world()


def test_make_and_revoke_a_token_on_a_phone(live_server: Any, page: Any, world: None) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Nombre de usuario").fill("pablo")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="Mi cuenta").click()
    page.wait_for_url("**/accounts/me/")
    assert page.evaluate(FITS)

    page.get_by_label("Nombre", exact=True).fill("Informe mensual")
    page.get_by_label("Lectura y escritura").check()
    page.get_by_label("Vence en").select_option("30")
    page.get_by_role("button", name="Crear token").click()
    secret = page.get_by_test_id("token-secret").inner_text()
    assert secret.startswith("ayni_") and len(secret) == 48
    assert page.evaluate(FITS)

    page.get_by_role("link", name="Listo: volver a mi cuenta").click()
    token = ApiToken.objects.get(user__username="pablo")
    row = page.get_by_test_id(f"token-{token.pk}")
    assert "Activo" in row.inner_text() and secret not in page.content()
    assert page.evaluate(FITS)
    row.get_by_role("link", name="Revocar").click()
    page.get_by_role("button", name="Revocar el token").click()
    page.wait_for_url("**/accounts/me/")
    assert "Revocado" in page.get_by_test_id(f"token-{token.pk}").inner_text()
