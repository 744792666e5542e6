"""Writes to accounts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction

from ayni.accounts.models import CountryOffice, User
from ayni.core.roles import Role
from ayni.geography.models import Country


@dataclass
class DemoAdmin:
    username: str
    password: str | None  # set only when the account was created by this call


def country_office_ensure(
    *, code: str, name_es: str, name_en: str, country: Country
) -> CountryOffice:
    office, _ = CountryOffice.objects.update_or_create(
        code=code, defaults={"name_es": name_es, "name_en": name_en, "country": country}
    )
    return office


@transaction.atomic
def demo_admin_ensure(*, office: CountryOffice, username: str = "admin") -> DemoAdmin:
    """Create the demo administrator once, with a random password returned to the caller.

    An existing account is left untouched (its password is never reset behind its owner's back).
    """
    if User.objects.filter(username=username).exists():
        return DemoAdmin(username=username, password=None)
    password = secrets.token_urlsafe(12)
    User.objects.create_superuser(
        username=username,
        email="",
        password=password,
        role=Role.ADMINISTRATOR,
        country_office=office,
    )
    return DemoAdmin(username=username, password=password)
