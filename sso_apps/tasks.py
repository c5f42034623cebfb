"""Celery tasks of sso_apps: thin wrappers that take ids and call a service."""

from celery import shared_task

from sso_apps.services import notifications


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
    soft_time_limit=30,
    time_limit=60,
)
def notification_deliver(self, notification_id: int) -> bool:
    """Deliver a notification's channels; safe to run twice, quiet if it is gone."""
    return notifications.notification_deliver(notification_id=notification_id) is not None
