"""Compare a chunk of resolved rows with the stored values, and write the difference.

One query loads the stored values a chunk could match; each row is then new (created), the
same as stored (unchanged), different (updated) or a deletion. Writes bypass model
instances, which would cost more than everything else together at a million values: plain
``executemany`` statements on every database, and on PostgreSQL (psycopg 3) ``COPY`` for new
rows and ``COPY`` into a temporary table + one ``UPDATE ... FROM`` for changed ones.
"""

from __future__ import annotations

import contextlib
import decimal
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Field

from ayni.core.database import copy_supported
from ayni.monitoring.imports.resolve import QUANTUM, Key, Row
from ayni.monitoring.models import DataValue

STORED = (
    "indicator_id",
    "location_id",
    "period",
    "disaggregation",
    "source_id",
    "id",
    "value",
    "lower",
    "upper",
    "numerator",
    "denominator",
    "flags",
)
# What an update may change; the key columns and period_type/year (derived from the period)
# cannot differ between a row and the stored value it matches.
UPDATED = ("value", "lower", "upper", "numerator", "denominator", "flags", "import_batch")
INSERTED = (
    "indicator",
    "location",
    "period_type",
    "period",
    "year",
    "disaggregation",
    "value",
    "lower",
    "upper",
    "numerator",
    "denominator",
    "source",
    "flags",
    "import_batch",
    "is_illustrative",
)


def _column(name: str) -> str:
    field = DataValue._meta.get_field(name)
    assert isinstance(field, Field) and field.column  # noqa: S101 - concrete fields only
    return connection.ops.quote_name(field.column)


@dataclass
class ChunkOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    touched: set[tuple[int, int]] = field(default_factory=set)  # (indicator id, year)


def stored_values(rows: Sequence[Row]) -> dict[Key, tuple[Any, ...]]:
    """The stored values that share a key with one of ``rows``, in one query.

    Filtering on each key part separately may fetch a few values outside the chunk (another
    combination of the same parts); they are simply not looked at. The numbers come back as
    the driver gives them (``same_number`` compares them): Django's converters would cost
    more than the rest of the comparison.
    """
    if not rows:
        return {}
    if copy_supported():
        return _stored_values_postgresql(rows)
    indicators, locations, periods, disaggregations, sources = (
        {row.key[i] for row in rows} for i in range(5)
    )
    query = DataValue.objects.filter(
        indicator_id__in=indicators,
        location_id__in=locations,
        period__in=periods,
        disaggregation__in=disaggregations,
        source_id__in=sources,
    ).values_list(*STORED)
    sql, params = query.query.get_compiler(using=query.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            (indicator, location, period, disaggregation, source): rest
            for indicator, location, period, disaggregation, source, *rest in cursor.fetchall()
        }


def _stored_values_postgresql(rows: Sequence[Row]) -> dict[Key, tuple[Any, ...]]:
    # The exact keys as five arrays, each looked up in the unique index (LATERAL ... LIMIT 1
    # keeps the planner on the index: a join would scan the whole table for every chunk,
    # its row estimate for unnest() being a guess). Nothing outside the chunk is fetched.
    table = connection.ops.quote_name(DataValue._meta.db_table)
    names = [_column(name.removesuffix("_id")) for name in STORED]
    selected = ", ".join(f"d.{name}" for name in names[5:])
    where = " AND ".join(f"d.{name} = k.c{i}" for i, name in enumerate(names[:5]))
    # Only column and table names from the model are formatted in; values are parameters.
    keys = "unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::bigint[])"
    lookup = f"(SELECT {selected} FROM {table} AS d WHERE {where} LIMIT 1) AS v"  # noqa: S608
    sql = f"SELECT k.*, v.* FROM {keys} AS k(c0, c1, c2, c3, c4), LATERAL {lookup}"  # noqa: S608
    params = [[row.key[i] for row in rows] for i in range(5)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            (indicator, location, period, disaggregation, source): rest
            for indicator, location, period, disaggregation, source, *rest in cursor.fetchall()
        }


class StoredLookup:
    """``stored_values`` for one run, skipping what cannot be stored.

    The first time a run meets an (indicator, year) it asks, through the (indicator, year)
    index, whether any value of that pair is stored. When none is, no row of that pair can
    match a stored value except one written by this same run, and the run never writes a key
    twice (the pipeline refuses a repeated key): its rows are new without a look-up. A first
    import of a file, the usual large one, then costs no look-up at all. Another import
    writing the same keys at the same time fails on the unique constraint, which refuses
    the whole run.
    """

    def __init__(self, writer: BackgroundCopy | None = None) -> None:
        self.checked: set[tuple[int, int]] = set()
        self.fresh: set[tuple[int, int]] = set()
        self.writer = writer

    def __call__(self, rows: Sequence[Row]) -> dict[Key, tuple[Any, ...]]:
        pairs = {(row.key[0], row.year) for row in rows}
        unchecked = sorted(pairs - self.checked)
        if unchecked:
            self._wait()
            self.checked.update(unchecked)
            self.fresh.update(set(unchecked) - _pairs_stored(unchecked))
        if pairs <= self.fresh:
            return {}
        if self.fresh & pairs:
            rows = [row for row in rows if (row.key[0], row.year) not in self.fresh]
        self._wait()
        return stored_values(rows)

    def _wait(self) -> None:
        if self.writer is not None:
            self.writer.wait()


class _Switching:
    """Shorter turns between threads while a background ``COPY`` runs.

    The run's thread is busy in Python; the ``COPY`` thread needs the interpreter for a moment
    after each wait on the socket. With Python's default turn of 5 ms it sat idle for most
    of them, and the run waited for it: a million values took 17 s instead of 12–14 s with
    0.1 ms turns (docs/benchmarks.md). Process-wide, so counted: the default comes back when
    the last ``COPY`` thread of the process ends.
    """

    TURN = 0.0001

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._saved = sys.getswitchinterval()

    def enter(self) -> None:
        with self._lock:
            if self._users == 0:
                self._saved = sys.getswitchinterval()
                sys.setswitchinterval(self.TURN)
            self._users += 1

    def leave(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0:
                sys.setswitchinterval(self._saved)


_SWITCHING = _Switching()


class BackgroundCopy:
    """Runs the ``COPY`` of new values on a second thread, on the run's own connection.

    While PostgreSQL inserts one chunk (and updates its indexes) on one core, the run reads
    and checks the next chunk on the other; one after the other, an import took the sum of
    both. At most one ``COPY`` is in flight: ``wait()`` (before any other use of the
    connection, and at the end of the run) lets it finish and raises its error, as the
    database error Django would have raised. The ``COPY`` is part of the run's transaction.

    Used as a context manager inside that transaction: leaving it waits for the last ``COPY``
    and raises its error; leaving it on an error stops the thread quietly (the run's own
    error is the one to report, and its transaction is rolled back).
    """

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ayni-copy")
        self._pending: Future[None] | None = None
        _SWITCHING.enter()

    def __enter__(self) -> BackgroundCopy:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if kind is None:
            self.close()
        else:
            with contextlib.suppress(Exception):
                self.close()

    def submit(self, sql: str, data: str) -> None:
        self.wait()
        connection.ensure_connection()
        self._pending = self._executor.submit(self._copy, connection.connection, sql, data)

    @staticmethod
    def _copy(raw: Any, sql: str, data: str) -> None:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            copy.write(data)

    def wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            with connection.wrap_database_errors:
                pending.result()

    def close(self) -> None:
        """Wait for the last ``COPY`` and stop the thread; raises its error, if any."""
        try:
            self.wait()
        finally:
            self._executor.shutdown()
            _SWITCHING.leave()


def _pairs_stored(pairs: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which of the (indicator id, year) pairs have at least one stored value: one query per
    hundred pairs, each pair one probe of the (indicator, year) index."""
    table = connection.ops.quote_name(DataValue._meta.db_table)
    indicator, year = _column("indicator"), _column("year")
    probe = (
        f"SELECT %s, %s WHERE EXISTS "  # noqa: S608 - the model's own table and columns
        f"(SELECT 1 FROM {table} WHERE {indicator} = %s AND {year} = %s)"
    )
    found: set[tuple[int, int]] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), 100):
            part = pairs[start : start + 100]
            cursor.execute(
                " UNION ALL ".join([probe] * len(part)),
                [number for i, y in part for number in (i, y, i, y)],
            )
            found.update((int(i), int(y)) for i, y in cursor.fetchall())
    return found


_SQLITE_READ = decimal.Context(prec=15)  # what Django reads back from SQLite's REAL


def same_number(stored: Any, new: Decimal | None) -> bool:
    """Whether a number as the driver returned it is the one about to be written.

    PostgreSQL returns the stored ``Decimal``. SQLite stores decimals as REAL and returns a
    float: equal when the new number converts to the same float, or when it equals what
    Django would read back (15 significant digits, then 6 decimal places).
    """
    if stored is None or new is None:
        return stored is new
    if isinstance(stored, Decimal):
        return stored == new
    if stored == float(new):
        return True
    return _SQLITE_READ.create_decimal_from_float(float(stored)).quantize(QUANTUM) == new


def compare_and_write(
    rows: Sequence[Row],
    *,
    batch_id: int,
    write: bool,
    compare: bool = True,
    lookup: Callable[[Sequence[Row]], dict[Key, tuple[Any, ...]]] = stored_values,
    writer: BackgroundCopy | None = None,
) -> ChunkOutcome:
    """Count ``rows`` against the stored values and, when ``write``, store the difference.

    ``compare=False`` skips even the look-up (an atomic run already known to be refused
    only keeps reading to report every error). ``lookup`` finds the stored values (a run
    passes its ``StoredLookup``); ``writer``, on PostgreSQL, runs the inserts' ``COPY`` in
    the background.
    """
    outcome = ChunkOutcome()
    if not compare:
        return outcome
    stored = lookup(rows)
    if not stored:
        # Nothing of the chunk is stored (a first import): every value is new, and a
        # deletion finds nothing to delete.
        new = [row for row in rows if not row.delete]
        outcome.created = len(new)
        outcome.unchanged = len(rows) - len(new)
        outcome.touched = {(row.key[0], row.year) for row in new}
        if write and new:
            insert_rows(new, batch_id, writer)
        return outcome
    inserts: list[Row] = []
    updates: list[tuple[int, Row]] = []
    deletes: list[int] = []
    for row in rows:
        old = stored.get(row.key)
        if row.delete:
            if old is None:
                outcome.unchanged += 1
            else:
                deletes.append(old[0])
                outcome.deleted += 1
                outcome.touched.add((row.key[0], row.year))
        elif old is None:
            inserts.append(row)
            outcome.created += 1
            outcome.touched.add((row.key[0], row.year))
        elif (
            same_number(old[1], row.value)
            and same_number(old[2], row.lower)
            and same_number(old[3], row.upper)
            and same_number(old[4], row.numerator)
            and same_number(old[5], row.denominator)
            and old[6] == row.flags
        ):
            outcome.unchanged += 1
        else:
            updates.append((old[0], row))
            outcome.updated += 1
            outcome.touched.add((row.key[0], row.year))
    if write:
        # Changes and deletions first: they use the connection, so the previous chunk's
        # COPY must be done; then this chunk's COPY may run in the background.
        if (updates or deletes) and writer is not None:
            writer.wait()
        if updates:
            update_rows(updates, batch_id)
        if deletes:
            DataValue.objects.filter(pk__in=deletes).delete()
        if inserts:
            insert_rows(inserts, batch_id, writer)
    return outcome


def _insert_tuple(row: Row, batch_id: int) -> tuple[Any, ...]:
    indicator, location, period, disaggregation, source = row.key
    return (
        indicator,
        location,
        row.period_type,
        period,
        row.year,
        disaggregation,
        row.value,
        row.lower,
        row.upper,
        row.numerator,
        row.denominator,
        source,
        row.flags,
        batch_id,
        False,
    )


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_NULL = "\\N"


def copy_text(value: Any) -> str:
    """A value in PostgreSQL's COPY text format: ``\\N`` for NULL, text escaped."""
    if value is None:
        return _COPY_NULL
    return str(value).translate(_COPY_ESCAPES)


def copy_lines(rows: Iterable[Row], batch_id: int) -> str:
    """New values as the lines of a ``COPY ... FROM STDIN`` in text format, columns in the
    order of ``INSERTED``.

    One formatted line per value costs a fraction of psycopg's ``write_row``, which looks
    up a dumper for every cell. Texts (period, disaggregation, flags) are escaped; each
    distinct one once per call. Numbers are decimals: their ``str`` is plain digits.
    """
    escaped: dict[str, str] = {}
    lines: list[str] = []
    append = lines.append
    for row in rows:
        indicator, location, period, disaggregation, source = row.key
        key = escaped.get(disaggregation)
        if key is None:
            key = escaped[disaggregation] = copy_text(disaggregation)
        when = escaped.get(period)
        if when is None:
            when = escaped[period] = copy_text(period)
        head = f"{indicator}\t{location}\t{row.period_type}\t{when}\t{row.year}\t{key}"
        if (
            row.lower is None
            and row.upper is None
            and row.numerator is None
            and row.denominator is None
            and not row.flags
        ):
            append(f"{head}\t{row.value}\t\\N\t\\N\t\\N\t\\N\t{source}\t\t{batch_id}\tf\n")
        else:
            extras = "\t".join(
                copy_text(number)
                for number in (row.lower, row.upper, row.numerator, row.denominator)
            )
            append(
                f"{head}\t{row.value}\t{extras}\t{source}\t{copy_text(row.flags)}\t{batch_id}\tf\n"
            )
    return "".join(lines)


def insert_rows(rows: Iterable[Row], batch_id: int, writer: BackgroundCopy | None = None) -> None:
    """Insert new values (their keys are known not to be stored): through the ``writer``'s
    background ``COPY`` where there is one (a run on PostgreSQL), else ``executemany``."""
    table = connection.ops.quote_name(DataValue._meta.db_table)
    columns = ", ".join(_column(name) for name in INSERTED)
    if writer is not None:
        writer.submit(f"COPY {table} ({columns}) FROM STDIN", copy_lines(rows, batch_id))
        return
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(INSERTED))
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608
            [_insert_tuple(row, batch_id) for row in rows],
        )


def _update_tuple(pk: int, row: Row, batch_id: int) -> tuple[Any, ...]:
    return (
        row.value,
        row.lower,
        row.upper,
        row.numerator,
        row.denominator,
        row.flags,
        batch_id,
        pk,
    )


def update_rows(updates: Sequence[tuple[int, Row]], batch_id: int) -> None:
    """Write changed values over the stored ones, by id."""
    table = connection.ops.quote_name(DataValue._meta.db_table)
    pk = _column("id")
    with connection.cursor() as cursor:
        if copy_supported():
            # Staged in a temporary table that disappears with the transaction; the run is
            # always inside one (see pipeline.run_import).
            names = ", ".join(_column(name) for name in (*UPDATED, "id"))
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS ayni_value_updates ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {names} FROM {table} WITH NO DATA"
            )
            cursor.execute("TRUNCATE ayni_value_updates")
            with cursor.cursor.copy(f"COPY ayni_value_updates ({names}) FROM STDIN") as copy:
                for pk_value, row in updates:
                    copy.write_row(_update_tuple(pk_value, row, batch_id))
            assignments = ", ".join(f"{_column(name)} = u.{_column(name)}" for name in UPDATED)
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} FROM ayni_value_updates AS u "  # noqa: S608
                f"WHERE t.{pk} = u.{pk}"
            )
            return
        assignments = ", ".join(f"{_column(name)} = %s" for name in UPDATED)
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE {pk} = %s",  # noqa: S608
            [_update_tuple(pk_value, row, batch_id) for pk_value, row in updates],
        )
