"""Views that go back to where the person came from (``next``) never send them to another site:
every one goes through ``core.views.next_url``, or is Django's own view with the same check."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from ayni.core.tests.world import PASSWORD
from ayni.core.views import next_url

pytestmark = pytest.mark.django_db

FOREIGN = ["//evil.example", "https://evil.example", "/\\evil.example", "http:/evil.example"]
FOREIGN += ["\\\\evil.example", "javascript:alert(1)", " //evil.example"]


@pytest.mark.parametrize("target", FOREIGN)
def test_next_url_refuses_other_sites(target) -> None:
    request = RequestFactory().post("/", {"next": target})
    assert next_url(request, "/fallback/") == "/fallback/"


@pytest.mark.parametrize("target", ["/programmes/3/tree/#result-7", "/", "http://testserver/x/"])
def test_next_url_keeps_this_sites_addresses(target) -> None:
    assert next_url(RequestFactory().post("/", {"next": target}), "/fallback/") == target


def test_next_url_over_https_refuses_plain_http_to_itself() -> None:
    request = RequestFactory().post("/", {"next": "http://testserver/x/"}, secure=True)
    assert next_url(request, "/fallback/") == "/fallback/"
    request = RequestFactory().post("/", {"next": "https://testserver/x/"}, secure=True)
    assert next_url(request, "/fallback/") == "https://testserver/x/"


@pytest.mark.parametrize(
    ("target", "local"),
    [
        ("//evil.example", False),
        ("https://evil.example", False),
        ("/\\evil.example", False),
        ("/programmes/?tab=tree#result-1", True),
    ],
)
def test_result_buttons_go_back_only_to_this_site(client_for, programme, target, local) -> None:
    c2 = programme.results.get(code="C2")
    url = reverse("programmes:result-action", args=[c2.pk, "up"])
    response = client_for("pablo").post(url, {"next": target})
    assert response.status_code == 302
    assert response["Location"] == (target if local else c2.get_absolute_url())
    c2.refresh_from_db()
    assert c2.position == 1  # the action itself was done


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example"])
def test_sign_in_does_not_send_to_another_site(client, target) -> None:
    response = client.post(
        reverse("accounts:login") + "?next=" + target,
        {"username": "ana", "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_sign_in_goes_back_to_a_local_page(client) -> None:
    response = client.post(
        reverse("accounts:login"),
        {"username": "ana", "password": PASSWORD, "next": "/finance/"},
    )
    assert response["Location"] == "/finance/"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example"])
def test_switching_language_does_not_send_to_another_site(client, target) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
