"""Two allocations from the same grant at the same moment cannot both pass (PostgreSQL)."""

import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from ayni.core.tests.world import build_world, make_programme
from ayni.finance import services
from ayni.finance.models import Allocation, Grant
from ayni.geography.models import Location
from ayni.partners.models import Organisation

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_allocations_at_once_cannot_together_exceed_the_grant(monkeypatch) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one at a time; row locks are what PostgreSQL needs")
    if not Location.objects.exists():
        build_world()
    programme = make_programme(code="race")
    types = services.funding_types_ensure()
    donor = services.donor_ensure(organisation=Organisation.objects.get(acronym="CIDA"), code="c")
    grant = services.grant_create(
        programme=programme,
        donor=donor,
        reference="G-RACE",
        amount=Decimal("1000.00"),
        currency="USD",
        funding_type=types["rr"],
        stage=Grant.Stage.SIGNED,
        signed_date=date(2013, 1, 1),
    )
    result = programme.results.get(code="C1.1")
    # Widen the window between reading the balance and saving: without the row lock both
    # allocations would read 1,000.00 available and both be saved.
    read_balance = services._allocated

    def slow_read(locked):
        value = read_balance(locked)
        time.sleep(0.5)
        return value

    monkeypatch.setattr(services, "_allocated", slow_read)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def allocate() -> None:
        try:
            start.wait()
            services.allocation_create(
                grant=grant,
                result=result,
                year=2013,
                amount=Decimal("600.00"),
                date=date(2013, 2, 1),
            )
            outcomes.append("saved")
        except ValidationError as exc:
            outcomes.append("refused:" + ",".join(exc.message_dict))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=allocate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused:amount", "saved"]
    assert Allocation.objects.filter(grant=grant).count() == 1
