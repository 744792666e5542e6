"""Signals of the monitoring domain.

``values_changed`` is sent after data values are written (an import, a manual edit), once per
transaction that committed, with the indicator ids and years touched and, where the sender
knows them, the exact (indicator id, year) pairs; the analytics store listens to refresh just
those partitions.
"""

from django.dispatch import Signal

# kwargs: indicator_ids: set[int], years: set[int], batch: ImportBatch | None,
# and optionally pairs: set[tuple[int, int]] (indicator id, year)
values_changed = Signal()
