import pytest

from ayni.core.permissions import Action, has_perm, scope
from ayni.core.tests.world import make_programme
from ayni.programmes.models import CountryProgramme, Result

pytestmark = pytest.mark.django_db


def test_office_staff_see_only_their_office_programmes(actor, programme) -> None:
    bolivia = make_programme(office_code="bolivia", code="bo-cp")
    assert list(scope(actor("pablo"), Action.VIEW, CountryProgramme.objects.all())) == [programme]
    assert list(scope(actor("bruno"), Action.VIEW, CountryProgramme.objects.all())) == [bolivia]


def test_partner_focal_point_does_not_see_the_programme(actor, programme) -> None:
    assert not scope(actor("pia"), Action.VIEW, CountryProgramme.objects.all()).exists()
    assert not scope(actor("pia"), Action.VIEW, Result.objects.all()).exists()


def test_donor_and_regional_focal_point_read_but_do_not_edit(actor, programme) -> None:
    result = programme.results.first()
    for name in ("diego", "rosa"):
        assert has_perm(actor(name), Action.VIEW, result)
        assert not has_perm(actor(name), Action.CHANGE, result)


def test_programme_manager_edits_results_of_their_office_only(actor, programme) -> None:
    bolivia = make_programme(office_code="bolivia", code="bo-cp")
    assert has_perm(actor("pablo"), Action.CHANGE, programme.results.first())
    assert not has_perm(actor("pablo"), Action.CHANGE, bolivia.results.first())


def test_api_results_are_scoped_and_partners_get_nothing(api_for, programme) -> None:
    assert api_for("pablo").get("/api/results/").json()["count"] == 8
    assert api_for("pia").get("/api/results/").status_code == 403


def test_api_creates_a_result_through_the_tree_rules(api_for, programme) -> None:
    parent = programme.results.get(code="C1")
    response = api_for("pablo").post(
        "/api/results/",
        {"programme": programme.pk, "parent": parent.pk, "code": "C1.2", "title_es": "Nuevo"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["level"] == "output"


def test_api_refuses_a_duplicate_code_naming_the_field(api_for, programme) -> None:
    response = api_for("pablo").post(
        "/api/results/",
        {"programme": programme.pk, "code": "C1", "title_es": "Otra"},
        format="json",
    )
    assert response.status_code == 400
    assert "code" in response.json()["error"]["fields"]


def test_api_refuses_results_in_another_office_programme(api_for, programme) -> None:
    response = api_for("bruno").post(
        "/api/results/",
        {"programme": programme.pk, "code": "Z", "title_es": "Z"},
        format="json",
    )
    assert response.status_code in {400, 403}
    assert not Result.objects.filter(code="Z").exists()
