"""Keeping the analytics store up to date with what is committed, crashes included.

A transaction that changes data values records the (indicator, year) pairs it touched in
``AnalyticsBacklog`` (``monitoring.signals.values_written``), so the record commits exactly
when the values do. ``catch_up`` rewrites the partitions of those pairs and then deletes the
rows it absorbed, so a process that stops between an import's commit and its refresh (a
restart, an out-of-memory kill) leaves rows behind rather than a store silently stale. They are
absorbed by whichever comes first:

- the next refresh after any import, even one that changed nothing (``values_changed`` is sent
  after every import that commits);
- the worker's sweep (``core.liveness.sweep``, at its start and every
  ``AYNI_JOB_SWEEP_SECONDS``), and the web process's when it starts;
- the next read of the store (``catch_up_if_due``): at the first read of a process, then at
  most every ``AYNI_JOB_SWEEP_SECONDS``; between two checks a read costs a clock reading, no
  query;
- a full refresh (``ayni analytics refresh``).

Refreshes take one lock (an ``flock`` on ``<store>/.refresh.lock``), so two processes never
write the same partition from two different moments of the database. An import's own refresh
waits for it; a sweep or a read that finds it taken leaves the work to whoever holds it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings

from ayni.core.imports import file_lock, import_running
from ayni.monitoring.analytics import store
from ayni.monitoring.analytics.store import RefreshSummary
from ayni.monitoring.models import AnalyticsBacklog

logger = logging.getLogger(__name__)

LOCK_NAME = ".refresh.lock"
DELETE_CHUNK = 500  # ids per DELETE: well within every database's limit on parameters


@contextmanager
def refresh_lock(*, wait: bool = True) -> Iterator[bool]:
    """Hold the store's refresh lock (``core.imports.file_lock``); yield False at once if
    ``wait`` is off and it is taken."""
    root = store.store_root()
    root.mkdir(parents=True, exist_ok=True)
    with file_lock(root / LOCK_NAME, wait=wait) as held:
        yield held


def _pending() -> list[tuple[int, int, int]]:
    """(id, indicator id, year) of every change committed and not absorbed yet."""
    return list(AnalyticsBacklog.objects.order_by().values_list("id", "indicator_id", "year"))


def _absorbed(ids: list[int]) -> None:
    """Forget the changes ``ids``: a refresh that began after they were committed has
    rewritten their partitions. By id, never by a range: a transaction that took a lower id
    may commit after a higher one was read."""
    for start in range(0, len(ids), DELETE_CHUNK):
        AnalyticsBacklog.objects.filter(id__in=ids[start : start + DELETE_CHUNK]).delete()


def refresh(
    *,
    indicator_ids: Iterable[int] | None = None,
    years: Iterable[int] | None = None,
    pairs: Iterable[tuple[int, int]] | None = None,
) -> RefreshSummary:
    """``store.refresh`` under the refresh lock; a full refresh (no arguments) also absorbs
    every change that was committed before it began."""
    with refresh_lock():
        full = indicator_ids is None and years is None and pairs is None
        pending = _pending() if full else []
        summary = store.refresh(indicator_ids=indicator_ids, years=years, pairs=pairs)
        _absorbed([pk for pk, _, _ in pending])
    _checked()
    return summary


def catch_up(pairs: Iterable[tuple[int, int]] = (), *, wait: bool = True) -> RefreshSummary | None:
    """Rewrite the partitions of ``pairs`` and of every change not absorbed yet, then forget
    those changes. None when there was nothing to do, or when ``wait`` is off and another
    refresh holds the lock. A failure is raised, and the changes stay to be absorbed later.

    Without ``wait`` (a sweep, a read), nothing is done either while an import runs on SQLite:
    forgetting the changes is a write, which would wait behind the import's write lock. The
    import absorbs them itself if it commits; the next sweep or read does otherwise."""
    if not wait and import_running():
        return None
    with refresh_lock(wait=wait) as ours:
        if not ours:
            return None
        pending = _pending()
        wanted = {(int(i), int(y)) for i, y in pairs} | {(i, y) for _, i, y in pending}
        if not wanted:
            _checked()
            return None
        summary = store.refresh(pairs=wanted)
        _absorbed([pk for pk, _, _ in pending])
    if pending:
        logger.info("analytics store caught up on %s change(s): %s", len(pending), summary)
    _checked()
    return summary


# When this process last knew the store had absorbed everything committed (monotonic clock).
_last_check: float | None = None
_check_lock = threading.Lock()


def _checked() -> None:
    global _last_check
    _last_check = time.monotonic()


def forget_catch_up() -> None:
    """As in a process that has not looked yet: the next read looks for changes to absorb."""
    global _last_check
    _last_check = None


def catch_up_if_due() -> None:
    """For every read of the store: at the first read of a process, then at most every
    ``AYNI_JOB_SWEEP_SECONDS``, absorb what was committed and not absorbed (one query when
    there is nothing). Otherwise nothing but a clock reading. A failure is logged: the page
    still shows what the store holds."""
    global _last_check
    interval = settings.AYNI_JOB_SWEEP_SECONDS
    last = _last_check
    if last is not None and time.monotonic() - last < interval:
        return  # the hot path: no lock, no query
    with _check_lock:  # one thread of the process looks; the others go on reading
        now = time.monotonic()
        if _last_check is not None and now - _last_check < interval:
            return
        _last_check = now
    try:
        if AnalyticsBacklog.objects.exists():
            catch_up(wait=False)
    except Exception:
        logger.exception("the analytics store could not catch up; it shows what it holds")
