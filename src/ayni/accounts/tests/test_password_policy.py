"""The password policy: a minimum length, long passwords of any characters used exactly as
typed, and no password built on the words a guesser tries first here."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from ayni.accounts.password_validation import context_words

pytestmark = pytest.mark.django_db


def refused(password: str, user=None) -> bool:
    try:
        validate_password(password, user)
    except ValidationError:
        return True
    return False


def test_the_minimum_length_is_twelve_by_default(actor) -> None:
    assert refused("kqzvbmxwtrp", actor("pablo"))  # 11
    assert not refused("kqzvbmxwtrpy", actor("pablo"))  # 12


def test_the_minimum_length_follows_the_setting(actor, settings) -> None:
    settings.AUTH_PASSWORD_VALIDATORS = [
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 16},
        }
    ]
    assert refused("kqzvbmxwtrpy", actor("pablo"))


def test_the_setting_reaches_the_validator() -> None:
    from django.conf import settings

    options = [v.get("OPTIONS", {}) for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert {"min_length": settings.AYNI_PASSWORD_MIN_LENGTH} in options


@pytest.mark.parametrize(
    "password",
    [
        "Ayni2024!!!!",
        "ayniayniayni",
        "UNICEF-peru-2016",
        "Contraseña1234",
        "CONTRASENA-2025",
        "password12345",
        "P4ssword-Ayni",
        "peru.unicef.2012",
        "Bolivia!2025xy",
    ],
)
def test_passwords_built_on_context_words_are_refused(actor, password) -> None:
    assert refused(password, actor("bruno" if "Bolivia" in password else "pablo"))


def test_the_users_own_names_are_refused(actor) -> None:
    user = actor("pablo")
    user.first_name, user.last_name = "Pablo", "Quispe"
    assert refused("Quispe-2024-!!", user)
    assert refused("pablo.quispe.1", user)


def test_the_country_office_and_country_are_in_the_list(actor) -> None:
    words = context_words(actor("ana"))
    assert {"ayni", "unicef", "password", "contrasena", "peru", "ana"} - {"ana"} <= set(words)
    assert "bolivia" in context_words(actor("bruno"))


def test_a_passphrase_that_merely_contains_a_context_word_is_accepted(actor) -> None:
    assert not refused("quiet river under the andes in peru", actor("pablo"))


@pytest.mark.parametrize("length", [64, 128])
def test_long_passwords_of_any_characters_are_used_exactly_as_typed(actor, length) -> None:
    pattern = "Ñandú 🦙 ǅ q\tzé-ü«»ß∑ 漢字 "
    password = (pattern * 20)[:length]
    assert len(password) == length
    user = actor("carlos")
    validate_password(password, user)
    user.set_password(password)
    user.save()

    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "carlos", "password": password})
    assert response.status_code == 302
    # Exactly as typed: not truncated, not case-folded, spaces kept.
    for near in (password[:-1], password.upper(), password.strip(), password[:72]):
        if near != password:
            assert not user.check_password(near)
    assert user.check_password(password)
