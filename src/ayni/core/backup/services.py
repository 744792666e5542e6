"""Back up the installation into one archive, and restore one (docs/deployment.md).

What a backup holds: the database (SQLite through its online backup API, PostgreSQL through
``pg_dump``), then the file trees (``trees.py``), then the manifest. The database is copied
first: a file the copy refers to (a job's upload) was complete before its row was
committed, so it is on disk when the trees are listed afterwards.

What a restore does, in this order, refusing before anything is changed: read the manifest;
check the engine, the migrations and the client programs; check that the database is empty
(unless ``force``); extract every member beside where it goes and check its size and SHA-256;
then put the file trees in place (the old ones set aside), replace the database in one
transaction, and only then remove the old trees. If the database cannot be replaced, the old
trees are put back. Nothing passes through the ORM: no signal fires, so the audit log gains
no row and every timestamp stays as archived.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

import ayni
from ayni.core.backup import archive, postgres, sqlite
from ayni.core.backup.base import BackupError, RestoreRefused
from ayni.core.backup.trees import TreeFile, list_files, trees

ENGINES = {"django.db.backends.sqlite3": "sqlite", "django.db.backends.postgresql": "postgresql"}


def engine_of(settings_dict: dict[str, Any]) -> str:
    engine = ENGINES.get(settings_dict["ENGINE"])
    if engine is None:
        raise BackupError(
            _("Backups support SQLite and PostgreSQL, not %(engine)s.")
            % {"engine": settings_dict["ENGINE"]}
        )
    return engine


@dataclass
class BackupSummary:
    path: Path
    engine: str
    files: int
    bytes: int
    seconds: float
    not_archived: list[str] = field(default_factory=list)


def _listing(local: dict[str, Path]) -> list[TreeFile]:
    """Every file of every tree, listed once before any is read; a tree nested in another is
    listed by itself only."""
    roots = set(local.values())
    found: list[TreeFile] = []
    for name, root in local.items():
        found.extend(list_files(name, root, skip=roots - {root}))
    return found


def backup_create(output: Path, *, using: str = "default") -> BackupSummary:
    """Write an archive of the database ``using`` and the file trees to ``output``."""
    started = time.perf_counter()
    archive.compressed(output)  # refuses a name it cannot honour, before any work
    connection = connections[using]
    engine = engine_of(connection.settings_dict)
    if connection.in_atomic_block:
        # SQLite's backup API would wait for this transaction forever, and pg_dump would not
        # see what it wrote: a backup copies committed data only.
        raise BackupError(_("A backup cannot be made inside a database transaction."))
    output.parent.mkdir(parents=True, exist_ok=True)
    created = timezone.now()
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".ayni-backup-") as work:
        copy = Path(work) / "database"
        if engine == "sqlite":
            member = sqlite.MEMBER
            dumped = sqlite.dump(connection, copy)
        else:
            member = postgres.MEMBER
            dumped = postgres.dump(connection.settings_dict, copy)
        local, elsewhere = trees()
        manifest = {
            "format": archive.FORMAT,
            "format_version": archive.FORMAT_VERSION,
            "ayni_version": ayni.__version__,
            "created_at": created.isoformat(),
            "engine": engine,
            "database": {"member": member, **dumped["details"]},
            "migrations": dumped["migrations"],
            "trees": list(local),
        }
        written = archive.write(
            output, database=(member, copy), files=_listing(local), manifest=manifest
        )
    return BackupSummary(
        path=output,
        engine=engine,
        files=len(written.entries) - 1,
        bytes=written.bytes,
        seconds=time.perf_counter() - started,
        not_archived=elsewhere,
    )


@dataclass
class RestoreSummary:
    engine: str
    files: int
    created_at: str
    ayni_version: str
    replaced: list[str]
    pending_migrations: list[str]
    seconds: float


def _check_migrations(applied: dict[str, list[str]], made_by: str) -> list[str]:
    """Refuse an archive with migrations this code does not have (a newer Ayni); return the
    migrations this code has that the archive has not (to apply with ``ayni migrate``)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    archived = {(app, name) for app, names in applied.items() for name in names}
    unknown = sorted(archived - known)
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise RestoreRefused(
            _(
                "The archive comes from a database with migrations this version of Ayni does "
                "not have (%(names)s): restore it with the version that made it (%(version)s)."
            )
            % {"names": names, "version": made_by}
        )
    for key, squashed in loader.replacements.items():
        if all(tuple(replaced) in archived for replaced in squashed.replaces):
            archived.add(key)
    return sorted(f"{app}.{name}" for app, name in known - archived)


def _engine_module(engine: str) -> Any:
    return sqlite if engine == "sqlite" else postgres


def _check(
    manifest: dict[str, Any], settings_dict: dict[str, Any], *, force: bool
) -> tuple[str, list[str], list[str]]:
    """Every refusal that needs no extraction: engine, migrations, client programs, trees,
    emptiness. Returns the engine, the pending migrations and the tables that will be
    replaced."""
    engine = engine_of(settings_dict)
    if manifest.get("engine") != engine:
        raise RestoreRefused(
            _(
                "The archive holds a %(archived)s database and the configured database is "
                "%(configured)s: a backup is restored into the engine it was made from "
                "(docs/deployment.md explains how to move between engines)."
            )
            % {"archived": manifest.get("engine"), "configured": engine}
        )
    pending = _check_migrations(manifest["migrations"], str(manifest.get("ayni_version")))
    module = _engine_module(engine)
    module.check_restorable(settings_dict, manifest["database"])
    local, _elsewhere = trees()
    missing = [name for name in manifest["trees"] if name not in local]
    if missing:
        raise RestoreRefused(
            _("This installation has no local folder for the archived files of: %(trees)s.")
            % {"trees": ", ".join(missing)}
        )
    occupied = module.tables_with_rows(settings_dict)
    if occupied and not force:
        shown = ", ".join(occupied[:5]) + (" …" if len(occupied) > 5 else "")
        raise RestoreRefused(
            _(
                "The database %(name)s is not empty (%(count)s tables hold rows: %(tables)s). "
                "Restore into an empty database, or add --force to replace everything it "
                "holds, and the files, by the archive."
            )
            % {"name": settings_dict.get("NAME"), "count": len(occupied), "tables": shown}
        )
    return engine, pending, occupied


def _close_connections_to(settings_dict: dict[str, Any]) -> None:
    """Close this process's connections to the target, so that none holds a lock or a stale
    view of the tables the restore replaces (an in-memory SQLite database is not closed)."""
    same = ("ENGINE", "NAME", "HOST", "PORT")
    for connection in connections.all(initialized_only=True):
        if all(connection.settings_dict.get(key) == settings_dict.get(key) for key in same):
            connection.close()


def _swap(pairs: list[tuple[Path, Path]]) -> list[tuple[Path, Path]]:
    """Move each ``(new, live)`` folder into place, the live one set aside; returns
    ``(live, set_aside)`` to undo with ``_unswap`` (set_aside does not exist where there was
    no live folder)."""
    done: list[tuple[Path, Path]] = []
    try:
        for new, live in pairs:
            aside = live.parent / f".{live.name}.replaced-{uuid.uuid4().hex[:8]}"
            if live.exists():
                live.rename(aside)
            done.append((live, aside))
            new.rename(live)
    except OSError:
        _unswap(done)
        raise
    return done


def _unswap(done: list[tuple[Path, Path]]) -> None:
    for live, aside in reversed(done):
        if aside.exists():
            if live.exists():
                shutil.rmtree(live)
            aside.rename(live)


def backup_restore(
    path: Path, *, settings_dict: dict[str, Any] | None = None, force: bool = False
) -> RestoreSummary:
    """Restore the archive at ``path`` into the database ``settings_dict`` (the configured
    one by default) and the file trees of this installation; see the module docstring."""
    started = time.perf_counter()
    target = settings_dict if settings_dict is not None else connections["default"].settings_dict
    manifest = archive.read_manifest(path)
    engine, pending, occupied = _check(manifest, target, force=force)
    local, _elsewhere = trees()
    names = list(manifest["trees"])
    token = uuid.uuid4().hex[:8]
    staged = {name: local[name].parent / f".{local[name].name}.restore-{token}" for name in names}
    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".ayni-restore-", dir=settings.DATA_DIR))
    try:
        for folder in staged.values():
            folder.mkdir(parents=True)
        copy = work / "database"
        archive.extract(
            path, manifest, database=(manifest["database"]["member"], copy), trees=staged
        )
        swapped = _swap([(staged[name], local[name]) for name in names])
        try:
            _close_connections_to(target)
            _engine_module(engine).restore(target, copy)
        except BaseException:
            _unswap(swapped)
            raise
        for _live, aside in swapped:
            if aside.exists():
                shutil.rmtree(aside)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        for folder in staged.values():
            shutil.rmtree(folder, ignore_errors=True)
    return RestoreSummary(
        engine=engine,
        files=len(manifest["files"]) - 1,
        created_at=str(manifest.get("created_at")),
        ayni_version=str(manifest.get("ayni_version")),
        replaced=occupied,
        pending_migrations=pending,
        seconds=time.perf_counter() - started,
    )
