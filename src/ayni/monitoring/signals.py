"""Signals of the monitoring domain.

``values_changed`` is sent after data values are written (an import, a manual edit), once per
transaction that committed, with the indicator ids and years touched; the analytics store
listens to refresh just those partitions.
"""

from django.dispatch import Signal

# kwargs: indicator_ids: set[int], years: set[int], batch: ImportBatch | None
values_changed = Signal()
