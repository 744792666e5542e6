"""``ayni import-errors BATCH_ID``: the errors of an import as CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ayni.core.models import ImportBatch
from ayni.monitoring.imports.pipeline import write_error_report


class Command(BaseCommand):
    help = "Write the errors of an import batch as CSV (line, field, message, item)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("batch", type=int, help="the batch number shown by ayni import")
        parser.add_argument("--output", type=Path, help="write to this file (default: the screen)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            batch = ImportBatch.objects.get(pk=options["batch"])
        except ImportBatch.DoesNotExist:
            raise CommandError(
                _("no import batch %(batch)s") % {"batch": options["batch"]}
            ) from None
        output: Path | None = options["output"]
        if output is None:
            write_error_report(batch, self.stdout)
            return
        with output.open("w", encoding="utf-8", newline="") as handle:
            count = write_error_report(batch, handle)
        self.stderr.write(
            ngettext(
                "%(count)s error written to %(file)s",
                "%(count)s errors written to %(file)s",
                count,
            )
            % {"count": count, "file": output}
        )
