"""``ayni backup`` and ``ayni restore``: a round trip into an empty database of the same engine
gives every table back row by row and every file byte by byte, without a new audit-log row;
and each refusal (a database that holds data, a damaged or altered archive, another engine, a
newer Ayni, a member outside its folder) changes nothing."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from ayni.core.backup import archive, postgres
from ayni.core.backup.base import BackupError, RestoreRefused
from ayni.core.backup.services import backup_create, backup_restore, engine_of
from ayni.core.models import ChoreRun, Job, JobFile
from ayni.core.tests.databases import contents, count, empty_database, insert_chore
from ayni.core.tests.world import build_world, make_programme
from ayni.geography.models import Location
from ayni.monitoring import analytics
from ayni.monitoring.models import DataValue
from ayni.monitoring.tests.importing import GOOD_ROWS, make_catalogue, run_import, write_csv

AUDIT = "auditlog_logentry"
ENGINE = "sqlite" if connection.vendor == "sqlite" else "postgresql"
OTHER_ENGINE = "postgresql" if ENGINE == "sqlite" else "sqlite"


def tree_files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def point_trees_at(settings: Any, root: Path) -> dict[str, Path]:
    """Move the installation's file trees under ``root`` (a restore writes there)."""
    folders = {
        "media": root / "media",
        "analytics": root / "analytics",
        "sdmx-structures": root / "sdmx-structures",
    }
    settings.MEDIA_ROOT = folders["media"]
    settings.AYNI_ANALYTICS_DIR = str(folders["analytics"])
    settings.AYNI_SDMX_STRUCTURES_DIR = folders["sdmx-structures"]
    return folders


@pytest.fixture
def installation(transactional_db: None, settings: Any, tmp_path: Path) -> dict[str, Path]:
    """Committed data (pg_dump reads it from another connection): the test world, a
    programme, values imported from a file kept as a job's input, an export, chores, and the
    analytics store refreshed."""
    if not Location.objects.exists():
        build_world()  # a transactional test before this one emptied the database
    folders = point_trees_at(settings, tmp_path / "source")
    folders["sdmx-structures"].mkdir(parents=True)
    (folders["sdmx-structures"] / "structure.xml").write_bytes(b"<Structure/>\n")
    make_programme()
    make_catalogue()
    job = Job.objects.create(kind="monitoring.import", status=Job.Status.SUCCEEDED)
    upload = JobFile(job=job, role=JobFile.Role.INPUT, key="file", name="valores 2014.csv")
    upload.file.save("values.csv", ContentFile(b""), save=False)
    write_csv(Path(upload.file.path), GOOD_ROWS)
    upload.size = Path(upload.file.path).stat().st_size
    upload.save()
    run_import(format="csv", path=Path(upload.file.path))
    export = JobFile(job=job, role=JobFile.Role.OUTPUT, key="export", name="export.bin")
    export.file.save("export.bin", ContentFile(bytes(range(256)) * 4), save=False)
    export.size = 1024
    export.save()
    for name in ("cleanup", "refresh", "gone"):
        ChoreRun.objects.create(name=name, ran_at=timezone.now())
    ChoreRun.objects.filter(name="gone").delete()  # the sequence is past the largest id
    analytics.refresh()
    assert DataValue.objects.filter(value=Decimal("38.5")).exists()
    return folders


def test_a_round_trip_restores_every_row_and_every_file_exactly(
    installation: dict[str, Path], settings: Any, tmp_path: Path
) -> None:
    source = connection.settings_dict
    audit_rows = count(source, AUDIT)
    before = contents(source)
    output = tmp_path / "ayni.tar.gz"
    out = StringIO()
    call_command("backup", output=output, stdout=out)
    assert "files" in out.getvalue()
    assert count(source, AUDIT) == audit_rows  # a backup writes nothing
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

    restored = point_trees_at(settings, tmp_path / "restored")
    with empty_database(tmp_path) as target:
        summary = backup_restore(output, settings_dict=target)
        assert summary.pending_migrations == []
        after = contents(target)
        assert after.keys() == before.keys()
        for table in before:
            assert after[table] == before[table], table
        assert count(target, AUDIT) == audit_rows
        for name, folder in restored.items():
            assert tree_files(folder) == tree_files(installation[name]), name
        assert tree_files(restored["analytics"])  # the store was in the archive
        new_id, largest = insert_chore(target)
        assert new_id > largest > 0

        # The target now holds data the archive has not: refused without --force, replaced
        # entirely with it (rows and files).
        stray = restored["media"] / "stray.txt"
        stray.write_text("not in the archive")
        changed = contents(target)
        with pytest.raises(RestoreRefused, match="is not empty"):
            backup_restore(output, settings_dict=target)
        assert contents(target) == changed and stray.exists()
        backup_restore(output, settings_dict=target, force=True)
        assert contents(target) == before
        assert tree_files(restored["media"]) == tree_files(installation["media"])


def test_the_command_refuses_the_configured_database_when_it_holds_data(
    db: None, world_archive: Path, settings: Any
) -> None:
    output = world_archive
    kept = settings.MEDIA_ROOT / "kept.txt"
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_text("still here")
    # The test database is in memory on SQLite: not a place to restore into either.
    refusal = "must be a file" if ENGINE == "sqlite" else "not empty.*--force"
    with pytest.raises(CommandError, match=refusal):
        call_command("restore", str(output))
    assert kept.read_text() == "still here"


def rewrite(source: Path, target: Path, change: Any) -> Path:
    """A copy of the archive ``source`` whose members pass through ``change(name, data)``
    (which returns the new bytes, or None to leave the member out)."""
    with tarfile.open(source, "r:*") as old, tarfile.open(target, "w") as new:
        for member in old.getmembers():
            extracted = old.extractfile(member)
            data = change(member.name, extracted.read() if extracted else b"")
            if data is None:
                continue
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))
    return target


@pytest.fixture(scope="module")
def world_archive(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """An archive of the test database as it is (no test's transaction open: a backup copies
    committed data only) with one job file, made once for the tests of refusals."""
    root = tmp_path_factory.mktemp("world")
    (root / "media" / "jobs").mkdir(parents=True)
    (root / "media" / "jobs" / "x.csv").write_bytes(b"a,b")
    folders = {
        "MEDIA_ROOT": root / "media",
        "AYNI_ANALYTICS_DIR": str(root / "analytics"),
        "AYNI_SDMX_STRUCTURES_DIR": root / "sdmx-structures",
    }
    with django_db_blocker.unblock(), override_settings(**folders):
        backup_create(root / "world.tar")
    return root / "world.tar"


def test_a_backup_inside_a_transaction_is_refused(db: None, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="inside a database transaction"):
        backup_create(tmp_path / "in-transaction.tar")
    assert list(tmp_path.iterdir()) == []


def assert_untouched(target: dict[str, Any], restored: dict[str, Path]) -> None:
    if ENGINE == "sqlite":
        assert not Path(target["NAME"]).exists()
    else:
        assert [k for k in contents(target) if not k.startswith("(")] == []
    assert not any(folder.exists() for folder in restored.values())


def test_an_altered_member_is_refused_before_anything_changes(
    db: None, world_archive: Path, settings: Any, tmp_path: Path
) -> None:
    def flip(name: str, data: bytes) -> bytes:
        return b"b,a" if name.startswith("files/media/jobs/") else data

    altered = rewrite(world_archive, tmp_path / "altered.tar", flip)
    restored = point_trees_at(settings, tmp_path / "restored")
    with empty_database(tmp_path) as target:
        with pytest.raises(RestoreRefused, match=r"does not match its manifest.*files/media/jobs"):
            backup_restore(altered, settings_dict=target)
        assert_untouched(target, restored)


def test_a_missing_member_or_a_cut_archive_is_refused(
    db: None, world_archive: Path, settings: Any, tmp_path: Path
) -> None:
    def drop_database(name: str, data: bytes) -> bytes | None:
        return None if name.startswith("database/") else data

    missing = rewrite(world_archive, tmp_path / "missing.tar", drop_database)
    cut = tmp_path / "cut.tar"
    cut.write_bytes(world_archive.read_bytes()[: world_archive.stat().st_size // 2])
    restored = point_trees_at(settings, tmp_path / "restored")
    with empty_database(tmp_path) as target:
        with pytest.raises(RestoreRefused, match=r"does not match its manifest.*database/"):
            backup_restore(missing, settings_dict=target)
        with pytest.raises(RestoreRefused, match="damaged or not an Ayni backup"):
            backup_restore(cut, settings_dict=target)
        assert_untouched(target, restored)


def manifest_changed(source: Path, target: Path, **changes: Any) -> Path:
    def change(name: str, data: bytes) -> bytes:
        if name != archive.MANIFEST:
            return data
        return json.dumps({**json.loads(data), **changes}).encode()

    return rewrite(source, target, change)


def test_an_archive_of_another_engine_is_refused(
    db: None, world_archive: Path, settings: Any, tmp_path: Path
) -> None:
    other = manifest_changed(world_archive, tmp_path / "other.tar", engine=OTHER_ENGINE)
    restored = point_trees_at(settings, tmp_path / "restored")
    with empty_database(tmp_path) as target:
        with pytest.raises(RestoreRefused, match=f"holds a {OTHER_ENGINE} database"):
            backup_restore(other, settings_dict=target)
        assert_untouched(target, restored)


def test_an_archive_of_a_newer_ayni_is_refused(
    db: None, world_archive: Path, settings: Any, tmp_path: Path
) -> None:
    manifest = archive.read_manifest(world_archive)
    migrations = {**manifest["migrations"], "core": [*manifest["migrations"]["core"], "9999_x"]}
    newer = manifest_changed(
        world_archive, tmp_path / "newer.tar", migrations=migrations, ayni_version="9.0"
    )
    restored = point_trees_at(settings, tmp_path / "restored")
    with empty_database(tmp_path) as target:
        with pytest.raises(RestoreRefused, match=r"core\.9999_x.*\(9\.0\)"):
            backup_restore(newer, settings_dict=target)
        assert_untouched(target, restored)


def test_a_member_that_would_leave_its_folder_is_refused(
    db: None, world_archive: Path, settings: Any, tmp_path: Path
) -> None:
    escape = "files/media/../../escaped.txt"
    manifest = archive.read_manifest(world_archive)
    manifest["files"].append({"name": escape, "size": 3, "sha256": "0" * 64})
    with tarfile.open(world_archive) as old, tarfile.open(tmp_path / "evil.tar", "w") as new:
        for member in old.getmembers():
            extracted = old.extractfile(member)
            data = extracted.read() if extracted else b""
            if member.name == archive.MANIFEST:
                data = json.dumps(manifest).encode()
                extra = tarfile.TarInfo(escape)
                extra.size = 3
                new.addfile(extra, io.BytesIO(b"bad"))
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))
    restored = point_trees_at(settings, tmp_path / "restored")
    with empty_database(tmp_path) as target:
        with pytest.raises(RestoreRefused, match=r"escaped\.txt"):
            backup_restore(tmp_path / "evil.tar", settings_dict=target)
        assert_untouched(target, restored)
    assert not any(path.name == "escaped.txt" for path in tmp_path.rglob("*"))


def test_a_backup_that_fails_leaves_no_archive(
    django_db_blocker: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(archive, "_members", fail)
    with django_db_blocker.unblock(), pytest.raises(OSError, match="disk full"):
        backup_create(tmp_path / "out" / "failed.tar.gz")
    assert list((tmp_path / "out").iterdir()) == []


def test_the_archive_name_says_whether_it_is_compressed(db: None, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match=r"\.tar\.gz, \.tgz or \.tar"):
        backup_create(tmp_path / "backup.zip")
    assert engine_of(connection.settings_dict) == ENGINE


@pytest.fixture
def client_programs(tmp_path: Path, settings: Any) -> Iterator[Path]:
    folder = tmp_path / "bin"
    folder.mkdir()
    settings.AYNI_PG_BINDIR = str(folder)
    yield folder


def fake_program(folder: Path, name: str, version: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {version}'\n")
    path.chmod(0o755)


def test_pg_dump_must_be_there_and_of_the_servers_version(client_programs: Path) -> None:
    with pytest.raises(BackupError, match=r"pg_dump was not found.*AYNI_PG_BINDIR"):
        postgres.check_dump_client(16)
    fake_program(client_programs, "pg_dump", "14.11 (Debian 14.11-1)")
    with pytest.raises(BackupError, match="pg_dump is version 14 but the server is PostgreSQL 16"):
        postgres.check_dump_client(16)
    fake_program(client_programs, "pg_dump", "16.4")
    assert postgres.check_dump_client(16) == 16


def test_pg_restore_older_than_the_pg_dump_that_made_the_archive_is_refused(
    client_programs: Path,
) -> None:
    fake_program(client_programs, "pg_restore", "15.2")
    fake_program(client_programs, "psql", "17.0")
    settings_dict = {"ENGINE": "django.db.backends.postgresql", "NAME": "unused"}
    with pytest.raises(RestoreRefused, match=r"pg_restore is version 15.*pg_dump 16"):
        postgres.check_restorable(settings_dict, {"pg_dump_major": 16, "server_major": 16})
