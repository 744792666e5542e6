"""Gunicorn settings for Ayni: ``gunicorn -c deploy/gunicorn.conf.py ayni.wsgi``.

Every value can be changed through the environment (the systemd unit's EnvironmentFile)
without editing this file. docs/deployment.md explains each choice.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value else default


# Only the proxy on this machine may reach Gunicorn: Django trusts X-Forwarded-Proto and the
# lock-out reads X-Forwarded-For (AYNI_PROXY_COUNT), which only the proxy may set.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers, each one request at a time, behind a buffering proxy (nginx, Caddy) that
# deals with slow clients. 2 × cores + 1 is Gunicorn's rule of thumb; each worker holds
# Django and a database connection: about 150 MB, some 100 MB more once it has served a page
# that reads the analytics store (DuckDB and pyarrow are loaded then, docs/architecture.md).
workers = _int("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 1)

# A request that runs longer than this is killed (its worker replaced). Long work (imports,
# large exports, reports) runs as jobs in `ayni worker`, so pages answer well within it.
timeout = _int("GUNICORN_TIMEOUT", 60)
# On stop or reload (SIGTERM, SIGHUP) a worker finishes the request it is serving, for up to
# this long, before it is killed.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Each worker is replaced after about this many requests, at staggered times (the jitter),
# so that memory grown by a large page is given back and workers never restart all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# The application is loaded in each worker, not in the master: a reload (SIGHUP) then starts
# workers on the new code, and no database connection opened at start-up is shared by
# forked processes (ayni.wsgi looks for dead jobs when it loads).
preload_app = False

# Heartbeat files in memory rather than on a disk that may stall.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", "/dev/shm")  # noqa: S108

# Access log on standard output (the journal under systemd), with the time each request took
# in milliseconds (%(M)s) and the client's address as the proxy forwarded it.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    '%({x-forwarded-for}i)s %(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
)
proc_name = os.environ.get("GUNICORN_PROC_NAME", "ayni")

# Gunicorn's runtime control socket (gunicornc) is not used: systemd sends the signals.
control_socket_disable = True
