"""The production settings, read in a process of their own as a server would read them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PRODUCTION_ENV = {
    "AYNI_ENV": "production",
    "SECRET_KEY": "test-only-" + "x" * 60,
    "ALLOWED_HOSTS": "ayni.example.org",
    "DJANGO_SETTINGS_MODULE": "ayni.settings",
}


def production_settings(*names: str) -> dict[str, object]:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}))"
    )
    env = {**os.environ, **PRODUCTION_ENV}
    env.pop("DATABASE_URL", None)
    out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_cookies_are_host_only_secure_and_http_only() -> None:
    found = production_settings(
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_DOMAIN",
        "CSRF_COOKIE_DOMAIN",
        "SESSION_COOKIE_PATH",
    )
    assert found == {
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_DOMAIN": None,
        "CSRF_COOKIE_DOMAIN": None,
        "SESSION_COOKIE_PATH": "/",
    }


def test_debug_is_off_and_https_is_enforced() -> None:
    found = production_settings("DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS")
    assert found == {"DEBUG": False, "SECURE_SSL_REDIRECT": True, "SECURE_HSTS_SECONDS": 31536000}
