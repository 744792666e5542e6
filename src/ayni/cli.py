"""``ayni``: the project's commands, grouped, over Django's management commands.

``ayni geo import-boundaries FILE ...`` runs the management command ``geo_import_boundaries``;
any other Django command runs as it is (``ayni migrate``, ``ayni changepassword admin``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

GROUPS = {
    "geo": "Geography: places, zones and boundaries",
    "sdmx": "SDMX: pull data from an SDMX web service",
    "analytics": "Analytics store: refresh and query",
    "jobs": "Background jobs: remove old files",
}


def _ayni_commands() -> dict[str, str]:
    """Management command name → app, for the commands Ayni's own apps define."""
    from django.core.management import get_commands

    return {name: app for name, app in get_commands().items() if app.startswith("ayni.")}


def _help() -> str:
    from django.core.management import load_command_class

    lines = ["usage: ayni [GROUP] COMMAND [ARGS]", "", "Ayni commands:"]
    commands = _ayni_commands()
    for name in sorted(commands):
        group, _, rest = name.partition("_")
        shown = f"{group} {rest.replace('_', '-')}" if group in GROUPS else name
        summary = load_command_class(commands[name], name).help.split("\n")[0]
        lines.append(f"  {shown:<28} {summary}")
    lines += [
        "",
        "Django commands (e.g. migrate, runserver, createsuperuser, changepassword) also work:",
        "  ayni help --commands   lists them all; ayni COMMAND --help explains one.",
    ]
    return "\n".join(lines)


def translate(argv: list[str]) -> list[str]:
    """``["geo", "import-boundaries", ...]`` → ``["geo_import_boundaries", ...]``."""
    if len(argv) >= 2 and argv[0] in GROUPS and not argv[1].startswith("-"):
        return [f"{argv[0]}_{argv[1].replace('-', '_')}", *argv[2:]]
    if argv and "-" in argv[0] and not argv[0].startswith("-"):
        return [argv[0].replace("-", "_"), *argv[1:]]
    return argv


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ayni.settings")
    import django
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    django.setup()
    from django.conf import settings

    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    if not args or args[0] in {"-h", "--help"} or args == ["help"]:
        print(_help())
        return
    execute_from_command_line(["ayni", *translate(args)])


if __name__ == "__main__":
    main()
