"""The analytics store: a denormalised copy of the data values, as Parquet, read with DuckDB.

What DHIS2 does with its analytics tables, at a fraction of the cost: each value carries its
indicator code, the codes of every level of its place's hierarchy, the parts of its period and
one column per disaggregation dimension, so that dashboards and indicator pages never
aggregate the transactional table on the fly. The same files are the scale-out path: Spark
(``spark.read.parquet(root)``) reads them unchanged.

- ``store``: the layout on disk and the refresh (full, or only the touched partitions).
- ``freshness``: one refresh at a time, and catching up on committed changes the store has
  not absorbed (a process stopped between an import's commit and its refresh).
- ``queries``: the reads pages and the API call, through DuckDB.
- ``connect_signals()``: refresh the touched partitions (and catch up) whenever
  ``values_changed`` is sent, and catch up at each sweep of ``core.liveness``; call it from
  ``MonitoringConfig.ready``.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ayni.monitoring.analytics.freshness import catch_up, refresh
    from ayni.monitoring.analytics.queries import (
        by_group,
        disaggregated,
        indicator_by_location_year,
        indicators_matrix,
        latest_by_location,
        latest_of_places,
        series,
        series_matrix,
        stored_years,
    )
    from ayni.monitoring.analytics.store import RefreshSummary, store_root

# The names above are loaded on first use (PEP 562): the package is imported when Django
# starts (``connect_signals``), and DuckDB and pyarrow weigh about 110 MB of memory that an
# import run or a worker that never reads the store should not carry.
_LAZY = {
    "RefreshSummary": "store",
    "catch_up": "freshness",
    "refresh": "freshness",
    "store_root": "store",
    "by_group": "queries",
    "disaggregated": "queries",
    "indicator_by_location_year": "queries",
    "indicators_matrix": "queries",
    "latest_by_location": "queries",
    "latest_of_places": "queries",
    "series": "queries",
    "series_matrix": "queries",
    "stored_years": "queries",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "RefreshSummary",
    "by_group",
    "catch_up",
    "connect_signals",
    "disaggregated",
    "indicator_by_location_year",
    "indicators_matrix",
    "latest_by_location",
    "latest_of_places",
    "refresh",
    "series",
    "series_matrix",
    "store_root",
    "stored_years",
]

logger = logging.getLogger(__name__)
DISPATCH_UID = "ayni.monitoring.analytics.refresh"


def on_values_changed(sender: Any, *, pairs: Any = (), **kwargs: Any) -> RefreshSummary | None:
    """Rewrite the partitions of the (indicator id, year) ``pairs`` that changed, and of any
    change committed earlier that the store has not absorbed (``freshness.catch_up``): sent
    after every import that commits, also one that changed nothing.

    The values are already committed when the signal is sent, so a failure here must not
    undo or fail the import: it is logged, the store stays as it was (stale, never
    half-written), and the changes stay recorded until a later refresh absorbs them."""
    from ayni.monitoring.models import AnalyticsBacklog

    if not pairs and not AnalyticsBacklog.objects.exists():
        return None  # nothing to do: DuckDB and pyarrow need not be loaded
    from ayni.monitoring.analytics.freshness import catch_up

    try:
        return catch_up(pairs=set(pairs))
    except Exception:
        logger.exception(
            "analytics refresh failed for (indicator id, year) %s; it will be caught up",
            sorted(pairs),
        )
        return None


def sweep() -> None:
    """At each sweep of ``core.liveness`` (workers, the web process's start): absorb what a
    stopped process left committed and not refreshed, unless another refresh is under way."""
    from ayni.monitoring.models import AnalyticsBacklog

    if AnalyticsBacklog.objects.exists():
        from ayni.monitoring.analytics.freshness import catch_up

        catch_up(wait=False)


def connect_signals() -> None:
    """Connect the refresh to ``values_changed`` and the catch-up to the sweeps of
    ``core.liveness`` (idempotent: one receiver however often it is called)."""
    from ayni.core.liveness import register_sweeper
    from ayni.monitoring.signals import values_changed

    values_changed.connect(on_values_changed, dispatch_uid=DISPATCH_UID)
    register_sweeper("analytics", sweep)
