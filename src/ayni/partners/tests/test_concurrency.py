"""Two people taking a step on the same agreement at the same moment cannot both win
(PostgreSQL: the workflow engine locks the row while it checks)."""

import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from ayni.accounts.models import CountryOffice, User
from ayni.core.models import WorkflowEvent
from ayni.core.tests.world import build_world, make_programme
from ayni.core.workflow import Transition
from ayni.geography.models import Location
from ayni.partners.models import Agreement, Organisation
from ayni.partners.services import agreement_create, agreement_transition

pytestmark = pytest.mark.django_db(transaction=True)


def test_signing_and_returning_at_once_only_one_wins(monkeypatch) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one at a time; row locks are what PostgreSQL needs")
    if not Location.objects.exists():
        build_world()
    office = CountryOffice.objects.get(code="peru")
    programme = make_programme(code="race")
    pablo = User.objects.get(username="pablo")
    agreement = agreement_create(
        country_office=office,
        organisation=Organisation.objects.get(country_office=office, acronym="PLAN"),
        reference="PER/PCA/RACE",
        type=Agreement.Type.PCA,
        title="Race",
        programme=programme,
        start_date=date(2012, 1, 1),
        end_date=date(2013, 12, 31),
        unicef_contribution=Decimal("1000.00"),
        results=[programme.results.get(code="C1.1")],
    )
    agreement_transition(agreement=agreement, transition="submit", user=pablo, on=date(2012, 2, 1))
    # Widen the window between reading the status and saving: without the row lock both
    # steps would read "in review" and both be saved.
    check = Transition.check

    def slow_check(self, record, step):
        errors = check(self, record, step)
        time.sleep(0.5)
        return errors

    monkeypatch.setattr(Transition, "check", slow_check)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def take(step: str) -> None:
        try:
            start.wait()
            agreement_transition(
                agreement=agreement, transition=step, user=pablo, on=date(2012, 3, 1)
            )
            outcomes.append(f"{step}:saved")
        except ValidationError as exc:
            outcomes.append(f"{step}:refused:" + ",".join(exc.message_dict))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(s,)) for s in ("sign", "return_to_draft")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = [o for o in outcomes if o.endswith(":saved")]
    assert len(saved) == 1 and len(outcomes) == 2
    assert next(o for o in outcomes if ":refused:" in o).endswith(":refused:status")
    winner = saved[0].split(":")[0]
    events = WorkflowEvent.objects.filter(workflow="agreement", object_id=agreement.pk)
    assert list(events.values_list("transition", flat=True)) == ["submit", winner]
    expected = {"sign": "signed", "return_to_draft": "draft"}[winner]
    assert Agreement.objects.get(pk=agreement.pk).status == expected
