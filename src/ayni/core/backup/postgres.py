"""PostgreSQL: ``pg_dump`` in its custom format, restored by ``pg_restore`` through ``psql`` in
one transaction.

The dump runs on a snapshot exported by a repeatable-read transaction, in which the migration
state is read too: the manifest describes exactly the data dumped, while the server goes on
writing. ``pg_dump`` writes every value in its exact text form (floats with all their digits,
timestamps to the microsecond) and the sequences' positions. The restore is one ``psql
--single-transaction`` session: it drops what the database holds, then runs the script
``pg_restore`` makes of the archive; an error rolls all of it back.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.utils.translation import gettext as _
from psycopg import sql

from ayni.core.backup.base import BOOKKEEPING_TABLES, BackupError, RestoreRefused

MEMBER = "database/ayni.pgdump"
# Django's OPTIONS for the PostgreSQL backend that are not libpq connection parameters.
_NOT_LIBPQ = {"isolation_level", "server_side_binding", "pool", "assume_role", "cursor_factory"}
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")
# Drop every table, view and sequence of the public schema and every other schema but the
# system's: the archive's script then creates the database as it was.
_DROP_EVERYTHING = """
DO $$
DECLARE item record;
BEGIN
  FOR item IN SELECT nspname FROM pg_namespace
      WHERE nspname NOT IN ('public', 'information_schema') AND nspname NOT LIKE 'pg\\_%'
  LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', item.nspname);
  END LOOP;
  FOR item IN SELECT c.relname, c.relkind FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                        AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))
  LOOP
    EXECUTE format('DROP %s IF EXISTS public.%I CASCADE',
      CASE item.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
        WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
      item.relname);
  END LOOP;
END $$;
"""


def connection_parameters(settings_dict: dict[str, Any]) -> dict[str, Any]:
    """psycopg's keyword arguments for a Django database setting."""
    parameters: dict[str, Any] = {
        key: value
        for key, value in (settings_dict.get("OPTIONS") or {}).items()
        if key not in _NOT_LIBPQ
    }
    for key, name in [("NAME", "dbname"), ("USER", "user"), ("PASSWORD", "password")]:
        if settings_dict.get(key):
            parameters[name] = settings_dict[key]
    if settings_dict.get("HOST"):
        parameters["host"] = settings_dict["HOST"]
    if settings_dict.get("PORT"):
        parameters["port"] = str(settings_dict["PORT"])
    return parameters


def _client_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The libpq variables for pg_dump, pg_restore and psql: the password goes through the
    environment of the child process, never its command line (which ``ps`` shows)."""
    names = {
        "dbname": "PGDATABASE",
        "user": "PGUSER",
        "password": "PGPASSWORD",
        "host": "PGHOST",
        "port": "PGPORT",
        "sslmode": "PGSSLMODE",
        "sslrootcert": "PGSSLROOTCERT",
        "sslcert": "PGSSLCERT",
        "sslkey": "PGSSLKEY",
        "passfile": "PGPASSFILE",
        "service": "PGSERVICE",
        "options": "PGOPTIONS",
        "application_name": "PGAPPNAME",
        "connect_timeout": "PGCONNECT_TIMEOUT",
    }
    environment = dict(os.environ)
    for key, value in connection_parameters(settings_dict).items():
        if key in names:
            environment[names[key]] = str(value)
    return environment


def program(name: str) -> str:
    """The path of a PostgreSQL client program: in ``AYNI_PG_BINDIR`` if set, else on PATH."""
    folder = settings.AYNI_PG_BINDIR
    found = shutil.which(name, path=str(folder)) if folder else shutil.which(name)
    if found is None:
        where = folder or "PATH"
        raise BackupError(
            _(
                "%(program)s was not found (looked in %(where)s): install the PostgreSQL client "
                "programs of the server's version (Debian: postgresql-client-N) or set "
                "AYNI_PG_BINDIR to their folder."
            )
            % {"program": name, "where": where}
        )
    return found


def client_major(name: str) -> int:
    """The major version of a client program, from its ``--version``."""
    path = program(name)
    output = subprocess.run(  # noqa: S603 (a fixed program path, no shell)
        [path, "--version"], capture_output=True, text=True, check=False
    ).stdout
    match = _VERSION.search(output)
    if match is None:
        raise BackupError(
            _("Could not read the version of %(program)s from %(output)r.")
            % {"program": path, "output": output.strip()}
        )
    return int(match.group(1))


def server_major(connection: psycopg.Connection[Any]) -> int:
    return connection.info.server_version // 10000


def check_dump_client(server: int) -> int:
    """pg_dump's major version, which must be the server's: an older pg_dump refuses a newer
    server, and a newer one writes statements an older server cannot restore."""
    client = client_major("pg_dump")
    if client != server:
        raise BackupError(
            _(
                "pg_dump is version %(client)s but the server is PostgreSQL %(server)s: use the "
                "pg_dump of version %(server)s (Debian: postgresql-client-%(server)s; or set "
                "AYNI_PG_BINDIR, e.g. /usr/lib/postgresql/%(server)s/bin)."
            )
            % {"client": client, "server": server}
        )
    return client


def _connect(settings_dict: dict[str, Any]) -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(**connection_parameters(settings_dict), connect_timeout=10)
    except psycopg.Error as exc:
        raise BackupError(
            _("Could not connect to the database %(name)s: %(error)s")
            % {"name": settings_dict.get("NAME"), "error": exc}
        ) from exc


def _value(connection: psycopg.Connection[Any], query: Any) -> Any:
    row = connection.execute(query).fetchone()
    return row[0] if row is not None else None


def dump(settings_dict: dict[str, Any], into: Path) -> dict[str, Any]:
    """``pg_dump`` of the database into the file ``into``, with its migration state."""
    with _connect(settings_dict) as connection:
        server = server_major(connection)
        client = check_dump_client(server)
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        with connection.transaction():
            snapshot = _value(connection, "SELECT pg_export_snapshot()")
            migrations: dict[str, list[str]] = {}
            if _value(connection, "SELECT to_regclass('django_migrations')"):
                for app, name in connection.execute(
                    "SELECT app, name FROM django_migrations ORDER BY 1, 2"
                ):
                    migrations.setdefault(app, []).append(name)
            command = [program("pg_dump"), "--format=custom", f"--snapshot={snapshot}"]
            command += [f"--file={into}"]
            finished = subprocess.run(  # noqa: S603
                command,
                env=_client_environment(settings_dict),
                capture_output=True,
                text=True,
                check=False,
            )
        if finished.returncode != 0:
            raise BackupError(_("pg_dump failed: %(error)s") % {"error": finished.stderr.strip()})
    return {
        "migrations": migrations,
        "details": {"server_major": server, "pg_dump_major": client},
    }


def tables_with_rows(settings_dict: dict[str, Any]) -> list[str]:
    """The tables of the target holding rows other than what ``migrate`` writes."""
    with _connect(settings_dict) as connection:
        tables = connection.execute(
            "SELECT n.nspname, c.relname FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('information_schema') "
            "AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1, 2"
        ).fetchall()
        found = []
        for schema, table in tables:
            if table in BOOKKEEPING_TABLES:
                continue
            query = sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(
                sql.Identifier(schema, table)
            )
            if _value(connection, query):
                found.append(table if schema == "public" else f"{schema}.{table}")
        return found


def check_restorable(settings_dict: dict[str, Any], details: dict[str, Any]) -> None:
    """The client programs can read the archive and the target server is not older than the
    one it was dumped from (PostgreSQL restores into the same or a newer version only)."""
    dumped_by = int(details["pg_dump_major"])
    for name in ("pg_restore", "psql"):
        major = client_major(name)
        if major < dumped_by:
            raise RestoreRefused(
                _(
                    "%(program)s is version %(client)s but the archive was made by pg_dump "
                    "%(dumped)s: use the client programs of version %(dumped)s or newer."
                )
                % {"program": name, "client": major, "dumped": dumped_by}
            )
    with _connect(settings_dict) as connection:
        server = server_major(connection)
    if server < int(details["server_major"]):
        raise RestoreRefused(
            _(
                "The archive comes from PostgreSQL %(source)s and cannot be restored into the "
                "older PostgreSQL %(target)s."
            )
            % {"source": details["server_major"], "target": server}
        )


def restore(settings_dict: dict[str, Any], dump_path: Path) -> None:
    """Replace the whole target database by the archived one, in one transaction."""
    environment = _client_environment(settings_dict)
    script_errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed below)
    script = subprocess.Popen(  # noqa: S603
        [program("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(dump_path)],
        stdout=subprocess.PIPE,
        stderr=script_errors,
        env=environment,
    )
    assert script.stdout is not None  # noqa: S101 (stdout=PIPE)
    applied = subprocess.run(  # noqa: S603
        [
            program("psql"),
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            "--output=/dev/null",
            f"--command={_DROP_EVERYTHING}",
            "--file=-",
        ],
        stdin=script.stdout,
        capture_output=True,
        env=environment,
        check=False,
    )
    script.stdout.close()
    script.wait()
    script_errors.seek(0)
    printed = script_errors.read().decode(errors="replace")
    script_errors.close()
    if script.returncode != 0 or applied.returncode != 0:
        error = (printed + applied.stderr.decode(errors="replace")).strip()
        raise BackupError(
            _("The database could not be restored (it was left as it was): %(error)s")
            % {"error": error[-2000:]}
        )
