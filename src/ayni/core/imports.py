"""What every importer shares: the size guard, the file hash and the batch record."""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

from ayni.core import liveness
from ayni.core.models import ImportBatch, Job

# A refusal quotes the file (its column names, a value); it is kept and shown, so bounded.
MAX_MESSAGE_CHARS = 1000


class ImportRefused(Exception):
    """The whole file is refused; nothing was written. ``str()`` says what and where, in at
    most ``MAX_MESSAGE_CHARS`` characters; ``batch`` is the run's record, once it has one."""

    batch: ImportBatch | None = None

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


def _record(
    *,
    kind: str,
    path: Path,
    user: Any,
    dry_run: bool,
    atomic: bool,
    options: dict[str, Any],
    job: Job | None,
) -> dict[str, Any]:
    """The fields of a new batch: the run, its file and the process running it."""
    runner = liveness.this_process()
    size = path.stat().st_size if path.is_file() else 0
    return {
        "kind": kind[:64],
        "file_name": path.name[:255],
        "file_size": size,
        # A file above the limit is refused unread: it is not read to be hashed either.
        "file_sha256": file_sha256(path) if size and size <= settings.AYNI_MAX_IMPORT_BYTES else "",
        "options": options,
        "mode": ImportBatch.Mode.ATOMIC if atomic else ImportBatch.Mode.BEST_EFFORT,
        "dry_run": dry_run,
        "created_by": user if getattr(user, "pk", None) else None,
        "job": job,
        "worker_host": runner.host,
        "worker_pid": runner.pid,
        "worker_token": runner.token,
        "heartbeat_at": timezone.now(),
    }


def record_refused(*, message: str, **run: Any) -> ImportBatch:
    """Record a run refused before it began (another import is running; its starter may no
    longer import) as a failed batch: the arguments are ``import_batch``'s."""
    return ImportBatch.objects.create(
        **_record(**run),
        status=ImportBatch.Status.FAILED,
        message=message,
        finished_at=timezone.now(),
    )


@contextmanager
def import_batch(
    *,
    kind: str,
    path: Path,
    user: Any,
    dry_run: bool,
    atomic: bool,
    options: dict[str, Any],
    job: Job | None = None,
) -> Iterator[ImportBatch]:
    """Record a run: the batch is saved before the work and closed after it, failed or not.

    The batch is written outside the importer's transaction, so a refused file still leaves
    its record (who tried what, and why it was refused). It records the process running it
    (and its heartbeat, as a job's), so that a run whose process dies is found and marked
    failed (``core.liveness``). An importer that writes in a transaction calls
    ``batch_succeeded`` inside it, so that its success commits with what it wrote.
    """
    run = {
        "kind": kind,
        "path": path,
        "user": user,
        "dry_run": dry_run,
        "atomic": atomic,
        "options": options,
        "job": job,
    }
    with _one_import_at_a_time() as ours:
        if not ours:
            message = _("%(file)s: another import is running; try again when it has finished") % {
                "file": path.name
            }
            refused = ImportRefused(message)
            refused.batch = record_refused(message=message, **run)
            raise refused
        batch = ImportBatch.objects.create(**_record(**run))
        heartbeat = liveness.Heartbeat(ImportBatch, batch.pk)
        heartbeat.start()
        try:
            yield from _recorded(batch)
        finally:
            heartbeat.stop()


def batch_succeeded(batch: ImportBatch) -> None:
    """Record, inside the importer's transaction, that ``batch`` succeeded (with its counts,
    errors and message as set on it): the record commits with the values or not at all, so a
    process that stops after the commit cannot leave it "running" over written values.

    Refused if the batch is no longer this run's (a sweep took its process for dead, which
    only happens to a process of another host that gave no sign of life for
    ``AYNI_JOB_STALE_SECONDS``): the caller's transaction then writes nothing.
    """
    now = timezone.now()
    changed = ImportBatch.objects.filter(**batch.this_run()).update(
        status=ImportBatch.Status.SUCCEEDED,
        options=batch.options,
        counts=batch.counts,
        errors=batch.errors,
        message=batch.message,
        finished_at=now,
        heartbeat_at=now,
    )
    if not changed:
        raise ImportRefused(
            _(
                "%(file)s: this run was taken for stopped (no sign of life for too long); "
                "nothing written"
            )
            % {"file": batch.file_name}
        )
    batch.status, batch.finished_at = ImportBatch.Status.SUCCEEDED, now


def _recorded(batch: ImportBatch) -> Iterator[ImportBatch]:
    try:
        yield batch
    except ImportRefused as exc:
        _failed(batch, str(exc))
        exc.batch = exc.batch or batch
        raise
    except BaseException as exc:
        # Not a refusal: a failure of the code or the database, or an interruption (Ctrl-C).
        # The batch says so rather than stay "running" in a process that lives on.
        if isinstance(exc, Exception):
            message = str(exc) or type(exc).__name__
        else:
            message = _("Interrupted: the run was stopped before it finished; nothing written.")
        _failed(batch, message[:MAX_MESSAGE_CHARS])
        raise
    else:
        if batch.status == ImportBatch.Status.RUNNING:  # not recorded in a transaction
            batch.status = ImportBatch.Status.SUCCEEDED
            batch.finished_at = timezone.now()
            batch.save()


def _failed(batch: ImportBatch, message: str) -> None:
    batch.status = ImportBatch.Status.FAILED
    batch.message = message
    batch.finished_at = timezone.now()
    batch.save()


def import_running() -> bool:
    """Whether an import (of any process) runs now on SQLite, where its transaction holds the
    database's write lock for its whole run: a write made now would wait for it. Always False
    on PostgreSQL."""
    with _one_import_at_a_time() as ours:
        return not ours


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
    with file_lock(Path(f"{name}.import-lock"), wait=False) as held:
        yield held


@contextmanager
def file_lock(path: Path, *, wait: bool = True) -> Iterator[bool]:
    """Hold an exclusive ``flock`` on ``path``; yield False at once if ``wait`` is off and
    another holds it. The kernel releases it when the process dies, and two threads of one
    process exclude each other too (each opens the file anew). POSIX only, as is the worker's
    liveness check."""
    import fcntl

    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- JSON nesting depth, checked before any parser sees the file --------------------------------
#
# A JSON parser's work and memory grow with the nesting depth (ijson keeps a prefix per level,
# so a value nested n deep costs about n² bytes; the standard library recurses). A file or a
# request body is therefore scanned for its depth first, in linear time and constant memory:
# the texts of a block are removed (by deleting all bytes but quotes and brackets when the
# block has no backslash, by one regular expression otherwise), the brackets left are mapped
# to +1/-1 and summed in C. Only the block where the limit is passed is walked byte by byte,
# to say where.

_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_NOT_QUOTES_OR_BRACKETS = bytes(b for b in range(256) if b not in b'"[]{}')
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_DEPTH_BLOCK = 64 * 1024  # small blocks: the copies below stay in the processor cache


class JsonTooDeep(ValueError):
    """The JSON nests deeper than allowed; ``offset`` and ``line`` say where (1-based line)."""

    def __init__(self, limit: int, offset: int, line: int) -> None:
        self.limit, self.offset, self.line = limit, offset, line
        super().__init__(f"JSON nested deeper than {limit} levels at line {line} (byte {offset:,})")


def _walk_depth(raw: bytes, depth: int, in_string: bool, escaped: bool, limit: int) -> int:
    """The index in ``raw`` of the bracket that passes ``limit`` (from the block's state)."""
    for index, byte in enumerate(raw):
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return index
        elif byte in (0x5D, 0x7D):
            depth -= 1
    raise AssertionError("the depth limit was passed in this block")  # pragma: no cover


def _outside_strings(block: bytes) -> tuple[bytes, bytes]:
    """The bytes of ``block`` outside complete strings, and what to carry to the next block
    if it ends inside a string: its opening quote, and a backslash if one is pending."""
    if b"\\" not in block:
        # No escapes (most files): only quotes and brackets matter, and two quotes side by
        # side can go (an empty text, or the end of one text and the start of the next with
        # no bracket between): what is inside a text stays inside. Usually no quote is left.
        kept = block.translate(None, _NOT_QUOTES_OR_BRACKETS).replace(b'""', b"")
        if b'"' not in kept:
            return kept, b""
        parts = kept.split(b'"')
        if len(parts) % 2:
            return b"".join(parts[::2]), b""
        return b"".join(parts[:-1:2]), b'"'
    text = _JSON_STRING.sub(b"", block)
    quote = text.find(b'"')
    if quote < 0:
        return text, b""
    # Everything after an unmatched quote is inside a string that goes on in the next block
    # (no complete string can be found inside it: its quotes are all escaped).
    tail = text[quote:]
    trailing = len(tail) - len(tail.rstrip(b"\\"))
    return text[:quote], b'"' + (b"\\" if trailing % 2 else b"")


def check_json_depth_stream(handle: BinaryIO, limit: int | None = None) -> None:
    """Raise ``JsonTooDeep`` if the JSON read from ``handle`` nests deeper than ``limit``
    (``AYNI_MAX_JSON_DEPTH`` by default) arrays and objects. Linear, constant memory; does
    not check that the JSON is valid (the parser does that afterwards)."""
    limit = settings.AYNI_MAX_JSON_DEPTH if limit is None else limit
    depth, offset, lines = 0, 0, 0
    carry = b""  # an unterminated string of the previous block: its quote (and a backslash)
    in_string = escaped = False
    while raw := handle.read(_DEPTH_BLOCK):
        text, next_carry = _outside_strings(carry + raw)
        steps = memoryview(text.translate(_STEPS, _NOT_BRACKETS)).cast("b")
        if steps and max(accumulate(steps, initial=depth)) > limit:
            index = _walk_depth(raw, depth, in_string, escaped, limit)
            line = lines + raw.count(b"\n", 0, index) + 1
            raise JsonTooDeep(limit, offset + index, line)
        depth += sum(steps)
        carry = next_carry
        in_string, escaped = bool(carry), len(carry) == 2
        offset += len(raw)
        lines += raw.count(b"\n")


def nul_refused(file_name: str, line: int) -> ImportRefused:
    """The refusal of a text file holding a NUL character: UTF-16 read as UTF-8 (every other
    byte NUL), or a binary file. PostgreSQL cannot store one in text, so none reaches a value,
    a message or an error report."""
    return ImportRefused(
        _(
            "%(file)s: line %(line)s holds a NUL character, so the file is not UTF-8 text "
            "(UTF-16?); save it as UTF-8"
        )
        % {"file": file_name, "line": line}
    )


def without_nul(lines: Iterable[str], file_name: str) -> Iterator[str]:
    """The lines of a text file, refused (``nul_refused``) at the first holding NUL."""
    for number, line in enumerate(lines, start=1):
        if "\x00" in line:
            raise nul_refused(file_name, number)
        yield line


_NUL_ESCAPE = b"\\u0000"  # JSON's escape for NUL (hex digits, so no other spelling)


def _refuse_json_nul(path: Path) -> None:
    """Refuse a JSON file holding NUL, raw or escaped (a value would carry it to the
    database). An escaped backslash followed by ``u0000`` (the text "\\u0000") is refused
    too: rare enough to say so rather than parse."""
    lines, tail = 0, b""
    with path.open("rb") as handle:
        while block := handle.read(_DEPTH_BLOCK):
            window = tail + block
            found = [at for at in (window.find(b"\x00"), window.find(_NUL_ESCAPE)) if at >= 0]
            if found:
                raise nul_refused(path.name, lines + window.count(b"\n", len(tail), min(found)) + 1)
            lines += block.count(b"\n")
            tail = block[-(len(_NUL_ESCAPE) - 1) :]


def check_json_depth(path: Path, limit: int | None = None) -> None:
    """Refuse (``ImportRefused``, naming the file and the place) a JSON file nested deeper
    than ``AYNI_MAX_JSON_DEPTH``, or holding a NUL character, before it is parsed."""
    _refuse_json_nul(path)
    with path.open("rb") as handle:
        try:
            check_json_depth_stream(handle, limit)
        except JsonTooDeep as exc:
            raise ImportRefused(
                _(
                    "%(file)s: refused, JSON nested deeper than %(limit)s levels "
                    "at line %(line)s (byte %(offset)s)"
                )
                % {
                    "file": path.name,
                    "limit": exc.limit,
                    "line": exc.line,
                    "offset": f"{exc.offset:,}",
                }
            ) from None
