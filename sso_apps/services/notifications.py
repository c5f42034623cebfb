"""The notification outbox: rows written with the change, delivered after commit."""

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.roles import ADMINISTRATOR
from sso_apps.conf import app_settings
from sso_apps.models import Notification

TITLES = {
    "application.deleted": "Application deleted: {labels}",
    "application.deactivated": "SSO deactivated: {labels}",
    "application.activated": "SSO activated: {labels}",
}
BODIES = {
    "application.deleted": "{actor} deleted {count} application(s): {labels}.",
    "application.deactivated": "{actor} deactivated SSO for {labels}. Its settings are kept.",
    "application.activated": "{actor} activated SSO for {labels}.",
}


def notification_recipients(actor):
    """Return the acting admin plus, if configured, every active Administrator."""
    User = get_user_model()
    recipients = User.objects.none()
    if app_settings.notify_all_administrators:
        recipients = User.objects.filter(
            groups__name=ADMINISTRATOR, is_staff=True, state=User.State.ACTIVE
        )
    if actor is not None and getattr(actor, "pk", None):
        recipients = recipients | User.objects.filter(pk=actor.pk)
    return recipients.distinct()


def notification_create_for_admins(
    *, actor, kind: str, applications, labels: list[str] | None = None
) -> list[Notification]:
    """Write one notification per recipient in the caller's transaction; queue delivery."""
    labels = labels or [app.display_label for app in applications]
    values = {
        "labels": ", ".join(labels),
        "count": len(labels),
        "actor": getattr(actor, "email", None) or "An administrator",
    }
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient=recipient,
                actor=actor if getattr(actor, "pk", None) else None,
                actor_email=getattr(actor, "email", "") or "",
                kind=kind,
                title=TITLES[kind].format(**values)[:300],
                body=BODIES[kind].format(**values),
                channels=app_settings.notification_channels,
            )
            for recipient in notification_recipients(actor)
        ]
    )
    for notification in notifications:
        notification_queue(notification_id=notification.pk)
    return notifications


def notification_queue(*, notification_id: int) -> None:
    """Queue delivery once the surrounding transaction has committed."""
    from sso_apps.tasks import notification_deliver as notification_deliver_task

    transaction.on_commit(lambda: notification_deliver_task.delay(notification_id))


def notification_deliver(*, notification_id: int) -> Notification | None:
    """Deliver every channel not yet delivered; return None if the row is gone.

    The row lock makes concurrent runs take turns, and the stamps make the second a no-op.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None:
            return None
        notification.attempts += 1
        changed = ["attempts"]
        if (
            Notification.Channel.IN_APP in notification.channels
            and not notification.in_app_delivered_at
        ):
            notification.in_app_delivered_at = timezone.now()
            changed.append("in_app_delivered_at")
        if (
            Notification.Channel.EMAIL in notification.channels
            and not notification.email_delivered_at
        ):
            send_mail(
                subject=f"[Tessera] {notification.title}",
                message=notification.body,
                from_email=None,
                recipient_list=[notification.recipient.email],
            )
            notification.email_delivered_at = timezone.now()
            changed.append("email_delivered_at")
        notification.last_error = ""
        notification.save(update_fields=[*changed, "last_error"])
        return notification


def notification_mark_read(*, user, notification_ids=None) -> int:
    """Mark the user's notifications (all, or the given ones) read; return how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
