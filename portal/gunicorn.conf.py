"""Gunicorn settings for the web process (`gunicorn -c portal/gunicorn.conf.py portal.wsgi`).

Every value can be set from the environment, so the Procfile, the systemd unit and the
tests start the same server. See README "Deployment" for the variables.
"""

import gc
import multiprocessing
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "portal.wsgi:application"

# Loopback unless told otherwise: a node behind a load balancer on another machine sets
# TESSERA_BIND=0.0.0.0:8000 (or a unix: socket). PORT is what honcho and PaaS hosts pass.
bind = [os.environ.get("TESSERA_BIND") or f"127.0.0.1:{_int('PORT', 8000)}"]

# gunicorn's rule of thumb, 2 per core + 1; WEB_CONCURRENCY (the usual name) overrides it.
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
# Threads let a worker answer a health probe while another thread waits on PostgreSQL.
# NOTE: 2, not more: the threads of one worker share one GIL, and a thread back from
# PostgreSQL or Redis waits for it behind the others. Under the SSO benchmark (2 workers,
# c=8) 4 threads gave 247-265 SSO/s, p99 68 ms; 2 threads 287-331 SSO/s, p99 46-62 ms;
# sync workers 262-281, p99 44-49 ms. More concurrency comes from more workers.
worker_class = "gthread"
threads = _int("TESSERA_WEB_THREADS", 2)

# 1 (the default): import the app once in the master and fork the workers from it, so the
# code and settings are pages the workers share (under the SSO benchmark a worker's USS fell
# from about 120 MB to under 60 MB; its RSS, which counts shared pages, from 158 to 145 MB).
# Safe because the import opens nothing and caches nothing (no database or Redis socket,
# no thread, empty IdP runtime caches): portal/tests/test_gunicorn.py checks that the
# state a worker inherits is empty. 0 lets SIGHUP reload code, which a preloaded master
# cannot do: restart it instead.
preload_app = _int("TESSERA_WEB_PRELOAD", 1) == 1


def pre_fork(server, worker):
    # Move everything the master has built into the permanent generation, so the workers'
    # garbage collections never touch (and so never copy) the pages they share with it.
    gc.freeze()


# A request taking longer than this is a stuck worker: gunicorn kills and replaces it.
timeout = _int("TESSERA_WEB_TIMEOUT", 30)
# On SIGTERM (deploy, systemd stop) in-flight requests get this long to finish.
graceful_timeout = _int("TESSERA_WEB_GRACEFUL_TIMEOUT", 30)
# Above a typical load balancer's idle timeout would keep dead sockets; 5 s is below them.
keepalive = 5
# Recycle workers now and then so a slow leak in a dependency cannot grow without bound;
# the jitter keeps all workers from restarting at once.
max_requests = _int("TESSERA_WEB_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10

# Believe X-Forwarded-Proto (wsgi.url_scheme) only from the proxies Django trusts too
# (portal.middleware.TrustedProxyMiddleware reads the same variable). Empty means no one:
# gunicorn's own default would trust 127.0.0.1, which is every local process.
forwarded_allow_ips = ",".join(
    entry.strip() for entry in os.environ.get("TESSERA_TRUSTED_PROXIES", "").split(",") if entry
)

# NOTE: gunicorn 25.1+ opens a control socket at $HOME/.gunicorn/gunicorn.ctl by default;
# two instances on one machine (two nodes, or a test beside a running server) would fight
# over that one path. Nothing here uses gunicornc.
control_socket_disable = True

# Access log on stdout, one line per request, with the request id the app echoes
# (portal middleware, X-Request-ID) so a line can be matched to the app's own log lines.
# NOTE: %(U)s is the path without the query string: an HTTP-Redirect SAMLRequest or
# LogoutRequest travels in the query string and must not land in an INFO log.
accesslog = os.environ.get("TESSERA_ACCESS_LOG", "-")
access_log_format = (
    '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s'
)
errorlog = "-"
loglevel = os.environ.get("TESSERA_WEB_LOG_LEVEL", "info")


def _log_format() -> str:
    production = os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".prod")
    return os.environ.get("TESSERA_LOG_FORMAT") or ("json" if production else "console")


if _log_format() == "json":
    # In production gunicorn's own lines are JSON objects too, through the same formatter
    # (and secret redaction) as the app's, so a collector reads one format. The access line
    # stays the format above, as the "event" of a JSON object on stdout; TESSERA_ACCESS_LOG
    # does not apply then.
    sys.path.insert(0, str(ROOT))
    from portal.settings.logging import logging_config

    def _handler(stream: str) -> dict:
        return {"class": "logging.StreamHandler", "formatter": "structured", "stream": stream}

    # gunicorn's loggers do not propagate: the root handler would print each line twice.
    logconfig_dict = {
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {
                "level": loglevel.upper(),
                "handlers": ["stderr"],
                "propagate": False,
            },
            "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
        },
        "handlers": {
            "stderr": _handler("ext://sys.stderr"),
            "stdout": _handler("ext://sys.stdout"),
        },
        "formatters": {"structured": logging_config("json")["formatters"]["structured"]},
    }
# The Django app's own log lines go to stderr already; do not wrap them twice.
capture_output = False
proc_name = "tessera-web"
