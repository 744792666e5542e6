import pytest
from django.core.exceptions import ValidationError

from ayni.programmes.models import Result
from ayni.programmes.selectors import result_tree
from ayni.programmes.services import (
    result_create,
    result_move,
    result_reorder,
    result_restore,
    result_retire,
    result_update,
)

pytestmark = pytest.mark.django_db


def _r(programme, code: str) -> Result:
    return Result.objects.get(programme=programme, code=code)


def test_tree_order_puts_parents_before_children(programme) -> None:
    codes = [node.code for node in result_tree(programme)]
    assert codes == ["C1", "C1.1", "C1.1.1", "C1.1.2", "C2", "C2.1", "C2.1.1", "C2.1.2"]
    assert [n.tree_depth for n in result_tree(programme)][:3] == [0, 1, 2]


def test_an_activity_cannot_sit_directly_under_a_component(programme) -> None:
    with pytest.raises(ValidationError) as error:
        result_create(
            programme=programme,
            parent=_r(programme, "C1"),
            level="activity",
            code="X",
            title_es="X",
        )
    assert "parent" in error.value.message_dict
    assert not Result.objects.filter(programme=programme, code="X").exists()


def test_codes_are_unique_within_a_programme(programme) -> None:
    with pytest.raises(ValidationError) as error:
        result_create(
            programme=programme, parent=None, level="component", code="C1", title_es="Otra"
        )
    assert "code" in error.value.message_dict


def test_moving_an_output_carries_its_activities(programme) -> None:
    output = _r(programme, "C1.1")
    result_move(result=output, parent=_r(programme, "C2"))
    output.refresh_from_db()
    assert output.parent == _r(programme, "C2")
    assert _r(programme, "C1.1.1").path.startswith(output.path)
    assert output.path.startswith(_r(programme, "C2").path)
    assert [c.code for c in _r(programme, "C2").children.order_by("position")] == ["C2.1", "C1.1"]


def test_a_result_cannot_move_under_itself(programme) -> None:
    with pytest.raises(ValidationError, match="under itself"):
        result_move(result=_r(programme, "C1.1"), parent=_r(programme, "C1.1"))


def test_moving_an_output_under_an_output_is_refused(programme) -> None:
    with pytest.raises(ValidationError) as error:
        result_move(result=_r(programme, "C1.1"), parent=_r(programme, "C2.1"))
    assert "parent" in error.value.message_dict


def test_reorder_renumbers_siblings(programme) -> None:
    result_reorder(result=_r(programme, "C2"), position=1)
    assert [n.code for n in result_tree(programme) if n.level == "component"] == ["C2", "C1"]
    assert sorted(Result.objects.filter(parent=None).values_list("position", flat=True)) == [1, 2]


def test_retiring_keeps_the_result_and_retires_its_subtree(programme) -> None:
    result_retire(result=_r(programme, "C1.1"), reason="Merged into C2.1")
    assert _r(programme, "C1.1.2").retired_at is not None
    assert "C1.1" not in [n.code for n in result_tree(programme)]
    assert "C1.1" in [n.code for n in result_tree(programme, include_retired=True)]


def test_retiring_needs_a_reason(programme) -> None:
    with pytest.raises(ValidationError) as error:
        result_retire(result=_r(programme, "C1"), reason="  ")
    assert "retired_reason" in error.value.message_dict


def test_restore_needs_the_parent_restored_first(programme) -> None:
    result_retire(result=_r(programme, "C1"), reason="x")
    with pytest.raises(ValidationError):
        result_restore(result=_r(programme, "C1.1"))
    result_restore(result=_r(programme, "C1"))
    assert _r(programme, "C1").retired_at is None


def test_update_refuses_the_code(programme) -> None:
    with pytest.raises(ValidationError) as error:
        result_update(result=_r(programme, "C1"), code="Z")
    assert "code" in error.value.message_dict


def test_a_bad_sector_code_is_refused(programme) -> None:
    with pytest.raises(ValidationError):
        result_update(result=_r(programme, "C1"), gender_marker=7)
