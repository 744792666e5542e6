"""The production set-up of docs/deployment.md, started for real: PostgreSQL, Redis, Gunicorn
with several workers behind (a stand-in for) the TLS proxy, and ``ayni worker`` for jobs.

It skips, saying why, where PostgreSQL or Redis does not answer, except in CI (``CI=true``
or ``AYNI_REQUIRE_POSTGRES=1``), where that fails. ``make test`` runs it in the PostgreSQL
pass (it makes a database of its own on that server) and leaves it out of the SQLite pass.
"""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from ayni.core.tests.stack import (
    DEFAULT_REDIS,
    Browser,
    Stack,
    postgres_server,
    running_stack,
    unavailable,
    wait_for,
)

pytestmark = pytest.mark.production

# A small file of the template (docs/imports.md): stunting in 2019 for the 25 departments.
DEPARTMENTS = [f"{n:02d}" for n in range(1, 26)]
IMPORT_CSV = "indicator,location,period,value,source\n" + "".join(
    f"stunting-u5,{code},2019,{10 + n * 0.5},illustrative-demo\n"
    for n, code in enumerate(DEPARTMENTS)
)


def required() -> bool:
    # CI must run this test: .ci/run exports CI=true and AYNI_REQUIRE_POSTGRES=1.
    return os.environ.get("CI") == "true" or os.environ.get("AYNI_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    postgres = postgres_server(os.environ.get("DATABASE_URL"))
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS
    reason = unavailable(postgres, redis_url)
    if reason:
        if required():
            pytest.fail(f"the production set-up test must run here: {reason}")
        print(f"SKIPPED the production set-up test: {reason}")
        pytest.skip(reason)
    # Two-step verification is required in production: ana has an authenticator (stack.py).
    built = Stack(
        tmp_path_factory.mktemp("stack"),
        postgres,
        redis_url,
        web_workers=2,
        extra_env={"STACK_TWO_STEP": "1"},
    )
    with running_stack(built):
        built.install(users=["ana"])
        built.start_web()
        built.start_worker()
        yield built


def test_the_production_set_up_serves_signs_in_runs_jobs_and_survives_a_killed_worker(
    stack: Stack,
) -> None:
    ana = Browser(stack.base_url)
    ana.sign_in("ana", stack.password)
    assert ana.signed_in_with_code  # the password alone did not sign her in
    session_keys = list(
        redis.Redis.from_url(stack.redis_url).scan_iter(match=f"{stack.cache_prefix}:*")
    )
    assert any(b"sessions" in key for key in session_keys), session_keys  # cached_db in Redis

    # Without the proxy's header the site sends people to HTTPS; through it, pages answer.
    plain = Browser(stack.base_url)
    assert plain.get("/", headers={"X-Forwarded-Proto": "http"}).status_code == 301
    home = ana.get("/")
    assert home.status_code == 200
    assert "Strict-Transport-Security" in home.headers
    for path in (
        f"/programmes/{stack.info['programme']}/",
        "/monitoring/indicators/stunting-u5/",
        "/monitoring/regions/PE/03/",
        "/api/indicators/",
    ):
        assert ana.get(path).status_code == 200, path

    check_static_files(ana, home.text)
    check_an_import_runs_in_the_worker(ana)
    check_a_killed_web_worker_is_replaced(stack, ana)

    codes = stack.stop()
    assert codes == {"gunicorn": 0, "worker-0": 0}, (codes, stack.log())
    assert re.search(r'"GET /healthz HTTP/1.1" 200', stack.log()), "no access log"


def check_static_files(browser: Browser, page: str) -> None:
    """The stylesheet the page links to comes from WhiteNoise: its hashed name, cached for a
    year as immutable, compressed for a client that accepts gzip."""
    stylesheet = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the page links no hashed stylesheet (collectstatic's manifest)"
    response = browser.get(stylesheet.group(1), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "max-age=315360000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers.get("Content-Encoding") == "gzip"
    assert ":root" in response.text or "{" in response.text


def check_an_import_runs_in_the_worker(browser: Browser) -> None:
    started = browser.post(
        "/api/imports/",
        files={"file": ("stunting-2019.csv", IMPORT_CSV.encode(), "text/csv")},
        data={"format": "csv", "dry_run": "false"},
    )
    assert started.status_code == 201, started.text
    job = started.json()
    assert job["status"] == "queued"  # the web process queues it; only the worker runs it

    def finished() -> dict[str, object] | None:
        current = browser.get(f"/api/imports/{job['id']}/").json()
        return current if current["status"] in {"succeeded", "failed"} else None

    done = wait_for(finished, 60, "the worker to run the import")
    assert done["status"] == "succeeded", done
    values = browser.get(
        "/api/data-values/?indicator=stunting-u5&year=2019&source=illustrative-demo"
    )
    assert values.status_code == 200 and values.json()["count"] == len(DEPARTMENTS)


def check_a_killed_web_worker_is_replaced(stack: Stack, browser: Browser) -> None:
    before = stack.web_worker_pids()
    assert len(before) == stack.web_workers
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    # Requests go on succeeding while Gunicorn replaces it.
    for path in ("/healthz", "/", "/monitoring/indicators/stunting-u5/") * 4:
        assert browser.get(path).status_code == 200, path
    replaced = wait_for(
        lambda: (
            (pids := stack.web_worker_pids())
            and victim not in pids
            and len(pids) == stack.web_workers
            and pids
        ),
        30,
        "Gunicorn to replace the killed worker",
    )
    assert replaced != before
    assert browser.get("/").status_code == 200


def test_the_gunicorn_configuration_is_the_one_deployed() -> None:
    """What the test starts is deploy/gunicorn.conf.py, the file the systemd unit names."""
    unit = (Path(__file__).resolve().parents[4] / "deploy" / "ayni-web.service").read_text()
    assert "-c deploy/gunicorn.conf.py ayni.wsgi" in unit.replace("\\\n", " ")
