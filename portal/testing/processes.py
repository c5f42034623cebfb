"""Start the portal in a separate process against the test database, for tests only."""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_environment(**extra) -> dict[str, str]:
    """Return an environment that points a child process at this test run's database."""
    database = connection.settings_dict
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise RuntimeError("Cross-process tests need PostgreSQL (set DATABASE_URL).")
    url = (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST") and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="portal.settings.test",
        DATABASE_URL=url,
        SECRET_KEY=settings.SECRET_KEY,
        SSO_APPS_KEY_ENCRYPTION_SECRET=settings.SSO_APPS_KEY_ENCRYPTION_SECRET,
        **extra,
    )
    return environment


@contextmanager
def portal_server(**extra_env):
    """Run `manage.py runserver` in its own process; yield its base URL; stop it after."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "runserver",
            f"127.0.0.1:{port}",
            "--noreload",
            "--nothreading",
        ],
        cwd=ROOT,
        env=child_environment(**extra_env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{base_url}/userconsole/login/", timeout=1)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "The portal process did not start: "
                        + process.stderr.read().decode()[-2000:]
                    ) from None
                time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def production_environment(**extra) -> dict[str, str]:
    """Return child_environment() switched to the production settings, with throwaway secrets."""
    import secrets

    environment = child_environment()
    environment.update(
        DJANGO_SETTINGS_MODULE="portal.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(64),
        TESSERA_BASE_URL="https://sso.example.test",
        ALLOWED_HOSTS="sso.example.test,127.0.0.1",
    )
    # Only what the test asks for: no Redis or proxy settings leaking in from the shell.
    for name in ("REDIS_URL", "TESSERA_TRUSTED_PROXIES", "TESSERA_USE_X_FORWARDED_HOST"):
        environment.pop(name, None)
    environment.update(extra)
    return environment


@contextmanager
def gunicorn_server(environment: dict[str, str], *, log_path: Path):
    """Run gunicorn with portal/gunicorn.conf.py on a spare port; yield its base URL.

    stdout (access log) and stderr (gunicorn's and the app's log lines) go to log_path.
    """
    port = free_port()
    environment = {
        "TESSERA_WEB_GRACEFUL_TIMEOUT": "5",
        **environment,
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    environment.pop("TESSERA_BIND", None)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [Path(sys.executable).parent / "gunicorn", "-c", "portal/gunicorn.conf.py"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                # The first request imports the app in the worker: give it a moment.
                requests.get(f"{base_url}/healthz", timeout=(1, 10))
                break
            except (requests.ConnectionError, requests.Timeout):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "gunicorn did not start: " + log_path.read_text()[-3000:]
                    ) from None
                time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
