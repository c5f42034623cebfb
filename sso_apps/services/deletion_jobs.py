"""Delete many applications: inline up to a threshold, otherwise as a background job.

A job stores its selection (application ids, ascending) and processes it in order, one
batch per transaction. `done` says how far it got, so a run that starts after a worker
died resumes at the first batch that did not commit. A batch deletes only ids taken
from the stored selection, so nothing outside it is ever touched. The last batch's
transaction also writes the one summary notification and sets `summary_notified`.
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import ngettext

from sso_apps.conf import app_settings
from sso_apps.models import Application, ApplicationDeletionJob, AuditEvent
from sso_apps.selectors.notifications import notification_recipients
from sso_apps.services.applications import applications_delete
from sso_apps.services.audit import audit_record, client_ip
from sso_apps.services.notifications import applications_phrase, notification_create
from sso_apps.services.service_providers import service_providers_delete
from tessera.clock import now as _now
from tessera.deletion import queryset_delete_set_based

LABELS_IN_SUMMARY = 10


@dataclass(frozen=True)
class DeletionRequestOutcome:
    """The result of a confirmed deletion: deleted inline (`job` None) or queued as a job."""

    count: int
    job: ApplicationDeletionJob | None = None

    @property
    def is_queued(self) -> bool:
        return self.job is not None


def _selection_mismatch(count: int) -> ValidationError:
    return ValidationError(
        ngettext(
            "You selected %(count)d application; enter %(count)d to delete it.",
            "You selected %(count)d applications; enter %(count)d to delete them.",
            count,
        )
        % {"count": count}
    )


def applications_delete_request(
    *, application_ids: Iterable[int | str], confirmation_count: int | None, request=None
) -> DeletionRequestOutcome:
    """Delete the selected apps if the typed count matches; in a job above the threshold.

    Up to SSO_APPS_BULK_DELETE_THRESHOLD apps are deleted at once by applications_delete.
    More are recorded as an ApplicationDeletionJob in this transaction, and its task is
    queued when it commits; the admin follows it on job.get_absolute_url().
    """
    ids = sorted({int(pk) for pk in application_ids})
    count = Application.objects.filter(pk__in=ids).count()
    if count <= app_settings.bulk_delete_threshold:
        deleted = applications_delete(
            applications=Application.objects.filter(pk__in=ids),
            confirmation_count=confirmation_count,
            request=request,
        )
        return DeletionRequestOutcome(count=deleted)
    job = application_deletion_job_create(
        application_ids=ids, confirmation_count=confirmation_count, request=request
    )
    return DeletionRequestOutcome(count=job.total, job=job)


@transaction.atomic
def application_deletion_job_create(
    *, application_ids: Iterable[int], confirmation_count: int | None, request=None
) -> ApplicationDeletionJob:
    """Record a deletion job for the existing apps among these ids; queue it on commit."""
    selected = list(
        Application.objects.filter(pk__in=list(application_ids))
        .order_by("pk")
        .values_list("pk", "display_label")
    )
    if confirmation_count != len(selected):
        raise _selection_mismatch(len(selected))
    actor = getattr(request, "user", None)
    actor = actor if getattr(actor, "pk", None) else None
    job = ApplicationDeletionJob(
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        ip_address=client_ip(request),
        application_ids=[pk for pk, _label in selected],
        labels_preview=[label for _pk, label in selected[:LABELS_IN_SUMMARY]],
        total=len(selected),
    )
    job.full_clean()
    job.save()
    audit_record(
        action="application.delete_job",
        request=request,
        target=job,
        details={"job": job.pk, "count": job.total},
    )
    # NOTE: imported here, not at the top: sso_apps.tasks imports this module (its tasks
    # are thin wrappers over these services), so a top-level import would be circular.
    from sso_apps.tasks import application_deletion_job_run as application_deletion_job_run_task
    from sso_apps.tasks import enqueue_on_commit

    enqueue_on_commit(application_deletion_job_run_task, job.pk)
    return job


def application_deletion_job_run(
    *, job_id: int, budget_seconds: float | None = None
) -> ApplicationDeletionJob | None:
    """Process batches until the job is finished or the time budget is spent.

    Return the job (check `is_finished`), or None if it no longer exists.
    """
    deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
    while True:
        job = _batch_process(job_id=job_id)
        if job is None or job.is_finished:
            return job
        if deadline is not None and time.monotonic() >= deadline:
            return job


@transaction.atomic
def _batch_process(*, job_id: int) -> ApplicationDeletionJob | None:
    # The row lock makes concurrent runs of one job (a redelivered message next to a
    # re-queued one) take turns; each reads `done` afresh, so no batch is done twice.
    job = ApplicationDeletionJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.is_finished:
        return job
    if job.status == ApplicationDeletionJob.Status.PENDING:
        job.status = ApplicationDeletionJob.Status.RUNNING
        job.started_at = _now()
    batch_ids = job.application_ids[job.done : job.done + app_settings.deletion_batch_size]
    job.deleted += _applications_delete_batch(job=job, application_ids=batch_ids)
    job.done += len(batch_ids)
    delay = app_settings.deletion_batch_delay_seconds
    if delay:
        # Test-only (SSO_APPS_DELETION_BATCH_DELAY_SECONDS): a slow batch, still open, so
        # a test can kill the worker in the middle of one.
        time.sleep(delay)
    if job.done >= job.total:
        _job_finish(job, status=ApplicationDeletionJob.Status.DONE)
    job.save()
    return job


def _applications_delete_batch(*, job: ApplicationDeletionJob, application_ids: list[int]) -> int:
    """Delete these apps (those still there) with their key pairs and group links."""
    rows = list(
        Application.objects.select_for_update()
        .filter(pk__in=application_ids)
        .values_list("pk", "display_label", "idp_suffix")
    )
    if not rows:
        return 0
    pks = [pk for pk, _label, _suffix in rows]
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                action="application.delete",
                actor_id=job.actor_id,
                actor_email=job.actor_email,
                target_type=Application._meta.label,
                target_id=str(pk),
                target_label=label,
                ip_address=job.ip_address,
                details={"suffix": suffix, "job": job.pk},
            )
            for pk, label, suffix in rows
        ]
    )
    # The SP rows first: they are found through the SAML configs deleted below.
    service_providers_delete(application_ids=pks)
    # Key pairs (the private keys with them), group links, SAML configs and the rest go
    # with one DELETE per table; the collector would load and delete them 100 at a time.
    return queryset_delete_set_based(Application.objects.filter(pk__in=pks))


def _job_finish(job: ApplicationDeletionJob, *, status: str) -> None:
    """Close the job and write its one summary notification (same transaction as the flag)."""
    job.status = status
    job.finished_at = _now()
    if job.summary_notified:
        return
    job.summary_notified = True
    actor_name = job.actor_email or "An administrator"
    labels = ", ".join(job.labels_preview)
    more = job.total - len(job.labels_preview)
    if more > 0:
        labels += f" and {more} more"
    if status == ApplicationDeletionJob.Status.DONE:
        kind = "application.deletion_job.done"
        title = f"Applications deleted: {job.deleted} of {job.total}"
        body = f"{actor_name} deleted {applications_phrase(job.deleted)}: {labels}."
        if job.deleted < job.total:
            gone = job.total - job.deleted
            body += " " + ngettext(
                "%(count)d was already gone.", "%(count)d were already gone.", gone
            ) % {"count": gone}
    else:
        kind = "application.deletion_job.failed"
        title = f"Bulk deletion stopped: {job.deleted} of {job.total} deleted"
        body = (
            f"The deletion of {applications_phrase(job.total)} requested by {actor_name} stopped "
            f"after {job.deleted}: {job.error}. The remaining applications were kept."
        )
    notification_create(
        recipients=notification_recipients(job.actor),
        actor=job.actor,
        kind=kind,
        title=title,
        body=body,
    )


@transaction.atomic
def application_deletion_job_fail(*, job_id: int, error: str) -> ApplicationDeletionJob | None:
    """Mark an unfinished job failed and send its summary; None if the job is gone."""
    job = ApplicationDeletionJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.is_finished:
        return job
    job.error = error[:2000]
    _job_finish(job, status=ApplicationDeletionJob.Status.FAILED)
    job.save()
    return job


def application_deletion_jobs_stalled_ids() -> list[int]:
    """Return unfinished jobs without progress for a while, leasing them to this sweep."""
    now = _now()
    stale_after = timedelta(minutes=app_settings.deletion_stale_after_minutes)
    with transaction.atomic():
        ids = list(
            ApplicationDeletionJob.objects.select_for_update(skip_locked=True)
            .filter(
                status__in=[
                    ApplicationDeletionJob.Status.PENDING,
                    ApplicationDeletionJob.Status.RUNNING,
                ],
                updated_at__lte=now - stale_after,
            )
            .values_list("pk", flat=True)
        )
        # Touch updated_at (auto_now cannot be set by update()) so the next sweeps wait.
        ApplicationDeletionJob.objects.filter(pk__in=ids).update(updated_at=now)
    return ids
