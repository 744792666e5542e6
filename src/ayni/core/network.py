"""The client's address, read the same way by every part that needs it.

Behind ``AYNI_PROXY_COUNT`` reverse proxies (0: the server is reached directly) the client is
the address the outermost of our proxies saw, which is the ``AYNI_PROXY_COUNT``-th address
from the right of ``X-Forwarded-For``. Addresses further left were written by the client and
can be anything, so they are never trusted. django-axes (lock-outs), the API's rate limits and
the security log all use this one reading.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = str(request.META.get("REMOTE_ADDR", ""))
    count = settings.AYNI_PROXY_COUNT
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    if count <= 0 or not forwarded:
        return remote
    addresses = [part.strip() for part in forwarded.split(",")]
    candidate = addresses[-min(count, len(addresses))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
