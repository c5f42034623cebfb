"""The production server as deployed: gunicorn with portal/gunicorn.conf.py and the
production settings, on 127.0.0.1, behind (pretend) proxy headers and with dead dependencies.
"""

import json
import re
import subprocess
import sys
import uuid

import psycopg
import pytest
import requests
from django.db import connection

from portal.testing.processes import ROOT, free_port, gunicorn_server, production_environment

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): gunicorn is another process")


def _get(base_url, path, **headers):
    return requests.get(base_url + path, headers=headers, allow_redirects=False, timeout=15)


def test_behind_a_trusted_proxy_scheme_and_host_come_from_its_headers(postgres, tmp_path):
    environment = production_environment(
        TESSERA_TRUSTED_PROXIES="127.0.0.1", TESSERA_USE_X_FORWARDED_HOST="true"
    )
    with gunicorn_server(environment, log_path=tmp_path / "log") as base_url:
        # Plain http without the proxy's word: redirected to https, on the Host asked for.
        plain = _get(base_url, "/userconsole/login/", Host="sso.example.test")
        assert plain.status_code == 301
        assert plain.headers["Location"] == "https://sso.example.test/userconsole/login/"
        # The proxy terminated TLS: no redirect, and HSTS (sent on secure requests only).
        proxied = _get(base_url, "/healthz", **{"X-Forwarded-Proto": "https"})
        assert proxied.status_code == 200
        assert "max-age=31536000" in proxied.headers["Strict-Transport-Security"]
        # The proxy rewrote Host and sent the public one in X-Forwarded-Host.
        forwarded = _get(base_url, "/userconsole/", **{"X-Forwarded-Host": "sso.example.test"})
        assert forwarded.headers["Location"] == "https://sso.example.test/userconsole/"
        # A public name not in ALLOWED_HOSTS is refused, forwarded or not.
        assert _get(base_url, "/healthz", **{"X-Forwarded-Host": "evil.example"}).status_code == 400


def test_from_an_untrusted_peer_proxy_headers_are_ignored(postgres, tmp_path):
    environment = production_environment(
        TESSERA_TRUSTED_PROXIES="10.9.9.9", TESSERA_USE_X_FORWARDED_HOST="true"
    )
    with gunicorn_server(environment, log_path=tmp_path / "log") as base_url:
        claimed = _get(base_url, "/healthz", **{"X-Forwarded-Proto": "https"})
        assert claimed.status_code == 200
        assert "Strict-Transport-Security" not in claimed.headers
        spoofed = _get(
            base_url,
            "/userconsole/",
            Host="sso.example.test",
            **{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"},
        )
        assert spoofed.headers["Location"] == "https://sso.example.test/userconsole/"


def test_access_and_app_log_lines_carry_the_request_id_and_no_query_string(postgres, tmp_path):
    log_path = tmp_path / "log"
    with gunicorn_server(production_environment(), log_path=log_path) as base_url:
        secret = uuid.uuid4().hex
        response = _get(base_url, f"/readyz?SAMLRequest={secret}&Signature={secret}")
        request_id = response.headers["X-Request-ID"]
        assert re.fullmatch(UUID, request_id)
    log = log_path.read_text()
    assert secret not in log
    # In production gunicorn's lines are JSON objects too (portal/gunicorn.conf.py).
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    access = [
        line
        for line in lines
        if line["logger"] == "gunicorn.access" and f"request_id={request_id}" in line["event"]
    ]
    assert len(access) == 1, log[-2000:]
    assert '"GET /readyz HTTP/1.1" 200' in access[0]["event"]
    assert any(line["event"].startswith("Listening at:") for line in lines)
    finished = [line for line in lines if line["event"] == "request_finished"]
    assert finished[-1]["request_id"] == request_id
    assert finished[-1]["request"] == "GET /readyz"


def test_readyz_reports_dead_redis_without_naming_it(postgres, tmp_path):
    dead = free_port()
    environment = production_environment(REDIS_URL=f"redis://127.0.0.1:{dead}/0")
    with gunicorn_server(environment, log_path=tmp_path / "log") as base_url:
        assert _get(base_url, "/healthz").status_code == 200
        response = _get(base_url, "/readyz", Accept="text/html")
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "unavailable",
        "checks": {
            "database": "ok",
            "cache": "unavailable",
            "celery_broker": "unavailable",
            "migrations": "ok",
        },
    }
    assert str(dead) not in response.text and "127.0.0.1" not in response.text
    # The operator finds the reason in the log.
    assert "Connection" in (tmp_path / "log").read_text()


def test_readyz_reports_a_dead_database_and_healthz_does_not_care(postgres, tmp_path):
    dead = free_port()
    environment = production_environment(
        DATABASE_URL=f"postgres://tessera:hunter2@127.0.0.1:{dead}/tessera"
    )
    with gunicorn_server(environment, log_path=tmp_path / "log") as base_url:
        assert _get(base_url, "/healthz").json() == {"status": "ok", "checks": {}}
        response = _get(base_url, "/readyz?format=text")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"
    assert response.json()["checks"]["migrations"] == "unavailable"
    assert "hunter2" not in response.text and str(dead) not in response.text


@pytest.fixture
def empty_database():
    """A fresh PostgreSQL database with no tables, dropped after the test."""
    database = connection.settings_dict
    server = (
        f"postgresql://{database['USER']}:{database['PASSWORD']}@"
        f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    )
    name = f"tessera_unmigrated_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}".replace("postgresql://", "postgres://")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_readyz_is_not_ready_until_migrations_are_applied(postgres, empty_database, tmp_path):
    environment = production_environment(DATABASE_URL=empty_database)
    with gunicorn_server(environment, log_path=tmp_path / "log") as base_url:
        response = _get(base_url, "/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "cache": "ok",
        "celery_broker": "ok",
        "migrations": "unavailable",
    }


# What a preloaded gunicorn master (TESSERA_WEB_PRELOAD=1) runs before it forks: the
# config file, then the WSGI import. Whatever that leaves open or filled is copied into
# every worker: a database or Redis socket would be one connection read by several
# processes (answers crossing between them), a filled cache one process's stale view.
_MASTER_STATE = """
import gc, json, socket, sys, threading
sys.path.insert(0, ".")
import runpy
runpy.run_path("portal/gunicorn.conf.py")
import portal.wsgi  # noqa: F401
import redis
from django.db import connections
from sso_apps.idp import runtime
print(json.dumps({
    "threads": [t.name for t in threading.enumerate()],
    "databases": [c.alias for c in connections.all(initialized_only=True) if c.connection],
    "redis_pools": sum(isinstance(o, redis.ConnectionPool) for o in gc.get_objects()),
    "sockets": sum(isinstance(o, socket.socket) for o in gc.get_objects()),
    "cached": len(runtime.applications._items) + len(runtime.runtimes._items),
}))
"""


def test_a_preloaded_master_forks_its_workers_with_nothing_open_or_cached(postgres):
    environment = production_environment(REDIS_URL="redis://127.0.0.1:6379/0")
    result = subprocess.run(
        [sys.executable, "-c", _MASTER_STATE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    state = json.loads(result.stdout.strip().splitlines()[-1])
    assert state == {
        "threads": ["MainThread"],
        "databases": [],
        "redis_pools": 0,
        "sockets": 0,
        "cached": 0,
    }
