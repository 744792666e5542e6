"""What the database behind a connection can do, for the code that takes faster paths on it."""

from __future__ import annotations

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper


def copy_supported(database: BaseDatabaseWrapper | None = None) -> bool:
    """Whether ``database`` (the default connection if ``None``) can stream rows in and out
    with ``COPY … FROM STDIN`` / ``TO STDOUT``: PostgreSQL through psycopg 3. psycopg2 has no
    ``cursor.copy``, and the other backends no COPY: they take the DB-API paths."""
    database = database if database is not None else connection
    if database.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return bool(is_psycopg3)
