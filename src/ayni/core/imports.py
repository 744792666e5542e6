"""What every importer shares: the size guard, the file hash and the batch record."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

from ayni.core.models import ImportBatch


class ImportRefused(Exception):
    """The whole file is refused; nothing was written. ``str()`` says what and where."""


@dataclass
class RowError:
    line: int | None
    field: str
    message: str
    item: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message, "item": self.item}

    def __str__(self) -> str:
        where = f"feature {self.line}" if self.line is not None else "file"
        item = f" ({self.item})" if self.item else ""
        return f"{where}{item}, {self.field}: {self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


def check_size(path: Path) -> int:
    """Refuse a file larger than AYNI_MAX_IMPORT_BYTES before reading any of it."""
    size = path.stat().st_size
    limit = settings.AYNI_MAX_IMPORT_BYTES
    if size > limit:
        raise ImportRefused(
            f"{path.name}: the file is {size:,} bytes, above the limit of {limit:,} bytes"
        )
    return size


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def import_batch(
    *, kind: str, path: Path, user: Any, dry_run: bool, atomic: bool, options: dict[str, Any]
) -> Iterator[ImportBatch]:
    """Record a run: the batch is saved before the work and closed after it, failed or not.

    The batch is written outside the importer's transaction, so a refused file still leaves
    its record (who tried what, and why it was refused).
    """
    record = {
        "kind": kind,
        "file_name": path.name,
        "file_size": path.stat().st_size if path.exists() else 0,
        "file_sha256": file_sha256(path) if path.exists() else "",
        "options": options,
        "mode": ImportBatch.Mode.ATOMIC if atomic else ImportBatch.Mode.BEST_EFFORT,
        "dry_run": dry_run,
        "created_by": user if getattr(user, "pk", None) else None,
    }
    with _one_import_at_a_time() as ours:
        if not ours:
            message = _("%(file)s: another import is running; try again when it has finished") % {
                "file": path.name
            }
            ImportBatch.objects.create(
                **record,
                status=ImportBatch.Status.FAILED,
                message=message,
                finished_at=timezone.now(),
            )
            raise ImportRefused(message)
        yield from _recorded(ImportBatch.objects.create(**record))


def _recorded(batch: ImportBatch) -> Iterator[ImportBatch]:
    try:
        yield batch
    except ImportRefused as exc:
        batch.status = ImportBatch.Status.FAILED
        batch.message = str(exc)
        batch.finished_at = timezone.now()
        batch.save()
        raise
    else:
        batch.status = ImportBatch.Status.SUCCEEDED
        batch.finished_at = timezone.now()
        batch.save()


# Held for the whole of a run on SQLite, where one writer at a time holds the database's write
# lock: a second import would wait behind the first for the busy timeout, then fail.
_MEMORY_LOCKS: dict[str, threading.Lock] = {}
_MEMORY_LOCKS_GUARD = threading.Lock()


@contextmanager
def _one_import_at_a_time() -> Iterator[bool]:
    """Yield whether this run may go on: always on PostgreSQL (row locks let imports run side
    by side); on SQLite only while no other import of any process runs on the same database
    file (an exclusive ``flock`` on ``<database>.import-lock``, released by the kernel if the
    process dies), or of this process on an in-memory database."""
    connection = connections["default"]
    if connection.vendor != "sqlite":
        yield True
        return
    name = str(connection.settings_dict["NAME"])
    if connection.creation.is_in_memory_db(name):  # type: ignore[attr-defined]
        with _MEMORY_LOCKS_GUARD:
            lock = _MEMORY_LOCKS.setdefault(name, threading.Lock())
        if not lock.acquire(blocking=False):
            yield False
            return
        try:
            yield True
        finally:
            lock.release()
        return
    import fcntl  # POSIX only, as is the worker's liveness check

    with open(f"{name}.import-lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
