"""The address of the person making a request, when Ayni runs behind a reverse proxy.

Behind a proxy every request reaches the application from the proxy's address
(``REMOTE_ADDR`` is 127.0.0.1), so django-axes, which locks a user name out *from one
address*, would lock it out from everyone after a few failed sign-ins by anyone. The proxy
puts the address it saw in ``X-Forwarded-For``; with ``AYNI_PROXY_COUNT`` proxies in front
of Ayni (each appending the address it saw), the client is the entry that many places from
the right. The entries further left were sent by the client and are not trusted. With
``AYNI_PROXY_COUNT=0`` (the default: no proxy) the header is ignored, so that a client
cannot choose its own address. django-axes reads it through ``AXES_CLIENT_IP_CALLABLE``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    proxies = settings.AYNI_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR")
