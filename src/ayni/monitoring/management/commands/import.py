"""``ayni import FORMAT FILE``: import data values from a file (see docs/imports.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ayni.accounts.models import CountryOffice
from ayni.core.imports import ImportRefused
from ayni.geography.models import Country
from ayni.geography.selectors import CountryNotChosen, country_named
from ayni.monitoring.imports.pipeline import (
    ImportValuesRefused,
    ValueImportResult,
    format_error,
    run_import,
)

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = (
        "Import data values from a file: csv, xlsx, dhis2-json, dhis2-csv, sdmx-csv, sdmx-ml. "
        "All or nothing by default; --best-effort loads the good lines and reports the bad ones."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("format", help="file format, e.g. csv, xlsx, dhis2-json, sdmx-csv")
        parser.add_argument("file", type=Path, help="the file to import")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--atomic", action="store_true", help="all or nothing (the default)")
        mode.add_argument(
            "--best-effort",
            action="store_true",
            help="write the good lines and report the bad ones",
        )
        parser.add_argument("--mapping", type=Path, help="mapping JSON file (docs/imports.md)")
        parser.add_argument(
            "--structure",
            type=Path,
            help="SDMX-ML data structure file, for a structure-specific SDMX-ML message",
        )
        where = parser.add_mutually_exclusive_group()
        where.add_argument(
            "--office", help="code of the country office whose country the values are for"
        )
        where.add_argument("--country", help="ISO 3166-1 code of the country the values are for")
        parser.add_argument(
            "--user",
            help="the username recorded as having run the import (their office's country is "
            "the default); without --user, --office or --country, the only country loaded",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._user(options["user"])
        country = self._country(options["country"], options["office"], user)
        bar = self._progress_bar()
        try:
            batch, result = run_import(
                format=options["format"],
                path=options["file"],
                user=user,
                # Read by the run, so that a bad mapping is recorded on its batch. A local
                # structure path is fine here: whoever runs the command runs the server.
                mapping_file=options["mapping"],
                structure_file=options["structure"],
                dry_run=options["dry_run"],
                atomic=not options["best_effort"],
                country=country,
                progress=bar.update_to if bar else None,
            )
        except ImportValuesRefused as exc:
            self._close(bar)
            self._errors(exc.result, exc.batch.pk)
            raise CommandError(f"{options['file'].name}: {self._refused(exc)}") from exc
        except ImportRefused as exc:
            self._close(bar)
            recorded = _(" (batch %(batch)s)") % {"batch": exc.batch.pk} if exc.batch else ""
            raise CommandError(f"{exc}{recorded}") from exc
        self._close(bar)
        self._errors(result, batch.pk)
        counts = result.counts()
        summary = _(
            "%(read)s values read: %(created)s created, %(updated)s updated, %(unchanged)s "
            "unchanged, %(deleted)s deleted, %(rejected)s refused (batch %(batch)s)."
        ) % {**{key: f"{value:,}" for key, value in counts.items()}, "batch": batch.pk}
        if options["dry_run"]:
            summary += " " + _("Dry run: nothing written.")
        self.stdout.write(self.style.SUCCESS(summary))

    @staticmethod
    def _refused(exc: ImportValuesRefused) -> str:
        return _("%(count)s of %(read)s lines refused, nothing written (batch %(batch)s).") % {
            "count": f"{exc.result.rejected:,}",
            "read": f"{exc.result.read:,}",
            "batch": exc.batch.pk,
        }

    def _errors(self, result: ValueImportResult, batch_id: int) -> None:
        for error in result.errors[:SHOWN_ERRORS]:
            self.stderr.write(format_error(error))
        more = result.error_count - min(len(result.errors), SHOWN_ERRORS)
        if more > 0:
            self.stderr.write(
                _("... and %(count)s more (ayni import-errors %(batch)s for all)")
                % {"count": f"{more:,}", "batch": batch_id}
            )

    def _user(self, username: str | None) -> Any:
        if not username:
            return None
        from django.contrib.auth import get_user_model

        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(_("unknown user '%(user)s'") % {"user": username}) from None

    def _country(self, code: str | None, office_code: str | None, user: Any) -> Country:
        """The country of ``--country``, of ``--office``, of the user's office, or the only one
        loaded; the user (if any) must work for an office of that country."""
        own = user.country_office if user is not None else None
        if code:
            try:
                country = Country.objects.get(iso2=code.upper())
            except Country.DoesNotExist:
                raise CommandError(
                    _("unknown country '%(code)s': load its geography first") % {"code": code}
                ) from None
        elif office_code:
            office = CountryOffice.objects.select_related("country").filter(code=office_code)
            if not office:
                known = ", ".join(CountryOffice.objects.values_list("code", flat=True))
                raise CommandError(
                    _("unknown office '%(office)s'; offices: %(known)s")
                    % {"office": office_code, "known": known or "-"}
                )
            country = office[0].country
        elif own is not None:
            country = own.country
        else:
            try:
                country = country_named(None)
            except CountryNotChosen as exc:
                raise CommandError(
                    _("%(reason)s: give --office or --country") % {"reason": exc}
                ) from None
        if own is not None and own.country_id != country.pk:
            raise CommandError(
                _("%(user)s works for %(office)s, not in %(country)s")
                % {"user": user.username, "office": own, "country": country.iso2}
            )
        return country

    def _progress_bar(self) -> Any:
        # Only for a person watching: never in logs, pipes or tests.
        if not sys.stderr.isatty():
            return None
        from tqdm import tqdm

        class Bar(tqdm):
            def update_to(self, read: int) -> None:
                self.update(read - self.n)

        return Bar(unit=" values", unit_scale=True, file=sys.stderr, leave=False)

    @staticmethod
    def _close(bar: Any) -> None:
        if bar is not None:
            bar.close()
