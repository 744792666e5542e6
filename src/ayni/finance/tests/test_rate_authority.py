"""Exchange rates are a reference of the world, shared by every office: only a superuser sets,
changes or deletes one, so no office changes the rates another office's figures use."""

from datetime import date
from decimal import Decimal

import pytest

from ayni.accounts.models import CountryOffice, User
from ayni.core.roles import Role
from ayni.finance import services
from ayni.finance.models import ExchangeRate

pytestmark = pytest.mark.django_db


@pytest.fixture
def pen_rate(db) -> ExchangeRate:
    return services.exchange_rate_set(
        currency="PEN", date=date(2012, 1, 1), units_per_usd=Decimal("2.7000")
    )


@pytest.fixture
def fernando(db) -> User:
    """A finance officer of the Bolivia office."""
    return User.objects.create_user(
        username="fernando",
        password="x" * 20,
        role=Role.FINANCE_OFFICER,
        country_office=CountryOffice.objects.get(code="bolivia"),
    )


def _rates() -> list[tuple[str, date, Decimal]]:
    return list(ExchangeRate.objects.values_list("currency", "date", "units_per_usd"))


@pytest.mark.parametrize("name", ["bruno", "ana", "fernando", "pablo", "diego"])
def test_office_users_neither_create_change_nor_delete_a_rate(
    api_for, fernando, pen_rate, name
) -> None:
    before = _rates()
    api = api_for(name)
    created = api.post(
        "/api/exchange-rates/",
        {"currency": "PEN", "date": "2013-01-01", "units_per_usd": "9.99"},
        format="json",
    )
    changed = api.patch(
        f"/api/exchange-rates/{pen_rate.pk}/", {"units_per_usd": "9.99"}, format="json"
    )
    deleted = api.delete(f"/api/exchange-rates/{pen_rate.pk}/")
    assert (created.status_code, changed.status_code, deleted.status_code) == (403, 403, 403)
    assert _rates() == before
    # They still read the rates their figures use.
    assert api.get("/api/exchange-rates/?currency=PEN").json()["count"] == 1


def test_the_admin_pages_of_rates_are_closed_to_office_administrators(client_for, pen_rate) -> None:
    client = client_for("bruno")
    add = client.post(
        "/admin/finance/exchangerate/add/",
        {"currency": "PEN", "date": "2013-01-01", "units_per_usd": "9.99"},
    )
    delete = client.post(f"/admin/finance/exchangerate/{pen_rate.pk}/delete/", {"post": "yes"})
    assert add.status_code == 302 and "/login/" in add["Location"]
    assert delete.status_code == 302 and "/login/" in delete["Location"]
    assert list(ExchangeRate.objects.values_list("units_per_usd", flat=True)) == [
        Decimal("2.70000000")
    ]


def test_a_superuser_sets_and_deletes_rates(api_for, pen_rate) -> None:
    api = api_for("root")
    created = api.post(
        "/api/exchange-rates/",
        {"currency": "PEN", "date": "2013-01-01", "units_per_usd": "2.55"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert api.delete(f"/api/exchange-rates/{pen_rate.pk}/").status_code == 204
    assert _rates() == [("PEN", date(2013, 1, 1), Decimal("2.55000000"))]
