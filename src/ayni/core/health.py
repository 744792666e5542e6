"""``/healthz``: is this web process ready to serve? For a proxy's or a supervisor's check.

It answers 200 ``{"status": "ok"}`` when the database answers a query and the cache (Redis
in production) takes a value and gives it back, and 503 ``{"status": "unavailable"}``
otherwise, naming which of the two failed. It says nothing else: no version, no host, no
error text (those go to the log), and it reads no session or cookie, so it is safe to answer
over plain HTTP on the loopback address (``SECURE_REDIRECT_EXEMPT``, docs/deployment.md).
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views import View

from ayni.core.views import ScopedView

logger = logging.getLogger(__name__)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure means "not ready"; the reason goes to the log only
        logger.warning("health check: the database did not answer", exc_info=True)
        return False


def cache_ok() -> bool:
    # A fresh value each time, so that a value left by an earlier check cannot pass for it.
    key, value = "ayni:healthz", secrets.token_hex(8)
    try:
        cache.set(key, value, timeout=10)
        return bool(cache.get(key) == value)
    except Exception:  # any failure means "not ready"; the reason goes to the log only
        logger.warning("health check: the cache did not answer", exc_info=True)
        return False


class HealthView(ScopedView, View):
    model = None
    public = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        checks = {"database": database_ok(), "cache": cache_ok()}
        ready = all(checks.values())
        response = JsonResponse(
            {
                "status": "ok" if ready else "unavailable",
                "checks": {name: "ok" if ok else "failed" for name, ok in checks.items()},
            },
            status=200 if ready else 503,
        )
        add_never_cache_headers(response)
        return response
