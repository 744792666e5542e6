"""The archive: a tar (optionally gzip-compressed) of the database copy and the file trees,
closed by ``manifest.json`` with every member's size and SHA-256.

The manifest comes last so that each member is read once, hashed while it is written. A
restore reads the manifest in a first pass, then extracts and checks every member in a second
one before it changes anything. Members are written under a temporary name that is renamed
to the one asked for only once the archive is complete and on disk.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import tarfile
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.utils.translation import gettext as _

from ayni.core.backup.base import BackupError, RestoreRefused
from ayni.core.backup.trees import TreeFile

MANIFEST = "manifest.json"
FORMAT = "ayni-backup"
FORMAT_VERSION = 1
_CHUNK = 1 << 20
GZIP_LEVEL = 6


def compressed(path: Path) -> bool:
    """Whether the output's name asks for gzip (``.tar.gz``, ``.tgz``) or not (``.tar``)."""
    name = path.name.lower()
    if name.endswith((".tar.gz", ".tgz")):
        return True
    if name.endswith(".tar"):
        return False
    raise BackupError(
        _("The archive's name must end in .tar.gz, .tgz or .tar, not %(name)s.")
        % {"name": path.name}
    )


class _Hashing(io.RawIOBase):
    """A file read through while its bytes are counted and hashed."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


@dataclass
class Written:
    entries: list[dict[str, Any]]
    bytes: int


def _add(
    archive: tarfile.TarFile, name: str, source: IO[bytes], entries: list[dict[str, Any]]
) -> None:
    status = os.fstat(source.fileno())
    info = tarfile.TarInfo(name)
    info.size = status.st_size
    info.mtime = status.st_mtime
    info.mode = 0o600
    reader = _Hashing(source)
    archive.addfile(info, reader)
    entries.append({"name": name, "size": reader.size, "sha256": reader.digest.hexdigest()})


def _members(
    archive: tarfile.TarFile,
    database: tuple[str, Path],
    files: Iterable[TreeFile],
    manifest: dict[str, Any],
) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    member, path = database
    with path.open("rb") as source:
        _add(archive, member, source, entries)
    for item in files:
        try:
            source = item.path.open("rb")
        except FileNotFoundError:
            continue
        with source:
            _add(archive, f"files/{item.tree}/{item.relative}", source, entries)
    data = json.dumps({**manifest, "files": entries}, indent=2, sort_keys=True).encode("utf-8")
    info = tarfile.TarInfo(MANIFEST)
    info.size = len(data)
    info.mtime = time.time()
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))
    return entries


def write(
    output: Path,
    *,
    database: tuple[str, Path],
    files: Iterable[TreeFile],
    manifest: dict[str, Any],
) -> Written:
    """Write the archive to ``output``: the database copy, the files (each read once, through
    an open file, so that one replaced meanwhile is read whole, old or new; one removed since
    it was listed is left out), then the manifest with the list of what was written."""
    gzipped = compressed(output)
    temporary = output.parent / f".{output.name}.{uuid.uuid4().hex}.partial"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with (
            os.fdopen(descriptor, "wb") as handle,
            # tarfile's own gzip stream compresses at level 9: several times slower than 6
            # for a few per cent less.
            gzip.GzipFile(fileobj=handle, mode="wb", compresslevel=GZIP_LEVEL)
            if gzipped
            else contextlib.nullcontext(handle) as stream,
            tarfile.open(fileobj=stream, mode="w|", format=tarfile.PAX_FORMAT) as archive,
        ):
            entries = _members(archive, database, files, manifest)
        with temporary.open("rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, output)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return Written(entries=entries, bytes=output.stat().st_size)


def _open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, mode="r|*")
    except (OSError, tarfile.TarError) as exc:
        raise RestoreRefused(
            _("%(path)s is not a readable archive: %(error)s") % {"path": path, "error": exc}
        ) from exc


def read_manifest(path: Path) -> dict[str, Any]:
    """The archive's manifest (its last member), checked for its format."""
    manifest: dict[str, Any] | None = None
    try:
        with _open(path) as archive:
            for member in archive:
                if member.name == MANIFEST and member.isfile():
                    extracted = archive.extractfile(member)
                    assert extracted is not None  # noqa: S101 (a regular file)
                    manifest = json.loads(extracted.read().decode("utf-8"))
    except (OSError, tarfile.TarError, EOFError, ValueError) as exc:
        raise RestoreRefused(
            _("%(path)s is damaged or not an Ayni backup: %(error)s") % {"path": path, "error": exc}
        ) from exc
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("files"), list)
    ):
        raise RestoreRefused(_("%(path)s is not an Ayni backup.") % {"path": path})
    if manifest.get("format_version") != FORMAT_VERSION:
        raise RestoreRefused(
            _("This version of Ayni reads backups of format %(ours)s, not %(theirs)s.")
            % {"ours": FORMAT_VERSION, "theirs": manifest.get("format_version")}
        )
    return manifest


def _destination(name: str, database: tuple[str, Path], trees: dict[str, Path]) -> Path | None:
    """Where a member goes, or None for a name no member of a backup may have."""
    if name == database[0]:
        return database[1]
    path = PurePosixPath(name)
    parts = path.parts
    if (
        len(parts) < 3
        or parts[0] != "files"
        or parts[1] not in trees
        or path.is_absolute()
        or any(part in {"", ".", ".."} for part in parts)
    ):
        return None
    return trees[parts[1]].joinpath(*parts[2:])


def extract(
    path: Path, manifest: dict[str, Any], *, database: tuple[str, Path], trees: dict[str, Path]
) -> None:
    """Extract every member to its destination (``database``: the member's name and the file
    to write it to; ``trees``: tree name → the folder to fill), checking each against the
    manifest. Refused, naming the members, if any differs, is missing or is not expected."""
    expected = {entry["name"]: entry for entry in manifest["files"]}
    seen: set[str] = set()
    bad: list[str] = []
    try:
        with _open(path) as archive:
            for member in archive:
                if member.name == MANIFEST:
                    continue
                entry = expected.get(member.name)
                target = _destination(member.name, database, trees)
                if entry is None or target is None or not member.isfile() or member.name in seen:
                    bad.append(member.name)
                    continue
                seen.add(member.name)
                source = archive.extractfile(member)
                assert source is not None  # noqa: S101 (a regular file)
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                size = 0
                with target.open("wb") as handle:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        handle.write(chunk)
                os.utime(target, (member.mtime, member.mtime))
                if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
                    bad.append(member.name)
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise RestoreRefused(
            _("%(path)s is damaged: %(error)s") % {"path": path, "error": exc}
        ) from exc
    bad += sorted(set(expected) - seen)
    if bad:
        shown = ", ".join(bad[:5]) + (" …" if len(bad) > 5 else "")
        raise RestoreRefused(
            _(
                "The archive does not match its manifest (damaged or altered): %(count)s "
                "member(s) differ, are missing or unexpected: %(names)s. Nothing was changed."
            )
            % {"count": len(bad), "names": shown}
        )
