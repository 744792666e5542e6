"""``ayni analytics refresh [--full] [--indicator CODE ...] [--year Y ...]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ayni.monitoring.analytics import refresh, store_root
from ayni.monitoring.models import Indicator


class Command(BaseCommand):
    help = (
        "Rebuild the analytics store (Parquet files read by dashboards) from the data values: "
        "everything with --full or no option, or only the indicators and years named."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--full",
            action="store_true",
            help="Rebuild every partition and remove those without values (the default when "
            "no indicator or year is named).",
        )
        parser.add_argument(
            "--indicator",
            action="extend",
            nargs="+",
            default=[],
            metavar="CODE",
            help="Only these indicators (codes).",
        )
        parser.add_argument(
            "--year", action="extend", nargs="+", type=int, default=[], help="Only these years."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        codes: list[str] = options["indicator"]
        years: list[int] = options["year"]
        if options["full"] and (codes or years):
            raise CommandError("--full rebuilds everything: leave out --indicator and --year")
        indicator_ids = None
        if codes:
            found = dict(Indicator.objects.filter(code__in=codes).values_list("code", "id"))
            missing = [code for code in codes if code not in found]
            if missing:
                raise CommandError(f"Unknown indicator: {', '.join(missing)}")
            indicator_ids = list(found.values())
        summary = refresh(indicator_ids=indicator_ids, years=years or None)
        self.stdout.write(f"Analytics store {store_root()}: {summary}")
