"""Notifications and deletion jobs with a real Redis broker and real Celery worker processes."""

import logging
import time

import pytest
from django.urls import reverse

from sso_apps.models import Application, ApplicationDeletionJob, AuditEvent, Notification
from sso_apps.services.deletion_jobs import applications_delete_request
from sso_apps.tasks import notification_deliver as notification_deliver_task
from sso_apps.tasks import notification_sweep as notification_sweep_task
from sso_apps.tests.integration.conftest import publishing_to, wait_for
from sso_apps.tests.notifications.helpers import application_make, applications_make

pytestmark = [
    pytest.mark.redis,
    pytest.mark.worker,
    # Committed rows, so that the worker processes see them.
    pytest.mark.django_db(transaction=True),
]

CHANGELIST = reverse("admin:sso_apps_application_changelist")


def delivered(queryset, count: int) -> bool:
    return queryset.filter(status=Notification.Status.DELIVERED).count() == count


def subjects_by_recipient(worker, subject: str) -> list[str]:
    return sorted(message["To"] for message in worker.emails() if message["Subject"] == subject)


def test_deleting_apps_in_the_portal_is_confirmed_by_the_worker(
    shared_redis, worker_factory, client, administrator, second_administrator
):
    apps = [application_make(label="Integration A"), application_make(label="Integration B")]
    worker = worker_factory(shared_redis)
    client.force_login(administrator)

    with publishing_to(shared_redis):
        response = client.post(
            CHANGELIST,
            {
                "action": "delete_applications",
                "_selected_action": [app.pk for app in apps],
                "confirm": "1",
                "confirmation_count": "2",
            },
        )

    assert response.status_code == 302
    assert not Application.objects.filter(pk__in=[app.pk for app in apps]).exists()
    rows = Notification.objects.filter(kind="application.deleted")
    assert rows.count() == 2  # the acting admin and the other Administrator, once each
    wait_for(lambda: delivered(rows, 2), timeout=30, message="the worker to deliver")
    assert subjects_by_recipient(
        worker, "[Tessera] Application deleted: Integration A, Integration B"
    ) == ["root.admin@example.com", "second.admin@example.com"]
    assert all(row.in_app_delivered_at for row in rows)


def test_an_action_while_redis_is_down_succeeds_and_is_delivered_once_redis_is_back(
    private_redis, worker_factory, client, administrator, caplog
):
    application = application_make(label="Outage App", kind="bookmark")
    Application.objects.filter(pk=application.pk).update(sso_active=True)
    worker = worker_factory(private_redis.url, SSO_APPS_NOTIFICATION_SWEEP_AFTER_MINUTES=0)
    client.force_login(administrator)
    private_redis.stop()

    with publishing_to(private_redis.url), caplog.at_level(logging.ERROR, logger="sso_apps.tasks"):
        started = time.monotonic()
        response = client.post(
            reverse("admin:sso_apps_application_deactivate", args=[application.pk])
        )
        elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert elapsed < 5
    application.refresh_from_db()
    assert application.sso_active is False
    row = Notification.objects.get(kind="application.deactivated")
    assert row.status == Notification.Status.PENDING
    assert row.in_app_delivered_at is None and row.email_delivered_at is None
    assert "the sweeper will retry it" in caplog.text

    private_redis.start()
    with publishing_to(private_redis.url):
        # What beat sends every minute; the worker runs the sweep, then the delivery.
        notification_sweep_task.delay()
    wait_for(
        lambda: delivered(Notification.objects.filter(pk=row.pk), 1),
        timeout=45,
        message="the swept notification to be delivered",
    )

    # Exactly once: a second sweep and a duplicate delivery message send nothing more.
    # The worker takes messages in order, so once the sentinel is delivered they ran.
    sentinel = Notification.objects.create(
        recipient=administrator,
        kind="test.sentinel",
        title="Sentinel",
        body="-",
        channels=["email"],
    )
    with publishing_to(private_redis.url):
        notification_sweep_task.delay()
        notification_deliver_task.delay(row.pk)
        notification_deliver_task.delay(sentinel.pk)
    wait_for(lambda: delivered(Notification.objects.filter(pk=sentinel.pk), 1), timeout=30)
    assert subjects_by_recipient(worker, "[Tessera] SSO deactivated: Outage App") == [
        "root.admin@example.com"
    ]
    row.refresh_from_db()
    assert row.attempts == 2  # in-app once, email once
    assert row.failures == 0


# Scenario 5 of the multi-node and fault tests (issue 14), run with them by `-m cluster`.
@pytest.mark.cluster
def test_a_deletion_job_finishes_after_its_worker_is_killed_mid_batch(
    shared_redis, worker_factory, client, rf, settings, administrator, second_administrator
):
    settings.SSO_APPS_BULK_DELETE_THRESHOLD = 5
    selected = applications_make(30, prefix="Bulk") + [
        application_make(label=f"Bulk SAML {n}") for n in range(1, 6)
    ]
    outside = applications_make(3, prefix="Outside")
    slow_batches = {
        "SSO_APPS_DELETION_BATCH_SIZE": 5,
        "SSO_APPS_DELETION_BATCH_DELAY_SECONDS": 0.75,
    }
    first = worker_factory(shared_redis, **slow_batches)
    request = rf.post("/admin/")
    request.user = administrator
    client.force_login(administrator)

    with publishing_to(shared_redis):
        outcome = applications_delete_request(
            application_ids=[app.pk for app in selected], confirmation_count=35, request=request
        )
    assert outcome.is_queued
    progress_url = reverse(
        "admin:sso_apps_applicationdeletionjob_progress_json", args=[outcome.job.pk]
    )
    wait_for(lambda: client.get(progress_url).json()["done"] >= 10, timeout=30)
    first.kill()

    job = ApplicationDeletionJob.objects.get(pk=outcome.job.pk)
    assert job.status == ApplicationDeletionJob.Status.RUNNING
    assert 10 <= job.done < 35
    # The batch in flight when the worker died was rolled back with its connection.
    assert Application.objects.filter(pk__in=[a.pk for a in selected]).count() == 35 - job.done

    second = worker_factory(shared_redis, **slow_batches)
    wait_for(
        lambda: client.get(progress_url).json()["finished"],
        timeout=60,
        message="the job to finish on the new worker",
    )

    job.refresh_from_db()
    assert (job.status, job.total, job.done, job.deleted) == ("done", 35, 35, 35)
    assert sorted(Application.objects.values_list("pk", flat=True)) == [a.pk for a in outside]
    assert AuditEvent.objects.filter(action="application.delete").count() == 35
    summaries = Notification.objects.filter(kind="application.deletion_job.done")
    assert summaries.count() == 2  # one summary, for each of the two recipients
    wait_for(lambda: delivered(summaries, 2), timeout=30)
    assert subjects_by_recipient(second, "[Tessera] Applications deleted: 35 of 35") == [
        "root.admin@example.com",
        "second.admin@example.com",
    ]
    assert "application_deletion_job_run" in second.log()
