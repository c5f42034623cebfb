"""Fixtures of the multi-node and fault tests: gunicorn nodes on the shared test database.

The nodes are separate processes, so they see only committed rows: every test here runs
on pytest-django's test database with `transaction=True`, and child_environment points
each node at that same database name. Every process a fixture starts is stopped by it,
also when the test fails.
"""

import os

import pytest
import redis
from django.contrib.auth.models import Group

from accounts.roles import ADMINISTRATOR, READ_ONLY, roles_sync_permissions
from portal.testing.processes import child_environment
from sso_apps.tests.cluster.harness import Node
from sso_apps.tests.idp.conftest import (  # noqa: F401  (fixtures, found by pytest by name)
    _fresh_runtimes,
    member,
    saml_app,
    saml_app_factory,
    saml_connector,
)
from sso_apps.tests.integration.conftest import (  # noqa: F401
    postgres,
    private_redis,
    unavailable,
    worker_factory,
)

SHARED_REDIS_URL = os.environ.get("TESSERA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

pytestmark = [pytest.mark.cluster, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _admin_roles(transactional_db):
    """Recreate the two roles, which an earlier transactional test's flush may have removed."""
    for name in (ADMINISTRATOR, READ_ONLY):
        Group.objects.get_or_create(name=name)
    roles_sync_permissions()


@pytest.fixture
def shared_redis(postgres):  # noqa: F811
    """Return the Redis test database's URL, emptied before and after the test."""
    client = redis.Redis.from_url(SHARED_REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        unavailable(f"Redis at {SHARED_REDIS_URL} is not reachable ({error})")
    client.flushdb()
    yield SHARED_REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture
def node_factory(tmp_path, postgres):  # noqa: F811
    """Return a function starting gunicorn nodes; every node is stopped after the test.

    `start("a", "b", ...)` launches the nodes side by side and returns them once all
    answer (one node: that node). Nodes use Redis as production does (cache, cached_db
    sessions) when given REDIS_URL.
    """
    started = []

    def start(*names: str, redis_url: str = "", database_url: str = "", **env):
        environment = child_environment(**{key: str(value) for key, value in env.items()})
        if redis_url:
            environment.update(REDIS_URL=redis_url, TESSERA_TEST_REDIS_CACHE="1")
        if database_url:
            environment["DATABASE_URL"] = database_url
        nodes = [
            Node(name, env=environment, log_path=tmp_path / f"node-{name}.log") for name in names
        ]
        for node in nodes:
            started.append(node)
            node.launch()
        for node in nodes:
            node.wait_ready()
        return nodes[0] if len(nodes) == 1 else nodes

    yield start
    for node in started:
        node.stop()
