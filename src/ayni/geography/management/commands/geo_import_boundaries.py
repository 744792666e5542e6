from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ayni.core.imports import ImportRefused
from ayni.geography.boundaries import import_boundaries
from ayni.geography.models import Country
from ayni.geography.selectors import CountryNotChosen, country_named


class Command(BaseCommand):
    help = (
        "Attach boundaries from a GeoJSON FeatureCollection to existing locations of one level, "
        "matching each feature by the code in --code-property."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="GeoJSON FeatureCollection (WGS84)")
        parser.add_argument("--level", required=True, help="e.g. department, province, district")
        parser.add_argument(
            "--code-property", required=True, help="feature property holding the code"
        )
        parser.add_argument(
            "--country",
            help="ISO 3166-1 code of the country (required when more than one is loaded)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument(
            "--best-effort",
            action="store_true",
            help="load the good features and report the bad ones (default: all or nothing)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            country = country_named(options["country"])
        except Country.DoesNotExist:
            raise CommandError(
                f"unknown country {options['country']!r}: load its geography first"
            ) from None
        except CountryNotChosen as exc:
            codes = ", ".join(c.iso2 for c in exc.countries)
            raise CommandError(
                f"several countries are loaded ({codes}): give --country"
                if exc.countries
                else "no country is loaded: load its geography first"
            ) from None
        try:
            result = import_boundaries(
                path=options["file"],
                country=country,
                level=options["level"],
                code_property=options["code_property"],
                dry_run=options["dry_run"],
                atomic=not options["best_effort"],
            )
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc
        for error in result.errors:
            self.stderr.write(f"refused: {error}")
        prefix = "Dry run (nothing written): " if options["dry_run"] else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}{result.created} boundaries added, {result.updated} updated, "
                f"{result.unchanged} unchanged, {result.rejected} features refused."
            )
        )
