"""Real Redis, real Celery worker processes, and the PostgreSQL test database they share.

Every process started here (workers, private redis-servers) is stopped by its fixture,
also when the test fails. Without Redis or PostgreSQL the tests are skipped with the
reason, except under CI (the CI variable set), where that is a failure.
"""

import email
import json
import os
import shutil
import signal
import subprocess
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import kombu.pools
import pytest
import redis
from django.contrib.auth.models import Group
from django.db import connection

from accounts.roles import ADMINISTRATOR, READ_ONLY, roles_sync_permissions
from portal.celery import app as celery_app
from portal.testing.processes import child_environment, free_port
from sso_apps.tests.notifications.fixtures import (  # noqa: F401
    _fast_key_pairs,
    second_administrator,
)

ROOT = Path(__file__).resolve().parents[3]
CELERY = ROOT / ".venv" / "bin" / "celery"
SHARED_REDIS_URL = os.environ.get("TESSERA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# The keys a Celery queue on Redis uses (and kombu's "_kombu.*" bindings); cleared in the
# Redis test database (15) only, before and after each test.
QUEUE_KEYS = ("celery", "unacked", "unacked_index", "unacked_mutex")


def queue_keys_delete(client) -> None:
    client.delete(*QUEUE_KEYS, *client.scan_iter(match="_kombu.*"))


@pytest.fixture(autouse=True)
def _admin_roles(transactional_db):
    """Recreate the two roles, which an earlier transactional test's flush may have removed."""
    for name in (ADMINISTRATOR, READ_ONLY):
        Group.objects.get_or_create(name=name)
    roles_sync_permissions()


def unavailable(reason: str):
    """Skip, or fail under CI, where these tests must run."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        unavailable(
            "needs PostgreSQL (DATABASE_URL): a worker process cannot see SQLite's test database"
        )


@pytest.fixture
def shared_redis(postgres):
    """Return the URL of the Redis test database, emptied of stale Celery messages."""
    client = redis.Redis.from_url(SHARED_REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        unavailable(
            f"Redis at {SHARED_REDIS_URL} is not reachable ({error}); scripts/test starts it"
        )
    queue_keys_delete(client)
    yield SHARED_REDIS_URL
    queue_keys_delete(client)
    client.close()


class RedisServer:
    """A private redis-server on a spare port, which a test may stop and start again."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.05)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture
def private_redis(postgres, tmp_path):
    """Start a redis-server of this test's own; it is stopped after the test."""
    if shutil.which("redis-server") is None:
        unavailable("redis-server is not installed; scripts/test installs it")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


class Worker:
    """A real `celery -A portal worker` process (solo pool) on the test database."""

    def __init__(self, *, broker_url: str, mail_dir: Path, log_path: Path, env: dict):
        self.broker_url = broker_url
        self.mail_dir = mail_dir
        self.log_path = log_path
        self.env = env
        self.process = None

    def start(self, timeout: float = 30):
        environment = child_environment(
            TESSERA_TEST_CELERY_EAGER="0",
            REDIS_URL=self.broker_url,
            TESSERA_TEST_EMAIL_DIR=str(self.mail_dir),
            **self.env,
        )
        environment["DJANGO_SETTINGS_MODULE"] = "sso_apps.tests.integration.worker_settings"
        environment["CELERY_BROKER_TRANSPORT_OPTIONS"] = json.dumps(
            # Hand a killed worker's message back within seconds, not the production 2 hours.
            {"visibility_timeout": 4, "unacked_restore_interval": 1, "unacked_restore_throttle": 1}
        )
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(CELERY),
                    "-A",
                    "portal",
                    "worker",
                    "--pool",
                    "solo",
                    "--loglevel",
                    "INFO",
                    "--hostname",
                    f"tessera-test-{uuid.uuid4().hex[:8]}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while " ready." not in self.log(offset):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"The Celery worker did not start:\n{self.log(offset)[-3000:]}")
            time.sleep(0.1)

    def log(self, offset: int = 0) -> str:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def kill(self):
        """SIGKILL the worker: no warm shutdown, no acknowledgement, nothing cleaned up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def emails(self) -> list[email.message.Message]:
        """Return every email this test's workers sent (the file backend's messages)."""
        messages = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for chunk in path.read_text().split("-" * 79):
                if chunk.strip():
                    messages.append(email.message_from_string(chunk.strip()))
        return messages


@pytest.fixture
def worker_factory(tmp_path):
    """Return a function starting a worker on a broker; every one is stopped after the test."""
    started = []
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()

    def start(broker_url: str, **env) -> Worker:
        worker = Worker(
            broker_url=broker_url,
            mail_dir=mail_dir,
            log_path=tmp_path / f"worker-{len(started) + 1}.log",
            env={key: str(value) for key, value in env.items()},
        )
        started.append(worker)
        worker.start()
        return worker

    yield start
    for worker in started:
        worker.stop()


@contextmanager
def publishing_to(broker_url: str):
    """Make this (eager) test process send tasks to a real broker instead of running them."""
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("broker_url", "task_always_eager")}

    def reset_connections():
        # The app and kombu cache broker connections and producer pools: drop them all.
        kombu.pools.reset()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    conf.update(broker_url=broker_url, task_always_eager=False)
    reset_connections()
    try:
        yield
    finally:
        conf.update(saved)
        reset_connections()


def wait_for(condition, *, timeout: float = 30, interval: float = 0.2, message: str = ""):
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout}s waiting for {message or condition}")
        time.sleep(interval)
