"""Second databases for tests that need one beside the test database (a restore target), and
an exact comparison of two databases, table by table and row by row."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import psycopg
from django.db import connection
from psycopg import sql

from ayni.core.backup.postgres import connection_parameters


@contextmanager
def empty_database(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The settings of a new, empty database of the test database's engine: an SQLite file
    that does not exist yet, or a uniquely named PostgreSQL database dropped afterwards."""
    source = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {"ENGINE": source["ENGINE"], "NAME": str(tmp_path / "target.sqlite3")}
        return
    name = f"ayni_restore_{uuid.uuid4().hex[:12]}"
    admin = {**connection_parameters(source), "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as server:
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield {**source, "NAME": name}
    finally:
        with psycopg.connect(**admin, autocommit=True) as server:
            server.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextmanager
def raw(settings_dict: dict[str, Any]) -> Iterator[Any]:
    """A plain DB-API connection (no Django converters): values as the database holds them."""
    if "sqlite3" in settings_dict["ENGINE"]:
        name = str(settings_dict["NAME"])
        with closing(sqlite3.connect(name, uri=name.startswith("file:"))) as database:
            yield database
    else:
        with psycopg.connect(**connection_parameters(settings_dict)) as database:
            yield database


def _sqlite_contents(database: sqlite3.Connection) -> dict[str, Any]:
    schema = database.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    ).fetchall()
    tables = [name for kind, name, _, _ in schema if kind == "table"]
    contents: dict[str, Any] = {"(schema)": schema}
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        cursor = database.execute(f"SELECT rowid, * FROM {quoted} ORDER BY rowid")  # noqa: S608
        contents[table] = ([d[0] for d in cursor.description], cursor.fetchall())
    return contents


def _postgres_contents(database: psycopg.Connection[Any]) -> dict[str, Any]:
    tables = [
        row[0]
        for row in database.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        )
    ]
    contents: dict[str, Any] = {
        "(columns)": database.execute(
            "SELECT table_name, column_name, data_type, is_nullable, column_default, "
            "is_identity FROM information_schema.columns WHERE table_schema = 'public' "
            "ORDER BY 1, ordinal_position"
        ).fetchall(),
        "(sequences)": database.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' "
            "ORDER BY 1"
        ).fetchall(),
        "(indexes)": database.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall(),
    }
    for table in tables:
        query = sql.SQL("SELECT * FROM {} AS r ORDER BY r::text").format(sql.Identifier(table))
        cursor = database.execute(query)
        columns = [d.name for d in cursor.description or []]
        contents[table] = (columns, cursor.fetchall())
    return contents


def contents(settings_dict: dict[str, Any]) -> dict[str, Any]:
    """Every table of the database (its columns and all its rows, in a fixed order), with the
    schema, and on PostgreSQL the positions of the sequences."""
    with raw(settings_dict) as database:
        if isinstance(database, sqlite3.Connection):
            return _sqlite_contents(database)
        return _postgres_contents(database)


def count(settings_dict: dict[str, Any], table: str) -> int:
    with raw(settings_dict) as database:
        return int(database.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])  # noqa: S608


def insert_chore(settings_dict: dict[str, Any]) -> tuple[int, int]:
    """Add a row the way a new record is added (the id left to the database); returns its id
    and the largest id the table held before."""
    with raw(settings_dict) as database:
        before = database.execute("SELECT coalesce(max(id), 0) FROM core_chorerun").fetchone()[0]
        stamp = "2026-01-01 00:00:00"
        if isinstance(database, sqlite3.Connection):
            cursor = database.execute(
                "INSERT INTO core_chorerun (name, ran_at) VALUES ('after-restore', ?)", (stamp,)
            )
            new = cursor.lastrowid
            database.commit()
        else:
            new = database.execute(
                "INSERT INTO core_chorerun (name, ran_at) VALUES ('after-restore', %s) "
                "RETURNING id",
                (stamp,),
            ).fetchone()[0]
        return int(new or 0), int(before)
