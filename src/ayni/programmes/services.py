"""Writes to programmes: the results tree is changed only through these functions.

They keep each result's ``path`` (its ancestors' ids) and ``position`` among its siblings
right, and refuse a tree that would be wrong (an activity directly under a programme, a
result moved under itself) with a message that names the field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ayni.programmes.models import CountryProgramme, Result

# Which level may sit under which: None is the programme itself.
ALLOWED_PARENT_LEVEL = {
    Result.Level.COMPONENT: None,
    Result.Level.OUTPUT: Result.Level.COMPONENT,
    Result.Level.ACTIVITY: Result.Level.OUTPUT,
}


def _check_parent(level: str, parent: Result | None, programme: CountryProgramme) -> None:
    expected = ALLOWED_PARENT_LEVEL[Result.Level(level)]
    actual = parent.level if parent else None
    if actual != expected:
        if expected is None:
            message = _("A component sits directly under the programme.")
        else:
            message = _("A %(level)s must sit under a %(parent)s.") % {
                "level": Result.Level(level).label,
                "parent": Result.Level(expected).label,
            }
        raise ValidationError({"parent": message})
    if parent is not None and parent.programme_id != programme.pk:
        raise ValidationError({"parent": _("The parent belongs to another programme.")})
    if parent is not None and parent.retired_at is not None:
        raise ValidationError({"parent": _("The parent result is retired.")})


def _next_position(programme: CountryProgramme, parent: Result | None) -> int:
    siblings = Result.objects.filter(programme=programme, parent=parent)
    return (siblings.aggregate(m=Max("position"))["m"] or 0) + 1


def _path_for(result: Result) -> str:
    prefix = result.parent.path if result.parent else "/"
    return f"{prefix}{result.pk}/"


@transaction.atomic
def result_create(
    *,
    programme: CountryProgramme,
    parent: Result | None,
    level: str,
    code: str,
    title_es: str,
    title_en: str = "",
    **fields: Any,
) -> Result:
    """Add a result at the end of its parent's children."""
    _check_parent(level, parent, programme)
    if Result.objects.filter(programme=programme, code=code).exists():
        raise ValidationError({"code": _("Another result of this programme has code %s.") % code})
    m2m = {
        k: fields.pop(k)
        for k in ("approaches", "focus_populations", "zones", "goals")
        if k in fields
    }
    result = Result(
        programme=programme,
        parent=parent,
        level=level,
        code=code,
        title_es=title_es,
        title_en=title_en,
        position=_next_position(programme, parent),
        **fields,
    )
    result.full_clean(exclude=["path"])
    result.save()
    result.path = _path_for(result)
    result.save(update_fields=["path"])
    for name, values in m2m.items():
        getattr(result, name).set(values)
    return result


@transaction.atomic
def result_move(*, result: Result, parent: Result | None, position: int | None = None) -> Result:
    """Move a result (with everything under it) under another parent, at ``position``
    (1-based; default: last). Its history, budget and links stay with it."""
    if parent is not None and (parent.pk == result.pk or parent.path.startswith(result.path)):
        raise ValidationError({"parent": _("A result cannot move under itself.")})
    _check_parent(result.level, parent, result.programme)
    old_path = result.path
    old_parent_id = result.parent_id
    result.parent = parent
    new_path = _path_for(result)
    result.path = new_path
    result.save(update_fields=["parent", "path"])
    descendants = Result.objects.filter(path__startswith=old_path).exclude(pk=result.pk)
    for node in descendants:
        node.path = new_path + node.path[len(old_path) :]
        node.save(update_fields=["path"])
    if old_parent_id != (parent.pk if parent else None):
        old_parent = Result.objects.filter(pk=old_parent_id).first() if old_parent_id else None
        _renumber(result.programme, old_parent, skip=result)
    result_reorder(result=result, position=position)
    return result


@transaction.atomic
def result_reorder(*, result: Result, position: int | None) -> Result:
    """Put ``result`` at ``position`` (1-based) among its siblings; None = last."""
    siblings = list(
        Result.objects.filter(programme=result.programme, parent=result.parent)
        .exclude(pk=result.pk)
        .order_by("position", "pk")
    )
    index = len(siblings) if position is None else max(0, min(position - 1, len(siblings)))
    siblings.insert(index, result)
    for number, node in enumerate(siblings, start=1):
        if node.position != number or node.pk == result.pk:
            node.position = number
            node.save(update_fields=["position"])
    return result


def _renumber(programme: CountryProgramme, parent: Result | None, *, skip: Result) -> None:
    siblings = Result.objects.filter(programme=programme, parent=parent).exclude(pk=skip.pk)
    for number, node in enumerate(siblings.order_by("position", "pk"), start=1):
        if node.position != number:
            node.position = number
            node.save(update_fields=["position"])


@transaction.atomic
def result_retire(*, result: Result, reason: str) -> Result:
    """Retire a result and everything under it. Nothing is deleted: budget lines,
    allocations, expenditures and the audit history stay, and reports still show them."""
    if not reason.strip():
        raise ValidationError({"retired_reason": _("Say why the result is retired.")})
    now = timezone.now()
    for node in Result.objects.filter(path__startswith=result.path, retired_at__isnull=True):
        node.retired_at = now
        node.retired_reason = reason
        node.save(update_fields=["retired_at", "retired_reason"])
    result.refresh_from_db()
    return result


@transaction.atomic
def result_restore(*, result: Result) -> Result:
    if result.parent is not None and result.parent.retired_at is not None:
        raise ValidationError({"parent": _("Restore the parent result first.")})
    result.retired_at = None
    result.retired_reason = ""
    result.save(update_fields=["retired_at", "retired_reason"])
    return result


RESULT_EDITABLE = [
    "title_es",
    "title_en",
    "description_es",
    "description_en",
    "sector_code",
    "gender_marker",
    "humanitarian_marker",
    "interculturality_marker",
]


@transaction.atomic
def result_update(*, result: Result, **fields: Any) -> Result:
    """Change a result's texts, sector, markers and links (not its place in the tree: that is
    ``result_move``; not its code: codes are what other systems and reports refer to)."""
    m2m = {
        k: fields.pop(k)
        for k in ("approaches", "focus_populations", "zones", "goals")
        if k in fields
    }
    unknown = set(fields) - set(RESULT_EDITABLE)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    for name, value in fields.items():
        setattr(result, name, value)
    result.full_clean(exclude=["path"])
    result.save()
    for name, values in m2m.items():
        getattr(result, name).set(values)
    return result
