from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ayni.core.services import jobs_cleanup


class Command(BaseCommand):
    help = (
        "Delete the files (and with --delete-jobs the rows) of jobs finished long ago; "
        "run it daily from cron where no worker runs it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            metavar="DAYS",
            help=(
                "jobs that finished more than DAYS days ago (by default uploads after "
                "AYNI_UPLOAD_RETENTION_DAYS, exports after AYNI_EXPORT_RETENTION_DAYS)"
            ),
        )
        parser.add_argument(
            "--delete-jobs",
            action="store_true",
            help="delete the job rows too (by default their record stays, without files)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["older_than"] is not None and options["older_than"] < 0:
            raise CommandError("--older-than must be 0 or more days")
        removed = jobs_cleanup(
            older_than_days=options["older_than"], delete_jobs=options["delete_jobs"]
        )
        self.stdout.write(
            f"{removed['files']} file(s) deleted, {removed['file_rows']} file record(s) and "
            f"{removed['jobs']} job(s) removed"
        )
