from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from ayni.core.backup.base import BackupError
from ayni.core.backup.services import backup_create


class Command(BaseCommand):
    help = (
        "Write one archive of the database and the files (uploads, exports, the analytics "
        "store), consistent while the server runs; `ayni restore` reads it back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            type=Path,
            metavar="FILE",
            help=(
                "the archive to write, .tar.gz (compressed) or .tar "
                "(default: ayni-backup-YYYYMMDD-HHMMSS.tar.gz in the current folder)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"] or Path(
            f"ayni-backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
        )
        if output.exists():
            raise CommandError(_("%(path)s already exists.") % {"path": output})
        try:
            summary = backup_create(output.absolute())
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for name in summary.not_archived:
            self.stderr.write(
                _(
                    "Warning: the files of %(tree)s are not in a local folder and are not in "
                    "the archive: back them up with their storage's own tools."
                )
                % {"tree": name}
            )
        self.stdout.write(
            _(
                "%(path)s: the %(engine)s database and %(files)s files, %(size)s bytes, "
                "in %(seconds).1f s."
            )
            % {
                "path": summary.path,
                "engine": summary.engine,
                "files": summary.files,
                "size": summary.bytes,
                "seconds": summary.seconds,
            }
        )
