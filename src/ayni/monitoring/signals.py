"""Signals of the monitoring domain.

``values_changed`` is sent after data values are written, once per transaction that committed,
with the (indicator id, year) pairs touched; the analytics store listens to refresh just those
partitions.
"""

from django.dispatch import Signal

# kwargs: pairs: set[tuple[int, int]] (indicator id, year), batch: ImportBatch | None
values_changed = Signal()
