"""The folders of files a backup holds beside the database, by name.

Each app registers the folders it keeps (core: ``MEDIA_ROOT`` and the ``jobs`` storage;
monitoring: the analytics store and the SDMX structures), so that core does not import the
apps above it. A folder is named in the archive by its tree name, never by its path: the
restore writes it wherever the restoring installation keeps that tree.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages

# name → a function giving the folder now (read at each use: tests and deployments move them),
# or None where the tree is not a local folder (then it is not in the archive).
_TREES: dict[str, Callable[[], Path | None]] = {}


def register_tree(name: str, location: Callable[[], Path | None]) -> None:
    """Back up the folder ``location()`` under ``name`` (a short slug, unique)."""
    _TREES[name] = location


def trees() -> tuple[dict[str, Path], list[str]]:
    """The trees to archive (name → absolute folder, in the order registered) and the names
    of those that are not local folders (a ``jobs`` storage on object storage: its own tools
    back it up). A tree whose folder is the folder of a tree registered before it is left out:
    by default the ``jobs`` storage is ``MEDIA_ROOT`` itself."""
    local: dict[str, Path] = {}
    elsewhere: list[str] = []
    for name, location in _TREES.items():
        path = location()
        if path is None:
            elsewhere.append(name)
        elif Path(path).resolve() not in local.values():
            local[name] = Path(path).resolve()
    return local, elsewhere


@dataclass(frozen=True)
class TreeFile:
    tree: str
    relative: str  # POSIX path inside the tree
    path: Path


def _is_temporary(name: str) -> bool:
    # Files being written to a temporary name and moved into place (the analytics store's
    # partitions): the file they become is listed once it is in place.
    return name.startswith(".") and name.endswith(".tmp")


def list_files(name: str, root: Path, skip: set[Path]) -> Iterator[TreeFile]:
    """The regular files under ``root`` in a fixed order, not descending into the folders in
    ``skip`` (the other trees nested in this one) nor following symbolic links."""
    if not root.is_dir():
        return
    for directory, subdirs, files in os.walk(root):
        here = Path(directory)
        subdirs[:] = sorted(d for d in subdirs if (here / d) not in skip)
        for file_name in sorted(files):
            path = here / file_name
            if _is_temporary(file_name) or path.is_symlink() or not path.is_file():
                continue
            yield TreeFile(tree=name, relative=path.relative_to(root).as_posix(), path=path)


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _jobs_location() -> Path | None:
    storage = storages["jobs"]
    if isinstance(storage, FileSystemStorage):
        return Path(storage.location)
    return None


register_tree("media", _media_root)
register_tree("jobs", _jobs_location)
