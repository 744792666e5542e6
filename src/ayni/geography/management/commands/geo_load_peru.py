from typing import Any

from django.core.management.base import BaseCommand

from ayni.geography.services import geography_load_peru


class Command(BaseCommand):
    help = "Load or update Peru's departments, provinces, districts and macro-regions."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = geography_load_peru()
        self.stdout.write(
            self.style.SUCCESS(
                f"Peru: {summary.created} places created, {summary.updated} updated, "
                f"{summary.unchanged} unchanged; {summary.zones} macro-regions."
            )
        )
