from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from djangosaml2idp.models import ServiceProvider

from sso_apps.models import (
    Application,
    ApplicationDeletionJob,
    AuditEvent,
    IdpKeyPair,
    Notification,
)
from sso_apps.services import deletion_jobs as service
from sso_apps.services.applications import application_groups_set
from sso_apps.services.saml_configs import SamlConfigInput, saml_config_update
from sso_apps.tasks import application_deletion_job_run as job_run_task
from sso_apps.tasks import application_deletion_job_sweep as job_sweep_task
from sso_apps.tests.notifications.helpers import application_make, applications_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_jobs(settings):
    """A threshold of 3 apps and batches of 2, so a handful of apps makes a job."""
    settings.SSO_APPS_BULK_DELETE_THRESHOLD = 3
    settings.SSO_APPS_DELETION_BATCH_SIZE = 2
    return settings


def summaries(kind="application.deletion_job.done"):
    return Notification.objects.filter(kind=kind)


def test_a_selection_at_the_threshold_is_deleted_inline(
    small_jobs, administrator, admin_request, django_capture_on_commit_callbacks
):
    apps = applications_make(3)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = service.applications_delete_request(
            application_ids=[app.pk for app in apps], confirmation_count=3, request=admin_request
        )

    assert outcome.is_queued is False
    assert outcome.count == 3
    assert not Application.objects.exists()
    assert not ApplicationDeletionJob.objects.exists()
    assert Notification.objects.filter(kind="application.deleted").count() == 1


@pytest.mark.parametrize(("count", "queued"), [(3, False), (4, True)])
def test_the_threshold_decides_between_inline_and_job(
    small_jobs, admin_request, django_capture_on_commit_callbacks, count, queued
):
    apps = applications_make(count)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = service.applications_delete_request(
            application_ids=[str(app.pk) for app in apps],
            confirmation_count=count,
            request=admin_request,
        )

    assert outcome.is_queued is queued
    assert ApplicationDeletionJob.objects.exists() is queued
    assert not Application.objects.exists()


def test_a_large_selection_runs_as_a_job_in_batches_with_one_summary(
    small_jobs,
    administrator,
    second_administrator,
    group_factory,
    admin_request,
    django_capture_on_commit_callbacks,
):
    saml_apps = [application_make(label=f"SAML {n}") for n in range(1, 3)]
    saml_config_update(
        application=saml_apps[0], changes=SamlConfigInput(sp_entity_id="https://sp.one.example/")
    )
    group = group_factory(name="Engineering")
    application_groups_set(application=saml_apps[1], groups=[group])
    bookmarks = applications_make(3, prefix="Bookmark")
    kept = application_make(label="Kept", kind="bookmark")
    selection = [app.pk for app in [*saml_apps, *bookmarks]]
    assert ServiceProvider.objects.count() == 1

    spy = mock.patch.object(
        service, "_applications_delete_batch", wraps=service._applications_delete_batch
    )
    # The spy must outlive the on-commit callbacks, which run when their block exits.
    with spy as batch, django_capture_on_commit_callbacks(execute=True):
        outcome = service.applications_delete_request(
            application_ids=selection, confirmation_count=5, request=admin_request
        )

    job = outcome.job
    job.refresh_from_db()
    assert [len(call.kwargs["application_ids"]) for call in batch.call_args_list] == [2, 2, 1]
    assert (job.status, job.total, job.done, job.deleted) == ("done", 5, 5, 5)
    assert job.summary_notified is True
    assert job.started_at and job.finished_at
    assert job.application_ids == sorted(selection)
    assert list(Application.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not IdpKeyPair.objects.exists()
    assert not Application.authorized_groups.through.objects.exists()
    assert not ServiceProvider.objects.exists()
    deleted_events = AuditEvent.objects.filter(action="application.delete")
    assert sorted(int(pk) for pk in deleted_events.values_list("target_id", flat=True)) == sorted(
        selection
    )
    assert all(event.details["job"] == job.pk for event in deleted_events)
    assert {event.actor_email for event in deleted_events} == {"root.admin@example.com"}
    assert {str(event.ip_address) for event in deleted_events} == {"203.0.113.9"}
    assert AuditEvent.objects.filter(action="application.delete_job").count() == 1
    # One summary per recipient, none per batch, nothing from the inline path.
    assert sorted(summaries().values_list("recipient__email", flat=True)) == [
        "root.admin@example.com",
        "second.admin@example.com",
    ]
    assert not Notification.objects.filter(kind="application.deleted").exists()
    summary = summaries().first()
    assert summary.title == "Applications deleted: 5 of 5"
    assert "SAML 1, SAML 2, Bookmark 1" in summary.body
    assert len(mail.outbox) == 2


def test_the_typed_count_must_match_the_selection_exactly(small_jobs, admin_request):
    apps = applications_make(5)

    with pytest.raises(ValidationError, match="enter 5 to delete them"):
        service.applications_delete_request(
            application_ids=[app.pk for app in apps], confirmation_count=4, request=admin_request
        )
    with pytest.raises(ValidationError, match="enter 2 to delete them"):
        service.applications_delete_request(
            application_ids=[app.pk for app in apps[:2]],
            confirmation_count=5,
            request=admin_request,
        )

    assert Application.objects.count() == 5
    assert not ApplicationDeletionJob.objects.exists()


def test_ids_that_do_not_exist_are_not_part_of_the_selection(small_jobs, admin_request):
    apps = applications_make(4)

    outcome = service.applications_delete_request(
        application_ids=[app.pk for app in apps] + [999_999],
        confirmation_count=4,
        request=admin_request,
    )

    assert outcome.job.application_ids == [app.pk for app in apps]
    assert outcome.job.total == 4


def test_progress_is_recorded_batch_by_batch(small_jobs, admin_request):
    apps = applications_make(5)
    # Not executing on-commit callbacks: the job waits for its task, as with a real broker.
    job = service.application_deletion_job_create(
        application_ids=[app.pk for app in apps], confirmation_count=5, request=admin_request
    )
    assert (job.status, job.done) == ("pending", 0)

    progress = []
    for _ in range(3):
        job = service.application_deletion_job_run(job_id=job.pk, budget_seconds=0)
        progress.append((job.status, job.done, Application.objects.count()))

    assert progress == [("running", 2, 3), ("running", 4, 1), ("done", 5, 0)]


def test_a_job_resumes_after_a_crash_mid_batch_and_sends_one_summary(small_jobs, admin_request):
    apps = applications_make(6)
    job = service.application_deletion_job_create(
        application_ids=[app.pk for app in apps], confirmation_count=6, request=admin_request
    )
    real_delete = service.service_providers_delete
    calls = {"n": 0}

    def crash_on_second_batch(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("worker killed")  # not an Exception: nothing catches it
        return real_delete(**kwargs)

    with (
        mock.patch.object(service, "service_providers_delete", side_effect=crash_on_second_batch),
        pytest.raises(SystemExit),
    ):
        service.application_deletion_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.done, job.deleted) == ("running", 2, 2)
    assert Application.objects.count() == 4  # the second batch rolled back

    job = service.application_deletion_job_run(job_id=job.pk)
    again = service.application_deletion_job_run(job_id=job.pk)

    assert (job.status, job.done, job.deleted) == ("done", 6, 6)
    assert again.done == 6
    assert not Application.objects.exists()
    assert summaries().count() == 1
    assert AuditEvent.objects.filter(action="application.delete").count() == 6


def test_a_job_never_deletes_outside_its_selection(small_jobs, admin_request):
    selected = applications_make(5, prefix="Selected")
    job = service.application_deletion_job_create(
        application_ids=[app.pk for app in selected], confirmation_count=5, request=admin_request
    )
    # After the confirmation: one selected app is deleted by hand, new apps appear.
    selected[2].delete()
    newcomers = applications_make(3, prefix="New")

    job = service.application_deletion_job_run(job_id=job.pk)

    assert (job.done, job.deleted) == (5, 4)
    assert sorted(Application.objects.values_list("pk", flat=True)) == [a.pk for a in newcomers]
    # "1 was", not "1 were": the summary uses plural forms (issue 11).
    body = summaries().get().body
    assert "deleted 4 applications:" in body
    assert "1 was already gone." in body


def test_a_failing_job_is_marked_failed_with_one_failure_summary(
    small_jobs, administrator, admin_request, django_capture_on_commit_callbacks
):
    apps = applications_make(5)
    job = service.application_deletion_job_create(
        application_ids=[app.pk for app in apps], confirmation_count=5, request=admin_request
    )
    broken = mock.patch.object(
        service, "service_providers_delete", side_effect=ValueError("broken row")
    )

    with broken, django_capture_on_commit_callbacks(execute=True):
        job_run_task.delay(job.pk)
        job_run_task.delay(job.pk)

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == "ValueError: broken row"
    assert Application.objects.count() == 5
    failed = summaries("application.deletion_job.failed")
    assert failed.count() == 1
    assert "stopped after 0" in failed.get().body
    assert not summaries().exists()


def test_the_task_of_a_missing_job_returns_quietly():
    assert job_run_task.delay(123_456).get() is None


def test_the_sweeper_resumes_only_stalled_unfinished_jobs(
    small_jobs, admin_request, django_capture_on_commit_callbacks
):
    def job_for(apps):
        return service.application_deletion_job_create(
            application_ids=[app.pk for app in apps],
            confirmation_count=len(apps),
            request=admin_request,
        )

    stalled = job_for(applications_make(4, prefix="Stalled"))
    fresh = job_for(applications_make(4, prefix="Fresh"))
    finished = job_for(applications_make(4, prefix="Finished"))
    service.application_deletion_job_run(job_id=finished.pk)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    ApplicationDeletionJob.objects.filter(pk__in=[stalled.pk, finished.pk]).update(
        updated_at=an_hour_ago
    )

    assert service.application_deletion_jobs_stalled_ids() == [stalled.pk]
    assert service.application_deletion_jobs_stalled_ids() == []  # leased to that sweep

    ApplicationDeletionJob.objects.filter(pk=stalled.pk).update(updated_at=an_hour_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert job_sweep_task.delay().get() == 1

    stalled.refresh_from_db()
    fresh.refresh_from_db()
    assert stalled.status == "done"
    assert fresh.status == "pending"


def test_the_progress_page_and_its_json_show_done_of_total(small_jobs, admin_client, admin_request):
    apps = applications_make(5)
    job = service.application_deletion_job_create(
        application_ids=[app.pk for app in apps], confirmation_count=5, request=admin_request
    )
    service.application_deletion_job_run(job_id=job.pk, budget_seconds=0)
    page_url = reverse("admin:sso_apps_applicationdeletionjob_progress", args=[job.pk])
    json_url = reverse("admin:sso_apps_applicationdeletionjob_progress_json", args=[job.pk])

    page = admin_client.get(page_url)
    data = admin_client.get(json_url).json()

    assert job.get_absolute_url() == page_url
    assert page.status_code == 200
    assert b'<progress id="job-progress" max="5" value="2"' in page.content
    assert json_url.encode() in page.content
    assert data == {
        "id": job.pk,
        "status": "running",
        "status_label": "Running",
        "total": 5,
        "done": 2,
        "deleted": 2,
        "percent": 40,
        "finished": False,
        "error": "",
    }
    change = admin_client.get(
        reverse("admin:sso_apps_applicationdeletionjob_change", args=[job.pk])
    )
    assert change.status_code == 302 and change.url == page_url
    listing = admin_client.get(reverse("admin:sso_apps_applicationdeletionjob_changelist"))
    assert listing.status_code == 200 and b"2 / 5" in listing.content


def test_the_progress_json_needs_a_signed_in_admin(client, small_jobs, admin_request):
    apps = applications_make(4)
    job = service.application_deletion_job_create(
        application_ids=[app.pk for app in apps], confirmation_count=4, request=admin_request
    )

    response = client.get(
        reverse("admin:sso_apps_applicationdeletionjob_progress_json", args=[job.pk])
    )

    assert response.status_code == 302
    assert "login" in response.url
