"""Signals of the monitoring domain, and what every writer of data values calls.

``values_changed`` is sent after data values are written, once per transaction that committed,
with the (indicator id, year) pairs touched (none when an import changed nothing); the
analytics store listens to refresh those partitions and to absorb any change it missed.

A writer calls ``values_written`` inside its transaction: the pairs are recorded there
(``AnalyticsBacklog``), so they commit with the values, and the signal is sent after the
commit. A process that stops between the two leaves the record, which the store catches up on.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.dispatch import Signal

from ayni.monitoring.models import AnalyticsBacklog, DataValue

# kwargs: pairs: set[tuple[int, int]] (indicator id, year), batch: ImportBatch | None
values_changed = Signal()


def values_written(pairs: set[tuple[int, int]], *, batch: Any = None) -> None:
    """Record, in the current transaction, that the values of ``pairs`` changed (by
    ``batch``), and send ``values_changed`` once it commits."""
    AnalyticsBacklog.objects.bulk_create(
        AnalyticsBacklog(indicator_id=indicator_id, year=year, batch=batch)
        for indicator_id, year in sorted(pairs)
    )
    transaction.on_commit(partial(_send, set(pairs), batch))


def _send(pairs: set[tuple[int, int]], batch: Any) -> None:
    values_changed.send(sender=DataValue, pairs=pairs, batch=batch)
