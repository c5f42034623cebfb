"""Scenario 3: a PostgreSQL restart mid-requests gives clean 503s, then service resumes."""

import threading
import time

import pytest

from portal.testing.processes import child_environment
from sso_apps.tests.cluster.harness import Browser, PostgresCluster, django_run
from sso_apps.tests.integration.conftest import unavailable

EMAIL = "ada@example.com"
PASSWORD = "restart-test-password"
SETUP = f"""
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from accounts.models import User
User.objects.create_user(username="ada", email="{EMAIL}", password="{PASSWORD}", first_name="Ada")
"""


@pytest.fixture
def private_postgres():
    if not PostgresCluster.available():
        unavailable("initdb and pg_ctl are not installed (or no postgres user to run them)")
    cluster = PostgresCluster()
    cluster.init()
    cluster.start()
    yield cluster
    if cluster.is_running():
        cluster.stop(mode="immediate")
    cluster.remove()


def test_requests_during_a_postgres_restart_answer_503_and_the_nodes_recover_by_themselves(
    private_postgres, node_factory
):
    private_postgres.create_database("tessera")
    database_url = private_postgres.url("tessera")
    django_run(SETUP, env={**child_environment(), "DATABASE_URL": database_url})
    node = node_factory("a", database_url=database_url)
    user = Browser()
    user.console_sign_in(node, EMAIL, PASSWORD)
    assert user.signed_in(node)

    outcomes: list[tuple[float, int, str, str]] = []
    stop = threading.Event()

    def keep_asking():
        # Each page loads the session and the user from PostgreSQL.
        browser = Browser()
        browser.session.cookies.update(user.session.cookies)
        while not stop.is_set():
            response = browser.get(node, "/userconsole/")
            outcomes.append(
                (
                    time.monotonic(),
                    response.status_code,
                    response.headers.get("Retry-After", ""),
                    response.text,
                )
            )

    threads = [threading.Thread(target=keep_asking) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    private_postgres.stop(mode="fast")  # terminates every backend: in-flight queries fail
    time.sleep(2)
    private_postgres.start()
    restarted_at = time.monotonic()
    time.sleep(3)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    statuses = [status for _, status, _, _ in outcomes]
    assert set(statuses) <= {200, 503}, sorted(set(statuses))
    unavailable_pages = [o for o in outcomes if o[1] == 503]
    assert unavailable_pages, "no request met the outage; the test proved nothing"
    for _, _, retry_after, body in unavailable_pages:
        assert retry_after == "5"
        assert "briefly unavailable" in body
        assert "Traceback" not in body and "psycopg" not in body
    # Service came back on the same app server processes, without a restart of theirs.
    after = [status for at, status, _, _ in outcomes if at > restarted_at + 1]
    assert after and set(after) == {200}
    assert user.signed_in(node)
    assert "Service unavailable: GET /userconsole/" in node.log()
