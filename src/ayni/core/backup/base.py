"""What the parts of backup and restore share: their errors and what counts as empty."""

from __future__ import annotations


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why and what to do."""


class RestoreRefused(BackupError):
    """A restore refused before anything was changed (the message says why)."""


# The tables `ayni migrate` fills on an empty database: a database whose other tables have no
# rows is empty (a fresh install, migrated, is a valid place to restore into).
BOOKKEEPING_TABLES = frozenset(
    {"django_migrations", "django_content_type", "auth_permission", "sqlite_sequence"}
)
