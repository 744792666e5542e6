from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ayni.core.backup.base import BackupError
from ayni.core.backup.services import backup_restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `ayni backup` into the configured database and data "
        "folders; refused if the database holds data, unless --force. Stop the server first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, metavar="FILE", help="the archive to restore")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the database and the files even if the database holds data",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["archive"]
        if not path.is_file():
            raise CommandError(_("%(path)s is not a file.") % {"path": path})
        try:
            summary = backup_restore(path, force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _(
                "Restored the %(engine)s database and %(files)s files of the backup made on "
                "%(created)s by Ayni %(version)s, in %(seconds).1f s."
            )
            % {
                "engine": summary.engine,
                "files": summary.files,
                "created": summary.created_at,
                "version": summary.ayni_version,
                "seconds": summary.seconds,
            }
        )
        if summary.pending_migrations:
            self.stdout.write(
                _("This version of Ayni has %(count)s newer migrations: run `ayni migrate`.")
                % {"count": len(summary.pending_migrations)}
            )
