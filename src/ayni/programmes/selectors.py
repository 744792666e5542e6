"""Reads of programmes."""

from __future__ import annotations

from django.db.models import QuerySet

from ayni.programmes.models import CountryProgramme, Result


def result_tree(programme: CountryProgramme, *, include_retired: bool = False) -> list[Result]:
    """The results of a programme in tree order (parents before children, siblings by
    position), each with ``tree_depth`` set, in one query."""
    queryset: QuerySet[Result] = programme.results.all()
    if not include_retired:
        queryset = queryset.filter(retired_at__isnull=True)
    nodes = list(queryset)
    children: dict[int | None, list[Result]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    for group in children.values():
        group.sort(key=lambda n: (n.position, n.pk))
    ordered: list[Result] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for node in children.get(parent_id, []):
            node.tree_depth = depth  # type: ignore[attr-defined]
            ordered.append(node)
            walk(node.pk, depth + 1)

    walk(None, 0)
    return ordered


def subtree(result: Result) -> QuerySet[Result]:
    """The result and everything under it."""
    return Result.objects.filter(path__startswith=result.path)
