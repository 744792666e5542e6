"""Context-specific words a password may not be built on (OWASP ASVS 5.0 6.1.2, 6.2.11).

A guesser attacking Ayni tries first the words of the place: the product, the organisation,
the country office and its country, "password" in the office's languages, and the person's own
names. A password that is one of these words with a few digits or symbols around it is
refused; a long passphrase that merely contains one of them among other words is accepted.
The list is documented in docs/security.md.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Always refused, whatever the office. Lower case, without accents.
BASE_WORDS = (
    "ayni",
    "unicef",
    "password",
    "contrasena",
    "clave",
    "admin",
    "administrador",
    "administrator",
)
# What may be left of a password once its context words are taken out for it still to count
# as "built on" them: fewer letters than this (digits and symbols do not count).
MIN_OWN_LETTERS = 6
LOOK_ALIKES = str.maketrans("4@31057$", "aaeiosts")


def _fold(text: str) -> str:
    """Lower case without accents ("Contraseña" → "contrasena")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"[^a-z0-9]+", _fold(text)) if len(word) >= 3]


def context_words(user: Any = None) -> list[str]:
    """The words refused for this user: the base list, the user's names and user name, and
    the name and country of their country office (in both languages)."""
    words = set(BASE_WORDS)
    if user is not None:
        for attribute in ("username", "first_name", "last_name"):
            words.update(_words(str(getattr(user, attribute, "") or "")))
        email = str(getattr(user, "email", "") or "")
        words.update(_words(email.split("@")[0]))
        office = user.country_office if getattr(user, "country_office_id", None) else None
        if office is not None:
            words.update(_words(office.code))
            words.update(_words(office.name_es))
            words.update(_words(office.name_en))
            country = office.country
            words.update(_words(country.name_es))
            words.update(_words(country.name_en))
    # Words shorter than four letters ("per", "de") would refuse too much by accident.
    return sorted(word for word in words if len(word) >= 4)


class ContextWordsValidator:
    """Refuses a password that is little more than context words (see the module)."""

    def validate(self, password: str, user: Any = None) -> None:
        words = context_words(user)
        folded = _fold(password)
        # Each reading of the password: as typed, and with look-alike digits and symbols read
        # as the letters they stand for ("P4ssw0rd" is "password").
        for reading in (folded, folded.translate(LOOK_ALIKES)):
            found = [word for word in words if word in reading]
            rest = reading
            for word in sorted(found, key=len, reverse=True):
                rest = rest.replace(word, "")
            if found and sum(ch.isalpha() for ch in rest) < MIN_OWN_LETTERS:
                raise ValidationError(
                    _(
                        "This password is built on a word that is easy to guess here "
                        "(“%(word)s”). Choose words that have nothing to do with Ayni, the "
                        "office or yourself."
                    ),
                    code="password_context_word",
                    params={"word": found[0]},
                )

    def get_help_text(self) -> str:
        return _(
            "Your password cannot be built on Ayni, UNICEF, the country office, its country, "
            "the word “password” or your own names."
        )
