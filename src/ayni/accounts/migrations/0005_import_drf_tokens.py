"""Bring the tokens of DRF's ``rest_framework.authtoken`` over, then drop its table.

Ayni used DRF's token app until named, expiring tokens replaced it. Each of its tokens (kept in
clear in ``authtoken_token``) becomes an ``ApiToken`` of the same owner holding only its hash,
read and write as before, expiring 30 days after this migration, so that scripts keep working
while their owners make new tokens on their account page. The old table is then dropped (its
keys must not outlive it) and DRF's migration records removed, since the app is no longer
installed. A database that never had the app is left as it is.
"""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone

from ayni.accounts.tokens import hash_secret, password_fingerprint

OLD_TABLE = "authtoken_token"
GRACE = timedelta(days=30)
NAME = "Token anterior / Earlier token"


def import_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    User = apps.get_model("accounts", "User")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote('key')}, {quote('user_id')} FROM {quote(OLD_TABLE)}")
        rows = cursor.fetchall()
    passwords = dict(
        User.objects.filter(pk__in={user_id for _, user_id in rows}).values_list("pk", "password")
    )
    expires_at = timezone.now() + GRACE
    ApiToken.objects.bulk_create(
        ApiToken(
            user_id=user_id,
            name=NAME,
            scope="write",
            prefix=key[:8],
            key_hash=hash_secret(key),
            password_fingerprint=password_fingerprint(passwords[user_id]),
            expires_at=expires_at,
        )
        for key, user_id in rows
        if user_id in passwords
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {quote(OLD_TABLE)}")
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_api_token")]

    operations = [migrations.RunPython(import_drf_tokens, migrations.RunPython.noop)]
