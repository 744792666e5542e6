"""Backup and restore of an installation: the database and the files beside it, in one archive
(``ayni backup``, ``ayni restore``; docs/deployment.md)."""
