"""The API's own OpenAPI schema, read by schemathesis, for tests that check answers against it.

The schema is the one drf-spectacular serves at ``/api/schema/``, loaded from the Django
application in this process over WSGI (no server); requests go the same way, inside the
test's transaction. ``call`` sends one request of an operation and ``conform`` asks that its
answer is no server error, has a status the operation documents and a body that conforms to
the schema of that status (``test_api_fuzz.py`` does the same with generated requests).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ayni.accounts import services as accounts_services
from ayni.accounts.models import User

APP = get_wsgi_application()
SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/?format=json", APP)
# "GET /api/agreements/{id}/" → the operation.
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@contextmanager
def wsgi_requests() -> Iterator[None]:
    """Let requests through the WSGI handler run inside the test's transaction: the request
    signals would otherwise close the connection in the middle of it (Django's test client
    does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def token_headers(username: str | None) -> dict[str, str]:
    """The headers of a request as ``username`` (a token of theirs), or anonymous for None."""
    if username is None:
        return {}
    user = User.objects.get(username=username)
    made = accounts_services.api_token_create(user=user, name="fuzz", scope="write", days=1)
    return {"Authorization": f"Token {made.secret}"}


def call(label: str, username: str | None = None, **parts: Any) -> tuple[Any, Any]:
    """Send one request of the operation ``label`` (``"GET /api/grants/{id}/"``) as
    ``username``; ``parts`` are the case's ``path_parameters``, ``query``, ``body`` and
    ``media_type``. Returns the case and its answer."""
    case = OPERATIONS[label].Case(**parts)
    headers = token_headers(username)
    with wsgi_requests():
        response = case.call(headers=headers)
    return case, response


def conform(case: Any, response: Any) -> None:
    """Raise (schemathesis' ``FailureGroup``, saying what) unless the answer is documented."""
    case.validate_response(response, checks=CHECKS)
