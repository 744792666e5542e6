"""Which country a request is about: the office's for its users, the public's choice, or the
only one loaded; and the country's national place."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from ayni.accounts.models import CountryOffice, User
from ayni.geography.models import AdminLevel, Country, Location
from ayni.geography.selectors import (
    CountryNotChosen,
    country_for,
    country_named,
    national_location,
)
from ayni.monitoring.models import Indicator
from ayni.partners.models import Organisation

pytestmark = pytest.mark.django_db


def test_an_office_user_gets_the_offices_country_and_no_other(actor: Any) -> None:
    assert country_for(actor("bruno")).iso2 == "BO"
    assert country_for(actor("pia"), "pe").iso2 == "PE"  # naming one's own is fine
    with pytest.raises(Country.DoesNotExist):
        country_for(actor("bruno"), "PE")
    with pytest.raises(Country.DoesNotExist):
        country_for(actor("ana"), "BO")


@pytest.mark.parametrize("name", ["paula", "root", None])
def test_everyone_else_chooses_among_the_countries_loaded(actor: Any, name: str | None) -> None:
    user = actor(name) if name else AnonymousUser()
    assert country_for(user, "bo").iso2 == "BO" and country_for(user, "PE").iso2 == "PE"
    with pytest.raises(CountryNotChosen) as unchosen:
        country_for(user)
    assert [country.iso2 for country in unchosen.value.countries] == ["BO", "PE"]
    assert str(unchosen.value) == "several countries are loaded (BO, PE)"
    with pytest.raises(Country.DoesNotExist):
        country_for(user, "XX")


def _without_bolivia() -> None:
    bolivia = CountryOffice.objects.get(code="bolivia")
    User.objects.filter(country_office=bolivia).delete()
    Organisation.objects.filter(country_office=bolivia).delete()
    bolivia.delete()
    for depth in (1, 0):
        Location.objects.filter(country__iso2="BO", level__depth=depth).delete()
    Country.objects.filter(iso2="BO").delete()


def test_with_one_country_loaded_the_public_need_not_choose(client: Any) -> None:
    _without_bolivia()
    assert country_named(None).iso2 == "PE" and country_for(AnonymousUser()).iso2 == "PE"
    page = client.get(reverse("monitoring:indicator-list"))
    assert page.status_code == 200 and page.context["country"].iso2 == "PE"


def test_the_public_is_asked_to_choose_when_several_are_loaded(client: Any) -> None:
    page = client.get(reverse("monitoring:indicator-list"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "rows" not in page.context
    assert [country.iso2 for country in page.context["countries"]] == ["BO", "PE"]
    body = page.content.decode()
    assert "Choose a country" in body and 'href="/monitoring/?country=BO"' in body
    assert client.get(reverse("monitoring:indicator-list"), {"country": "XX"}).status_code == 404


def test_the_national_place_is_the_countrys_own(client: Any) -> None:
    assert national_location(Country.objects.get(iso2="PE")).code == "PE"  # type: ignore[union-attr]
    assert national_location(Country.objects.get(iso2="BO")).name == "Bolivia"  # type: ignore[union-attr]
    chile = Country.objects.create(iso2="CL", iso3="CHL", name_es="Chile", name_en="Chile")
    region = AdminLevel.objects.create(
        country=chile, depth=1, slug="region", name_es="Región", name_en="Region"
    )
    Location.objects.create(country=chile, level=region, code="13", name="Metropolitana")
    assert national_location(chile) is None
    # Its pages work without one: no national value, no national status.
    Indicator.objects.create(code="t-x", name_es="X", name_en="X", unit="percent", direction="down")
    page = client.get(reverse("monitoring:indicator-list"), {"country": "CL"})
    assert page.status_code == 200 and page.context["national"] is None
    assert page.context["rows"][0]["latest"].value is None
    detail = client.get(reverse("monitoring:indicator-detail", args=["t-x"]), {"country": "CL"})
    assert detail.status_code == 200 and detail.context["latest"].value is None
    assert client.get(reverse("monitoring:region", args=["CL", "13"])).status_code == 200
