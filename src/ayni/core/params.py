"""Query parameters read one way: a malformed value is the client's mistake, answered 400.

Every list filter of the API, the pages and the exports reads its parameters through these
helpers. A bad value raises ``InvalidParameter`` (Django's ``BadRequest``): pages answer it with
the 400 page, the API's one exception handler (``core/api.py``) with a 400 naming the parameter.
Integers are bounded to what every database column holds, so ``99999999999999999999`` is
refused here rather than overflowing in the database driver."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import BadRequest
from django.http import Http404
from django.utils.translation import gettext as _

# The largest value of a 64-bit signed integer column (SQLite and PostgreSQL bigint).
MAX_INT = 2**63 - 1
MAX_YEAR = 9999


class InvalidParameter(BadRequest):
    """A query parameter with a value that cannot be read."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


def _raw(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    return "" if value is None else str(value).strip()


def _int(name: str, raw: str, minimum: int, maximum: int) -> int:
    if not raw.lstrip("-").isdigit() or len(raw) > 20 or not raw.isascii():
        raise InvalidParameter(name, _("Enter a whole number."))
    value = int(raw)
    if not minimum <= value <= maximum:
        raise InvalidParameter(
            name,
            _("Enter a whole number from %(minimum)s to %(maximum)s.")
            % {"minimum": minimum, "maximum": maximum},
        )
    return value


def int_param(
    params: Mapping[str, Any], name: str, *, minimum: int = 1, maximum: int = MAX_INT
) -> int | None:
    """The parameter as an integer (an id by default: 1 or more), or ``None`` when absent."""
    raw = _raw(params, name)
    return _int(name, raw, minimum, maximum) if raw else None


def year_param(params: Mapping[str, Any], name: str = "year") -> int | None:
    """A calendar year, or ``None`` when absent."""
    return int_param(params, name, minimum=1, maximum=MAX_YEAR)


def year_list_param(params: Any, name: str = "year") -> list[int]:
    """Every value of a repeated year parameter (``?year=2012&year=2013``)."""
    values = params.getlist(name) if hasattr(params, "getlist") else [params.get(name)]
    return [_int(name, str(raw).strip(), 1, MAX_YEAR) for raw in values if raw and str(raw).strip()]


def choice_param(params: Mapping[str, Any], name: str, choices: Iterable[str]) -> str | None:
    """One of ``choices``, or ``None`` when absent."""
    raw = _raw(params, name)
    if not raw:
        return None
    allowed = list(choices)
    if raw not in allowed:
        raise InvalidParameter(
            name, _("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)}
        )
    return raw


def path_id(value: str | None) -> int:
    """A record id taken from the URL path: anything but an id in range is not found (404)."""
    raw = (value or "").strip()
    if not raw.isdigit() or not raw.isascii() or len(raw) > 19 or not 1 <= int(raw) <= MAX_INT:
        raise Http404
    return int(raw)
