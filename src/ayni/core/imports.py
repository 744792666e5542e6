"""What every importer shares: the size guard, the file hash and the batch record."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from ayni.core.models import ImportBatch

# A refusal quotes the file (its column names, a value); it is kept and shown, so bounded.
MAX_MESSAGE_CHARS = 1000


class ImportRefused(Exception):
    """The whole file is refused; nothing was written. ``str()`` says what and where, in at
    most ``MAX_MESSAGE_CHARS`` characters."""

    def __init__(self, message: object = "") -> None:
        text = str(message)
        if len(text) > MAX_MESSAGE_CHARS:
            text = text[: MAX_MESSAGE_CHARS - 1] + "…"
        super().__init__(text)


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
    batch = ImportBatch.objects.create(
        kind=kind,
        file_name=path.name,
        file_size=path.stat().st_size if path.exists() else 0,
        file_sha256=file_sha256(path) if path.exists() else "",
        options=options,
        mode=ImportBatch.Mode.ATOMIC if atomic else ImportBatch.Mode.BEST_EFFORT,
        dry_run=dry_run,
        created_by=user if getattr(user, "pk", None) else None,
    )
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
