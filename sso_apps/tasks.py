"""Celery tasks of sso_apps: thin wrappers that take ids and call a service.

Every task here is idempotent, so all of them acknowledge late and are handed back to
the broker when their worker dies (acks_late + reject_on_worker_lost): running one
twice sends nothing twice and deletes nothing outside its selection.
"""

import logging
from dataclasses import dataclass

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError, transaction

from sso_apps.idp.messages import seen_requests_purge
from sso_apps.services import certificate_expiry, deletion_jobs, notifications, sp_metadata_urls
from sso_apps.services.logout_chains import logout_chains_purge
from sso_apps.services.sp_sessions import sp_session_records_purge

logger = logging.getLogger(__name__)

# A deletion job run stops taking new batches after this long and continues in a fresh
# task, well inside its soft time limit; every finished batch is already committed.
DELETION_RUN_BUDGET_SECONDS = 45
DELETION_MAX_RETRIES = 5


@dataclass
class Publish:
    """Whether a task handed to enqueue_on_commit reached the broker.

    `sent` is None until the transaction commits (or if it rolls back), then True once
    the broker took the message and False when publishing failed.
    """

    task_name: str
    sent: bool | None = None


def enqueue_on_commit(task, *args) -> Publish:
    """Send `task(*args)` to the broker once the current transaction commits.

    NOTE: a failed publish (Redis down) is logged, never raised. The change it follows
    has committed and the admin must see it succeed; the row it concerns stays pending
    and the beat sweepers queue it again once the broker is back. The returned Publish
    lets the caller say which happened.
    """
    publish = Publish(task_name=task.name)

    def send():
        try:
            task.delay(*args)
        except Exception:
            publish.sent = False
            logger.exception("Could not queue %s%r; the sweeper will retry it.", task.name, args)
        else:
            publish.sent = True

    transaction.on_commit(send)
    return publish


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # the service gives up after SSO_APPS_NOTIFICATION_MAX_FAILURES
    soft_time_limit=30,
    time_limit=60,
)
def notification_deliver(self, notification_id: int) -> bool:
    """Deliver a notification's channels; retry a failed channel with backoff."""
    result = notifications.notification_deliver(notification_id=notification_id)
    if result is None:
        return False
    if result.retry_in is not None and not self.request.is_eager:
        # NOTE: in eager mode (no Redis) a retry would block the admin's request for the
        # whole backoff; the row keeps next_attempt_at and the sweeper retries it.
        raise self.retry(countdown=result.retry_in)
    return not result.failed


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=50, time_limit=60)
def notification_sweep() -> int:
    """Re-queue notifications still undelivered after the sweep delay; return how many."""
    ids = notifications.notifications_due_ids()
    for notification_id in ids:
        enqueue_on_commit(notification_deliver, notification_id)
    if ids:
        logger.info("Re-queued %d undelivered notification(s).", len(ids))
    return len(ids)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=DELETION_MAX_RETRIES,
    soft_time_limit=DELETION_RUN_BUDGET_SECONDS + 45,
    time_limit=DELETION_RUN_BUDGET_SECONDS + 75,
)
def application_deletion_job_run(self, job_id: int) -> str | None:
    """Delete the job's next batches; continue in a new task until it is done."""
    # Eager mode runs inside the admin's request: no point splitting it into messages.
    budget = None if self.request.is_eager else DELETION_RUN_BUDGET_SECONDS
    try:
        job = deletion_jobs.application_deletion_job_run(job_id=job_id, budget_seconds=budget)
    except SoftTimeLimitExceeded:
        # The batch in flight was rolled back; the committed ones stay. Go on afresh.
        logger.warning("Deletion job %s hit its soft time limit; continuing.", job_id)
        enqueue_on_commit(application_deletion_job_run, job_id)
        return None
    except (OperationalError, InterfaceError) as exc:
        if self.request.retries >= DELETION_MAX_RETRIES:
            deletion_jobs.application_deletion_job_fail(job_id=job_id, error=str(exc))
            return None
        raise self.retry(exc=exc, countdown=min(2 ** (self.request.retries + 2), 120)) from exc
    except Exception as exc:
        logger.exception("Deletion job %s failed.", job_id)
        deletion_jobs.application_deletion_job_fail(
            job_id=job_id, error=f"{type(exc).__name__}: {exc}"
        )
        return None
    if job is None:
        return None
    if not job.is_finished:
        enqueue_on_commit(application_deletion_job_run, job_id)
    return job.status


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=50, time_limit=60)
def application_deletion_job_sweep() -> int:
    """Re-queue unfinished deletion jobs that stopped making progress; return how many."""
    ids = deletion_jobs.application_deletion_jobs_stalled_ids()
    for job_id in ids:
        enqueue_on_commit(application_deletion_job_run, job_id)
    if ids:
        logger.info("Resumed %d stalled deletion job(s).", len(ids))
    return len(ids)


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=240, time_limit=300)
def certificate_expiry_warn() -> int:
    """Warn Administrators of IdP certificates reaching an expiry threshold."""
    return len(certificate_expiry.certificate_expiry_warn())


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=50, time_limit=60)
def saml_seen_requests_purge() -> int:
    """Forget expired SAML request IDs (replay protection only needs the clock window)."""
    return seen_requests_purge()


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=50, time_limit=60)
def saml_logout_records_purge() -> int:
    """Forget expired issued LogoutRequests, logout chains and SP sessions past any lifetime."""
    return sp_session_records_purge() + logout_chains_purge()


# Fetch limits (SSO_APPS_METADATA_TOTAL_SECONDS, 30 s by default) stay well inside these.
@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=90, time_limit=120)
def sp_metadata_refresh(application_id: int) -> bool | None:
    """Fetch one app's SP metadata URL again and apply what changed; False if it failed."""
    # NOTE: no retry here: a failure is recorded on the row and shown on the SSO tab,
    # the last good values stay in use, and tomorrow's run (or the admin) tries again.
    result = sp_metadata_urls.sp_metadata_refresh(application_id=application_id)
    return None if result is None else result.ok


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=50, time_limit=60)
def sp_metadata_refresh_all() -> int:
    """Queue a refresh of every SP metadata URL, one task per application; return how many."""
    ids = sp_metadata_urls.sp_metadata_url_ids()
    with transaction.atomic():
        for application_id in ids:
            enqueue_on_commit(sp_metadata_refresh, application_id)
    return len(ids)
