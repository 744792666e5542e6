"""SQLite: a consistent copy through the online backup API, restored through it too.

The backup API copies the database page by page under a read lock: in WAL mode writers go on
while it runs, and the copy is the database as of one moment. Restoring copies the archived
pages into the configured file under its write lock, in one step, so that a reader sees the
old database or the new one, and a failure leaves the old one.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext as _

from ayni.core.backup.base import BOOKKEEPING_TABLES, BackupError, RestoreRefused

MEMBER = "database/ayni.sqlite3"


def _migrations(database: sqlite3.Connection) -> dict[str, list[str]]:
    has_table = database.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
    ).fetchone()
    state: dict[str, list[str]] = {}
    if has_table:
        for app, name in database.execute("SELECT app, name FROM django_migrations ORDER BY 1, 2"):
            state.setdefault(app, []).append(name)
    return state


def dump(connection: BaseDatabaseWrapper, into: Path) -> dict[str, Any]:
    """Copy the database of ``connection`` to the file ``into``; its migration state and
    details for the manifest (read from the copy, so they describe exactly what was copied)."""
    connection.ensure_connection()
    with closing(sqlite3.connect(into)) as copy:
        # One step (pages=-1): the whole database as of one moment.
        connection.connection.backup(copy)
        # A self-contained file: no -wal beside it to be forgotten.
        copy.execute("PRAGMA journal_mode=DELETE")
        migrations = _migrations(copy)
        version = sqlite3.sqlite_version
    return {"migrations": migrations, "details": {"sqlite_version": version}}


def _target(settings_dict: dict[str, Any]) -> Path:
    name = str(settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        raise RestoreRefused(
            _("The SQLite database to restore into must be a file, not %(name)s.") % {"name": name}
        )
    return Path(name)


def tables_with_rows(settings_dict: dict[str, Any]) -> list[str]:
    """The tables of the target holding rows other than what ``migrate`` writes."""
    path = _target(settings_dict)
    if not path.exists() or path.stat().st_size == 0:
        return []
    with closing(sqlite3.connect(path, timeout=20)) as database:
        names = [
            row[0]
            for row in database.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name"
            )
        ]
        quote = '"{}"'.format
        return [
            name
            for name in names
            if name not in BOOKKEEPING_TABLES
            and database.execute(
                f"SELECT EXISTS (SELECT 1 FROM {quote(name.replace(chr(34), chr(34) * 2))})"  # noqa: S608
            ).fetchone()[0]
        ]


def check_restorable(settings_dict: dict[str, Any], details: dict[str, Any]) -> None:
    _target(settings_dict)


def restore(settings_dict: dict[str, Any], dump_path: Path) -> None:
    """Replace the whole target database by the archived one, in one step."""
    target = _target(settings_dict)
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(dump_path)) as source,
        closing(sqlite3.connect(target, timeout=20)) as destination,
    ):
        # The archived file was checked against its SHA-256 already; an integrity check on
        # top took most of the restore's time on a million values (docs/benchmarks.md).
        try:
            source.backup(destination)
        except sqlite3.Error as exc:
            raise BackupError(
                _("The database could not be restored (it was left as it was): %(error)s")
                % {"error": exc}
            ) from exc
