"""/healthz (the process answers) and /readyz (its dependencies answer), for probes.

Both are django-health-check views answering JSON only, whatever the Accept header:
{"status": "ok" | "unavailable", "checks": {"database": "ok", ...}}, 200 or 503.
The library's own reports name each check by its repr (which for Redis includes the host
and port) and quote exception text (a PostgreSQL error names the server); a probe is
anonymous, so the response says only ok/unavailable per dependency and the reason goes
to the log (django-health-check logs every failure with its exception).
"""

import asyncio
import dataclasses
import datetime

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from portal.celery import app as celery_app

# Each probe gives up after this long, so a dead dependency answers 503 within seconds and
# not after the load balancer's own probe timeout.
PROBE_TIMEOUT = datetime.timedelta(seconds=3)


@dataclasses.dataclass
class CeleryBroker(HealthCheck):
    """The broker accepts a connection, so work can be queued (no worker needs to answer).

    django-health-check's Celery check pings workers, which says nothing about whether this
    node can queue a task, and a readiness probe must not fail every web node because the
    workers are being restarted.
    """

    timeout: datetime.timedelta = dataclasses.field(default=PROBE_TIMEOUT, repr=False)

    def run(self):
        seconds = self.timeout.total_seconds()
        url = settings.CELERY_BROKER_URL
        with celery_app.connection_for_write(url=url, connect_timeout=seconds) as conn:
            try:
                conn.ensure_connection(max_retries=1, interval_start=0, timeout=seconds)
            except Exception as error:  # kombu raises the transport's own errors
                raise ServiceUnavailable("broker unreachable") from error


@dataclasses.dataclass
class MigrationsApplied(HealthCheck):
    """Every migration this code ships is applied: a node running newer code than its
    database schema would fail on the first query that touches a new column."""

    alias: str = DEFAULT_DB_ALIAS
    timeout: datetime.timedelta = dataclasses.field(default=PROBE_TIMEOUT, repr=False)

    def run(self):
        connection = connections[self.alias]
        try:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception as error:
            raise ServiceUnavailable("migration state unreadable") from error
        finally:
            # Checks run in an executor thread, outside the request cycle that would
            # close this thread's connection.
            connection.close()
        if plan:
            raise ServiceUnavailable(f"{len(plan)} migration(s) not applied")


class _JsonHealthView(HealthCheckView):
    """django-health-check's view, answering {"status", "checks"} JSON to every caller."""

    names: dict[type[HealthCheck], str] = {}

    async def get(self, request, *args, **kwargs):
        # The parent's get() runs the checks the same way, then renders HTML, text, feeds
        # or JSON by Accept, each listing the reprs and error texts: not for anonymous eyes.
        with self.get_executor() as executor:
            self.results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        failed = any(result.error for result in self.results)
        checks = {
            self.names[type(result.check)]: "unavailable" if result.error else "ok"
            for result in self.results
        }
        body = {"status": "unavailable" if failed else "ok", "checks": checks}
        return JsonResponse(body, status=503 if failed else 200)


class LivenessView(_JsonHealthView):
    """The process is up and routes requests; deliberately touches no dependency, so a
    PostgreSQL outage does not make an orchestrator restart every healthy process."""

    checks = ()


class ReadinessView(_JsonHealthView):
    """Database, cache (Redis when configured), Celery broker, migrations."""

    names = {
        Database: "database",
        Cache: "cache",
        CeleryBroker: "celery_broker",
        MigrationsApplied: "migrations",
    }
    checks = (
        Database,
        (Cache, {"timeout": PROBE_TIMEOUT}),
        CeleryBroker,
        MigrationsApplied,
    )
