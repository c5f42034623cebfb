"""Time deleting 10,000 SSO applications through the deletion job, against a naive loop.

Builds a throwaway database (PostgreSQL when DATABASE_URL or BENCH_DATABASE_URL names
one, SQLite otherwise), seeds SAML applications
with their SAML config, ACS URL, attributes, active key pair and two group links each,
then measures in the same run, on identical data:

* job path: applications_delete_request() above the threshold, which records an
  ApplicationDeletionJob and runs it (Celery eager, as without Redis) in batches of
  SSO_APPS_DELETION_BATCH_SIZE, one transaction per batch, with one summary notification;
* baseline: the obvious loop, one app at a time, each deleted in its own transaction
  with its audit event and ServiceProvider row, then the same single summary.

Run: .venv/bin/python -m benchmarks.bulk_delete [--quick]   (10,000 apps; 300 in --quick)
in the same run, on the same kind of data
"""

import time

from benchmarks.harness.databases import ThrowawayDatabase, database_url, django_setup
from benchmarks.harness.report import Figure, module_main
from benchmarks.tessera_seed import saml_apps_bulk_seed as seed

LOOP_APPS = 1000


def run(*, quick: bool) -> list[Figure]:
    """Return the job path's time against the naive loop, on identical data."""
    apps, loop_cap = (300, 30) if quick else (10_000, LOOP_APPS)
    with ThrowawayDatabase(database_url("tessera_bench_bulk_delete"), tessera=True) as url:
        django_setup(url=url)
        job_seconds, loop_seconds, batch = _measure(apps, loop_cap)
    return [
        Figure(
            f"bulk delete of {apps:,} apps through the job",
            job_seconds,
            "s",
            target="< 10 s",
            passed=job_seconds < 10,
            baseline=loop_seconds,
            ratio=loop_seconds / job_seconds,
            note=f"batch size {batch}, Celery eager; baseline: one app per transaction,"
            f" timed on {min(apps, loop_cap):,} apps and scaled linearly",
        )
    ]


def _measure(apps: int, loop_cap: int) -> tuple[float, float, int]:
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.test import RequestFactory

    from accounts.models import User, UserGroup
    from accounts.roles import ADMINISTRATOR
    from sso_apps.conf import app_settings
    from sso_apps.models import (
        Application,
        ApplicationDeletionJob,
        ConnectorTemplate,
        IdpKeyPair,
        Notification,
    )
    from sso_apps.saml.keys import generate_key_pair
    from sso_apps.services.audit import audit_record
    from sso_apps.services.deletion_jobs import applications_delete_request
    from sso_apps.services.notifications import notification_create_for_admins
    from sso_apps.services.service_providers import service_providers_delete

    administrators = Group.objects.get(name=ADMINISTRATOR)
    admins = []
    for n in range(3):
        admin, _ = User.objects.get_or_create(
            email=f"bench.admin{n}@example.com",
            defaults={"username": f"bench-admin-{n}", "is_staff": True},
        )
        admin.groups.add(administrators)
        admins.append(admin)
    connector, _ = ConnectorTemplate.objects.get_or_create(
        slug="bench-saml", defaults={"name": "Bench SAML", "type": "saml", "category": "it_ops"}
    )
    groups = [UserGroup.objects.get_or_create(name=f"Bench group {n}")[0] for n in range(2)]
    key_pair = generate_key_pair(common_name="bench.tessera")
    request = RequestFactory().post("/admin/", REMOTE_ADDR="127.0.0.1")
    request.user = admins[0]

    def timed(action):
        started = time.perf_counter()
        action()
        return time.perf_counter() - started

    # --- Job path: exactly what the Delete confirmation runs above the threshold.
    ids = seed("Job", apps, connector=connector, groups=groups, key_pair=key_pair)

    def job_path():
        outcome = applications_delete_request(
            application_ids=ids, confirmation_count=len(ids), request=request
        )
        assert outcome.is_queued

    job_seconds = timed(job_path)
    job = ApplicationDeletionJob.objects.get()
    assert (job.status, job.deleted) == ("done", apps), (job.status, job.deleted)
    assert not Application.objects.exists() and not IdpKeyPair.objects.exists()
    assert Notification.objects.filter(kind="application.deletion_job.done").count() == 3

    # --- Baseline: the obvious per-app loop over the same kind of data.
    # NOTE: the loop costs ~40 ms per app on a loaded 2-core machine (7 minutes for
    # 10,000); it is linear in the count, so it runs on LOOP_APPS apps and is scaled.
    loop_apps = min(apps, loop_cap)
    ids = seed("Loop", loop_apps, connector=connector, groups=groups, key_pair=key_pair)

    def naive_loop():
        labels = []
        for application in Application.objects.filter(pk__in=ids).order_by("pk"):
            with transaction.atomic():
                audit_record(
                    action="application.delete",
                    request=request,
                    target=application,
                    details={"suffix": application.idp_suffix},
                )
                service_providers_delete(application_ids=[application.pk])
                application.delete()
            labels.append(application.display_label)
        with transaction.atomic():
            notification_create_for_admins(
                actor=request.user,
                kind="application.deleted",
                applications=[],
                labels=[*labels[:10], f"and {len(labels) - 10} more"],
            )

    loop_seconds = timed(naive_loop) * apps / loop_apps
    assert not Application.objects.exists() and not IdpKeyPair.objects.exists()

    return job_seconds, loop_seconds, app_settings.deletion_batch_size


if __name__ == "__main__":
    module_main(run)
