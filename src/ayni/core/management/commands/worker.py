import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ayni.core import jobs


class Command(BaseCommand):
    help = "Run queued background jobs (imports, refreshes) when AYNI_JOBS=worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run what is queued, then stop")
        parser.add_argument("--sleep", type=float, default=2.0, help="seconds between polls")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            job = jobs.take_next()
            if job is None:
                if options["once"]:
                    return
                time.sleep(options["sleep"])
                continue
            done = jobs.run(job)
            self.stdout.write(f"{done}")
