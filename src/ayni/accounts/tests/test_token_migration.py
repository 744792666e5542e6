"""The migration that replaced DRF's token app brings its tokens over, hashed, and drops its
table (whose keys were kept in clear)."""

from __future__ import annotations

import hashlib
import importlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from ayni.accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db

migration = importlib.import_module("ayni.accounts.migrations.0005_import_drf_tokens")
OLD_KEY = "0123456789abcdef0123456789abcdef01234567"


def _old_table(user: User) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {quote('authtoken_token')} ({quote('key')} varchar(40) PRIMARY KEY, "
            f"{quote('created')} timestamp NOT NULL, {quote('user_id')} bigint NOT NULL)"
        )
        cursor.execute(
            f"INSERT INTO {quote('authtoken_token')} VALUES (%s, %s, %s)",  # noqa: S608
            [OLD_KEY, timezone.now(), user.pk],
        )
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, %s)",
            ["authtoken", "0001_initial", timezone.now()],
        )


def test_old_tokens_become_hashed_expiring_tokens_and_the_old_table_goes() -> None:
    pia = User.objects.get(username="pia")
    _old_table(pia)
    migration.import_drf_tokens(apps, SimpleNamespace(connection=connection))

    token = ApiToken.objects.get(user=pia)
    assert token.key_hash == hashlib.sha256(OLD_KEY.encode()).hexdigest()
    assert token.scope == "write" and token.prefix == OLD_KEY[:8]
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert "authtoken_token" not in connection.introspection.table_names()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_migrations WHERE app = %s", ["authtoken"])
        assert cursor.fetchone()[0] == 0

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {OLD_KEY}")
    assert client.get("/api/organisations/").json()["count"] == 1


def test_a_database_without_the_old_app_is_left_alone() -> None:
    before = ApiToken.objects.count()
    migration.import_drf_tokens(apps, SimpleNamespace(connection=connection))
    assert ApiToken.objects.count() == before
