"""Time deleting 10,000 SSO applications through the deletion job, against a naive loop.

Builds a throwaway database (SQLite file by default; set BENCH_DATABASE_URL for
PostgreSQL: a missing database is created and dropped again), seeds SAML applications
with their SAML config, ACS URL, attributes, active key pair and two group links each,
then measures in the same run, on identical data:

* job path: applications_delete_request() above the threshold, which records an
  ApplicationDeletionJob and runs it (Celery eager, as without Redis) in batches of
  SSO_APPS_DELETION_BATCH_SIZE, one transaction per batch, with one summary notification;
* baseline: the obvious loop, one app at a time, each deleted in its own transaction
  with its audit event and ServiceProvider row, then the same single summary.

Run: .venv/bin/python benchmarks/bulk_delete.py   (BENCH_APPS=10000 by default)
"""

import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
APPS = int(os.environ.get("BENCH_APPS", "10000"))


def postgres_database_ensure(url: str) -> bool:
    """Create the PostgreSQL database named by url if it is missing; return whether we did."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    return not exists


def postgres_database_drop(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def seed(prefix: str, count: int, *, connector, groups, key_pair) -> list[int]:
    """Bulk-insert `count` SAML apps with every row a real app has; return their ids."""
    from sso_apps.key_vault import private_key_encrypt
    from sso_apps.models import AcsUrl, Application, IdpKeyPair, SamlAttribute, SamlConfig
    from sso_apps.saml.keys import certificate_info

    info = certificate_info(key_pair.certificate_pem)
    encrypted = private_key_encrypt(key_pair.private_key_pem)
    apps = Application.objects.bulk_create(
        [
            Application(
                connector=connector,
                connector_type="saml",
                display_label=f"{prefix} {n}",
                idp_suffix=f"{prefix.lower()}-{n}",
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    ids = [app.pk for app in apps]
    SamlConfig.objects.bulk_create(
        [
            SamlConfig(
                application_id=pk,
                idp_entity_id=f"https://idp.example.com/{pk}",
                sp_entity_id=f"https://sp{pk}.example.com/metadata",
            )
            for pk in ids
        ],
        batch_size=2000,
    )
    AcsUrl.objects.bulk_create(
        [
            AcsUrl(config_id=pk, url=f"https://sp{pk}.example.com/acs", is_default=True)
            for pk in ids
        ],
        batch_size=2000,
    )
    SamlAttribute.objects.bulk_create(
        [
            SamlAttribute(config_id=pk, name=name, source=source)
            for pk in ids
            for name, source in (("Email", "email"), ("FirstName", "first_name"))
        ],
        batch_size=2000,
    )
    IdpKeyPair.objects.bulk_create(
        [
            IdpKeyPair(
                application_id=pk,
                status="active",
                origin="generated",
                certificate_pem=key_pair.certificate_pem,
                private_key_encrypted=encrypted,
                key_size=2048,
                fingerprint_sha256=info.sha256_fingerprint,
                not_before=info.not_before,
                not_after=info.not_after,
            )
            for pk in ids
        ],
        batch_size=2000,
    )
    through = Application.authorized_groups.through
    through.objects.bulk_create(
        [through(application_id=pk, usergroup_id=group.pk) for pk in ids for group in groups],
        batch_size=2000,
    )
    return ids


def main():
    folder = tempfile.mkdtemp(prefix="tessera-bench-")
    url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    created = url.startswith("postgres") and postgres_database_ensure(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    os.environ["TESSERA_TEST_CELERY_EAGER"] = "1"
    import django

    django.setup()
    try:
        run()
    finally:
        from django.db import connections

        connections.close_all()
        if created:
            postgres_database_drop(url)


def run():
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, transaction
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

    call_command("migrate", verbosity=0)
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
    ids = seed("Job", APPS, connector=connector, groups=groups, key_pair=key_pair)

    def job_path():
        outcome = applications_delete_request(
            application_ids=ids, confirmation_count=len(ids), request=request
        )
        assert outcome.is_queued

    job_seconds = timed(job_path)
    job = ApplicationDeletionJob.objects.get()
    assert (job.status, job.deleted) == ("done", APPS), (job.status, job.deleted)
    assert not Application.objects.exists() and not IdpKeyPair.objects.exists()
    assert Notification.objects.filter(kind="application.deletion_job.done").count() == 3

    # --- Baseline: the obvious per-app loop over the same kind of data.
    ids = seed("Loop", APPS, connector=connector, groups=groups, key_pair=key_pair)

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

    loop_seconds = timed(naive_loop)
    assert not Application.objects.exists() and not IdpKeyPair.objects.exists()

    print(
        f"{APPS} SAML applications on {connection.vendor} "
        f"(batch size {app_settings.deletion_batch_size}, Celery eager)"
    )
    print(f"job path (batched, one transaction per batch): {job_seconds:8.2f} s")
    print(f"baseline (naive loop, one app per transaction): {loop_seconds:8.2f} s")
    print(f"ratio baseline/job: {loop_seconds / job_seconds:5.1f}x")


if __name__ == "__main__":
    main()
