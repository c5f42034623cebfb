"""requirements.txt alone is enough to run production: a worker and beat from a clean venv.

Issue 14 found kombu's Redis transport importing `packaging`, which only the test
requirements happened to install, so a production venv's worker died at start. This builds
a real venv (no system or dev site-packages) from requirements.txt with pip's usual index,
cached in the temp folder under the hash of requirements.txt and the Python version, and
runs the worker and beat from it with the production settings against Redis.
"""

import fcntl
import hashlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.db import connection

from sso_apps.models import SeenSamlRequest
from sso_apps.tests.factories import ApplicationFactory
from tessera.clock import now

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "requirements.txt"
REDIS_URL = os.environ.get("TESSERA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

pytestmark = [pytest.mark.redis, pytest.mark.worker]


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def _production_venv() -> Path:
    """Return a venv holding requirements.txt only, building it on first use."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes() + sys.version.encode()).hexdigest()[:16]
    venv = Path(tempfile.gettempdir()) / f"tessera-requirements-venv-{digest}"
    done = venv / ".complete"
    with open(f"{venv}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(venv, ignore_errors=True)
            # The base interpreter, not this venv's: the new one must see none of our packages.
            python = getattr(sys, "_base_executable", sys.executable)
            subprocess.run([python, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [venv / "bin" / "pip", "install", "--quiet", "-r", str(REQUIREMENTS)],
                check=True,
                timeout=900,
            )
            done.touch()
    return venv


def _production_environment(venv: Path) -> dict[str, str]:
    database = connection.settings_dict
    return {
        "HOME": os.environ.get("HOME", "/tmp"),
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "portal.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "SSO_APPS_KEY_ENCRYPTION_SECRET": secrets.token_urlsafe(48),
        "TESSERA_BASE_URL": "https://sso.example.test",
        "REDIS_URL": REDIS_URL,
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD']}@"
            f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
        ),
    }


@pytest.fixture
def redis_queue():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        _unavailable(f"Redis at {REDIS_URL} is not reachable ({error}); scripts/test starts it")
    client.delete("celery")
    yield client
    client.delete("celery")


@pytest.fixture
def production_venv():
    if connection.vendor != "postgresql":
        _unavailable("needs PostgreSQL (DATABASE_URL): the worker is another process")
    return _production_venv()


def test_the_production_venv_has_no_test_tools(production_venv):
    python = production_venv / "bin" / "python"
    assert subprocess.run([python, "-c", "import kombu.transport.redis"]).returncode == 0
    # Proof that it is clean: had the dev requirements leaked in, this would import.
    assert subprocess.run([python, "-c", "import pytest"], capture_output=True).returncode != 0


@pytest.mark.django_db(transaction=True)
def test_a_worker_from_requirements_txt_answers_and_runs_a_task(
    production_venv, redis_queue, tmp_path
):
    application = ApplicationFactory()
    SeenSamlRequest.objects.create(
        application=application, request_id="_old", expires_at=now() - timedelta(hours=1)
    )
    name = f"venv-{uuid.uuid4().hex[:8]}@localhost"
    log = tmp_path / "worker.log"
    with open(log, "wb") as output:
        worker = subprocess.Popen(
            [production_venv / "bin" / "celery", "-A", "portal", "worker", "--pool", "solo"]
            + ["-n", name, "--without-mingle", "--without-gossip", "--loglevel", "INFO"],
            cwd=ROOT,
            env=_production_environment(production_venv),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    client = Celery(broker=REDIS_URL)
    try:
        answer = []
        deadline = time.monotonic() + 60
        while not answer and time.monotonic() < deadline:
            assert worker.poll() is None, log.read_text()[-3000:]
            answer = client.control.ping(destination=[name], timeout=1)
        assert answer == [{name: {"ok": "pong"}}], log.read_text()[-3000:]

        client.send_task("sso_apps.tasks.saml_seen_requests_purge")
        deadline = time.monotonic() + 30
        while SeenSamlRequest.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not SeenSamlRequest.objects.exists(), log.read_text()[-3000:]
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        client.close()
    # Production logs are JSON lines with the task's outcome.
    assert '"event": "task_succeeded"' in log.read_text()


def test_beat_from_requirements_txt_starts_and_keeps_running(
    production_venv, redis_queue, tmp_path
):
    log = tmp_path / "beat.log"
    environment = _production_environment(production_venv)
    environment["CELERY_BEAT_SCHEDULE_FILENAME"] = str(tmp_path / "schedule" / "beat")
    with open(log, "wb") as output:
        beat = subprocess.Popen(
            [production_venv / "bin" / "celery", "-A", "portal", "beat", "--loglevel", "INFO"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while "beat: Starting" not in log.read_text() and time.monotonic() < deadline:
            assert beat.poll() is None, log.read_text()[-3000:]
            time.sleep(0.2)
        time.sleep(2)
        assert beat.poll() is None, log.read_text()[-3000:]
        assert "beat: Starting" in log.read_text()
    finally:
        beat.terminate()
        beat.wait(timeout=20)
