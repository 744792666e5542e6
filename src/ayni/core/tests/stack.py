"""Ayni's production set-up on this machine, for the deployment test and the load benchmark.

``Stack`` builds what docs/deployment.md describes, as far as one machine allows: a fresh
PostgreSQL database (a unique name, dropped at the end), ``ayni migrate``, ``collectstatic``,
the demo data and one user per role, Gunicorn with ``deploy/gunicorn.conf.py`` on a free
loopback port with ``AYNI_ENV=production``, ``ayni worker`` processes (``AYNI_JOBS=worker``)
and Redis as the cache (keys under a unique prefix, removed at the end). ``Browser`` talks to
it as a browser behind the TLS proxy would: ``X-Forwarded-Proto: https``, secure cookies,
CSRF token and origin.

``python -m ayni.core.tests.stack seed`` (run by ``Stack`` in the stack's environment) adds
the users and prints what the pages need (the programme's id) as JSON.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import requests

import ayni

PROJECT_DIR = Path(ayni.__file__).resolve().parent.parent.parent
GUNICORN_CONF = PROJECT_DIR / "deploy" / "gunicorn.conf.py"
MANAGE = PROJECT_DIR / "manage.py"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"

# username → (role, organisation acronym, place codes); every user of the Peru office.
USERS: dict[str, tuple[str, str, list[str]]] = {
    "ana": ("administrator", "", []),
    "pablo": ("programme_manager", "", []),
    "mario": ("me_officer", "", []),
    "rosa": ("regional_focal_point", "", ["03"]),
    "pia": ("partner_focal_point", "PLAN", []),
    "diego": ("donor_viewer", "CIDA", []),
    "paula": ("public", "", []),
}
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(check: Callable[[], T | None], seconds: float, what: str) -> T:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {seconds:.0f} s waiting for {what}")
        time.sleep(0.1)


def postgres_server(database_url: str | None) -> str:
    """A URL of the PostgreSQL server to make the stack's database on: the server of
    ``database_url`` when it names one, else 127.0.0.1:5432, always its ``postgres`` database."""
    if not database_url or not database_url.startswith(("postgres://", "postgresql://")):
        return DEFAULT_POSTGRES
    parts = urlsplit(database_url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))


def unavailable(postgres_url: str, redis_url: str) -> str | None:
    """Why the stack cannot run here (a server that does not answer), or None."""
    import psycopg
    import redis

    try:
        psycopg.connect(postgres_url, connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"PostgreSQL does not answer at {postgres_url}: {exc}"
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        return f"Redis does not answer at {redis_url}: {exc}"
    return None


def children(pid: int) -> set[int]:
    """The process ids whose parent is ``pid`` (Linux /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (2nd field) may hold spaces; the fields after its ")" do not.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


@dataclass
class Stack:
    root: Path
    postgres_url: str = DEFAULT_POSTGRES
    redis_url: str = DEFAULT_REDIS
    web_workers: int = 2
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        token = secrets.token_hex(5)
        self.database = f"ayni_stack_{token}"
        self.cache_prefix = f"ayni-stack-{token}"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.password = secrets.token_urlsafe(16)
        self.web: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []
        self.info: dict[str, Any] = {}
        self.logs = self.root / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)

    # --- environment and commands --------------------------------------------------------
    @property
    def database_url(self) -> str:
        parts = urlsplit(self.postgres_url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{self.database}", "", ""))

    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("AYNI_", "DJANGO_", "GUNICORN_", "PYTEST_"))
            and key not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
        }
        env.update(
            {
                "AYNI_ENV": "production",
                "SECRET_KEY": f"stack-only-{secrets.token_urlsafe(40)}",
                "ALLOWED_HOSTS": "127.0.0.1",
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "CACHE_KEY_PREFIX": self.cache_prefix,
                "AYNI_DATA_DIR": str(self.root / "data"),
                "AYNI_JOBS": "worker",
                "AYNI_PROXY_COUNT": "1",
                "GUNICORN_BIND": f"127.0.0.1:{self.port}",
                "GUNICORN_WORKERS": str(self.web_workers),
                "GUNICORN_PROC_NAME": self.cache_prefix,
                "STACK_PASSWORD": self.password,
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        return env

    def manage(self, *args: str, timeout: float = 300) -> str:
        result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, str(MANAGE), *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"ayni {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    # --- set-up and tear-down -------------------------------------------------------------
    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(self.postgres_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.database}"')

    def drop_database(self) -> None:
        import psycopg

        with psycopg.connect(self.postgres_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def clear_cache(self) -> None:
        import redis

        client = redis.Redis.from_url(self.redis_url)
        keys = list(client.scan_iter(match=f"{self.cache_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)

    def install(self, users: list[str] | None = None) -> dict[str, float]:
        """Database, migrations, demo data and ``users`` (all of ``USERS`` by default), with
        ``collectstatic`` beside them (it needs no database); seconds per step."""
        steps: dict[str, float] = {}
        started = time.monotonic()
        collectstatic = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, str(MANAGE), "collectstatic", "--no-input", "-v0"],
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            for name, action in (
                ("create database", self.create_database),
                ("migrate", lambda: self.manage("migrate", "--no-input", "-v0")),
                ("demo data", lambda: self.manage("demo")),
                ("users", lambda: self._seed(users or sorted(USERS))),
            ):
                step = time.monotonic()
                action()
                steps[name] = time.monotonic() - step
        finally:
            output, _ = collectstatic.communicate(timeout=300)
        if collectstatic.returncode != 0:
            raise RuntimeError(f"collectstatic failed:\n{output.decode()}")
        steps["collectstatic (beside them)"] = time.monotonic() - started
        return steps

    def _seed(self, users: list[str]) -> None:
        result = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "ayni.core.tests.stack", "seed", *users],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"seeding failed:\n{result.stdout}{result.stderr}")
        self.info = json.loads(result.stdout.strip().splitlines()[-1])

    def start_web(self) -> None:
        log = (self.logs / "gunicorn.log").open("ab")
        self.web = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
            [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "ayni.wsgi"],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for(self.ready, 60, "Gunicorn to answer /healthz")
        wait_for(lambda: len(self.web_worker_pids()) == self.web_workers, 60, "web workers")

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = (self.logs / f"worker-{len(self.workers)}.log").open("ab")
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, str(MANAGE), "worker", "--sleep", "0.2"],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.workers.append(process)
        return process

    def ready(self) -> bool:
        if self.web is not None and self.web.poll() is not None:
            raise RuntimeError(f"Gunicorn exited with {self.web.returncode}: {self.log()}")
        try:
            # Plain HTTP on the loopback, as the proxy's or supervisor's check asks.
            response = requests.get(
                f"{self.base_url}/healthz", headers={"Host": "127.0.0.1"}, timeout=20
            )
        except requests.RequestException:  # not listening yet, or its first request is slow
            return False
        return response.status_code == 200

    def web_worker_pids(self) -> set[int]:
        assert self.web is not None
        return children(self.web.pid)

    def log(self, name: str = "gunicorn.log") -> str:
        path = self.logs / name
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self, timeout: float = 30) -> dict[str, int | None]:
        """SIGTERM to Gunicorn and the workers (as systemd stops them); their exit codes.
        Whatever has not exited within ``timeout`` is killed (and reported as not clean)."""
        codes: dict[str, int | None] = {}
        processes = [("gunicorn", self.web)] if self.web else []
        processes += [(f"worker-{n}", p) for n, p in enumerate(self.workers)]
        for _, process in processes:
            if process and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, process in processes:
            if process is None:
                continue
            try:
                codes[name] = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                codes[name] = None
        return codes

    def destroy(self) -> None:
        try:
            self.stop(timeout=10)
        finally:
            try:
                self.drop_database()
            finally:
                self.clear_cache()


@contextmanager
def running_stack(stack: Stack) -> Iterator[Stack]:
    try:
        yield stack
    finally:
        stack.destroy()


# The production settings' cookie names (__Host- prefix: Secure, path /, no domain).
CSRF_COOKIE = "__Host-csrftoken"
SESSION_COOKIE = "__Host-sessionid"


class Browser:
    """A person's browser behind the TLS proxy: every request says it came over HTTPS
    (``X-Forwarded-Proto``, ``X-Forwarded-For``), keeps the secure cookies that ``requests``
    would not send over plain HTTP, and sends the CSRF token and origin on unsafe methods."""

    def __init__(self, base_url: str, client_address: str = "198.51.100.10") -> None:
        self.base_url = base_url
        self.origin = "https://" + urlsplit(base_url).netloc
        self.client_address = client_address
        self.cookies: dict[str, str] = {}
        self.session = requests.Session()
        self.signed_in_with_code = False

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.client_address,
            **kwargs.pop("headers", {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method not in {"GET", "HEAD"}:
            headers.setdefault("Origin", self.origin)
            headers.setdefault("Referer", self.origin + path)
            if CSRF_COOKIE in self.cookies:
                headers.setdefault("X-CSRFToken", self.cookies[CSRF_COOKIE])
        kwargs.setdefault("timeout", 60)
        kwargs.setdefault("allow_redirects", False)
        response = self.session.request(method, self.base_url + path, headers=headers, **kwargs)
        for cookie in response.cookies:
            if cookie.value and not cookie.is_expired():
                self.cookies[cookie.name] = cookie.value
            else:
                self.cookies.pop(cookie.name, None)
        self.session.cookies.clear()  # kept above, sent by hand
        return response

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def sign_in(self, username: str, password: str) -> requests.Response:
        form = self.get("/accounts/login/")
        assert form.status_code == 200, form.status_code
        response = self.post(
            "/accounts/login/",
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.cookies[CSRF_COOKIE],
            },
        )
        if response.status_code == 302 and response.headers["Location"].endswith("/code/"):
            response = self._code_step(username, password, response.headers["Location"])
        if response.status_code != 302 or SESSION_COOKIE not in self.cookies:
            raise AssertionError(f"sign-in of {username} answered {response.status_code}")
        return response

    def _code_step(self, username: str, password: str, path: str) -> requests.Response:
        """The second step, with the code of the user's authenticator. A code computed just
        before its 30 seconds end can reach the server after them: then the next one is sent
        (a person types the new code too)."""
        from django_otp.oath import TOTP

        totp = TOTP(bytes.fromhex(two_step_key(password, username)), step=30, digits=6)
        for _attempt in range(2):
            form = self.get(path)
            assert form.status_code == 200, form.status_code
            totp.time = time.time()
            response = self.post(
                path,
                data={
                    "code": f"{totp.token():06d}",
                    "csrfmiddlewaretoken": self.cookies[CSRF_COOKIE],
                },
            )
            if response.status_code == 302:
                self.signed_in_with_code = True
                return response
            time.sleep(max(0.0, 30 - time.time() % 30) + 0.5)
        return response


def two_step_key(password: str, username: str) -> str:
    """The authenticator key (hex) of a stack user, derived from the stack's password."""
    return hmac.new(password.encode(), username.encode(), hashlib.sha1).hexdigest()


def seed(usernames: list[str]) -> dict[str, Any]:
    """Users of ``USERS`` (one per role) in the demo's Peru office, with the password of
    ``STACK_PASSWORD``."""
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from ayni.accounts.models import CountryOffice, User
    from ayni.geography.models import Location
    from ayni.partners.models import Organisation
    from ayni.programmes.models import CountryProgramme

    office = CountryOffice.objects.get(code="peru")
    password = os.environ["STACK_PASSWORD"]
    for username in usernames:
        role, acronym, places = USERS[username]
        organisation = (
            Organisation.objects.get(acronym=acronym, country_office=office) if acronym else None
        )
        user = User.objects.create_user(
            username,
            password=password,
            role=role,
            country_office=None if role == "public" else office,
            organisation=organisation,
        )
        if places:
            user.locations.set(Location.objects.filter(country=office.country, code__in=places))
        if os.environ.get("STACK_TWO_STEP") == "1":
            # Two-step verification on, with a key the test can compute (two_step_key).
            TOTPDevice.objects.create(
                user=user,
                name="authenticator",
                confirmed=True,
                step=30,
                digits=6,
                tolerance=0,
                key=two_step_key(password, username),
            )
            user.two_step_since = timezone.now()
            user.save(update_fields=["two_step_since"])
    programme = CountryProgramme.objects.get(country_office=office)
    return {"programme": programme.pk, "users": usernames}


def main(argv: list[str]) -> None:
    if argv[:1] != ["seed"] or not set(argv[1:]) <= set(USERS):
        raise SystemExit(f"usage: python -m ayni.core.tests.stack seed [{' '.join(USERS)}]")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ayni.settings")
    import django

    django.setup()
    print(json.dumps(seed(argv[1:] or sorted(USERS))))


if __name__ == "__main__":
    main(sys.argv[1:])
