"""The notification outbox: rows written with the change, delivered after commit.

Delivery guarantees, per channel:

* in-app: delivering is one conditional UPDATE that stamps `in_app_delivered_at`, so it
  happens exactly once however often delivery runs.
* email: at-least-once. A run first *claims* the email with a conditional UPDATE
  (`email_claimed_at`), commits, sends, then stamps `email_delivered_at`. A second run
  (a redelivered task, a sweep) finds the claim and sends nothing. If the worker dies
  between sending and stamping, we cannot know whether the message left: the claim
  stays, and once it is older than SSO_APPS_NOTIFICATION_CLAIM_TIMEOUT_SECONDS the
  sweeper's next run sends the email again. We prefer that rare duplicate to a lost
  confirmation (at-most-once would never retry a claimed email). The claim timeout is
  longer than the task's hard time limit, so a send that is merely slow is never doubled.

A channel that fails is retried with exponential backoff (the task retries itself; the
sweeper is the safety net, e.g. for a publish that failed because Redis was down), and
never blocks the other channel.
"""

import contextlib
import contextvars
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import ngettext

from sso_apps.conf import app_settings
from sso_apps.models import Notification
from sso_apps.selectors.notifications import notification_recipients
from tessera.clock import now as _now

logger = logging.getLogger(__name__)

TITLES = {
    "application.deleted": "Application deleted: {labels}",
    "application.deactivated": "SSO deactivated: {labels}",
    "application.activated": "SSO activated: {labels}",
}
BODIES = {
    "application.deleted": "{actor} deleted {applications}: {labels}.",
    "application.deactivated": "{actor} deactivated SSO for {labels}. Its settings are kept.",
    "application.activated": "{actor} activated SSO for {labels}.",
}
SWEEP_LIMIT = 500


def notification_create(
    *, recipients, actor, kind: str, title: str, body: str
) -> list[Notification]:
    """Write one notification per recipient in the caller's transaction; queue delivery."""
    actor = actor if getattr(actor, "pk", None) else None
    channels = [
        channel for channel in app_settings.notification_channels if channel in Notification.Channel
    ]
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient=recipient,
                actor=actor,
                actor_email=getattr(actor, "email", "") or "",
                kind=kind,
                title=title[:300],
                body=body,
                channels=channels,
                # Nothing to deliver is delivered.
                status=Notification.Status.PENDING if channels else Notification.Status.DELIVERED,
            )
            for recipient in {user.pk: user for user in recipients}.values()
        ]
    )
    watch = _watch.get()
    for notification in notifications:
        publish = None
        if notification.status == Notification.Status.PENDING:
            publish = notification_queue(notification_id=notification.pk)
        if watch is not None:
            watch.written.append((notification, publish))
    return notifications


def notification_create_for_admins(
    *, actor, kind: str, applications, labels: list[str] | None = None
) -> list[Notification]:
    """Write one notification about these apps per recipient; queue delivery on commit."""
    labels = labels or [app.display_label for app in applications]
    values = {
        "labels": ", ".join(labels),
        "count": len(labels),
        "applications": applications_phrase(len(labels)),
        "actor": getattr(actor, "email", None) or "An administrator",
    }
    return notification_create(
        recipients=notification_recipients(actor),
        actor=actor,
        kind=kind,
        title=TITLES[kind].format(**values),
        body=BODIES[kind].format(**values),
    )


def applications_phrase(count: int) -> str:
    """Return "1 application" or "N applications" in the active language."""
    return ngettext("%(count)d application", "%(count)d applications", count) % {"count": count}


def notification_queue(*, notification_id: int):
    """Queue delivery once the surrounding transaction has committed."""
    # NOTE: imported here, not at the top: sso_apps.tasks imports this module (its tasks
    # are thin wrappers over these services), so a top-level import would be circular.
    from sso_apps.tasks import enqueue_on_commit
    from sso_apps.tasks import notification_deliver as notification_deliver_task

    return enqueue_on_commit(notification_deliver_task, notification_id)


@dataclass
class NotificationWatch:
    """The notifications written while a `notifications_watch()` block ran, and their fate.

    Lets a view state what happened ("A confirmation notification was sent.") instead of
    hedging: it knows whether anything was written and whether its delivery was queued.
    """

    written: list = field(default_factory=list)

    @property
    def recipients(self) -> int:
        return len(self.written)

    @property
    def outcome(self) -> str:
        """Return "none", "queued", "not_queued" or "uncommitted" for what was written."""
        publishes = [publish for _notification, publish in self.written if publish is not None]
        if not publishes:
            # Nothing written, or written with no channel to deliver on: nothing is sent.
            return "none"
        if any(publish.sent is False for publish in publishes):
            return "not_queued"
        if any(publish.sent is None for publish in publishes):
            return "uncommitted"
        return "queued"


_watch: contextvars.ContextVar[NotificationWatch | None] = contextvars.ContextVar(
    "notification_watch", default=None
)


@contextlib.contextmanager
def notifications_watch() -> Iterator[NotificationWatch]:
    """Collect the notifications written (and their queueing) inside the block."""
    watch = NotificationWatch()
    token = _watch.set(watch)
    try:
        yield watch
    finally:
        _watch.reset(token)


@dataclass
class DeliveryResult:
    """What one delivery run did: channels delivered, failed, and when to retry."""

    notification: Notification
    delivered: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    retry_in: int | None = None


def retry_delay(failures: int) -> int:
    """Return the backoff in seconds after this many failed runs: base * 2**(n-1), capped."""
    base = app_settings.notification_retry_base_seconds
    return min(base * 2 ** max(failures - 1, 0), app_settings.notification_retry_max_seconds)


def notification_deliver(*, notification_id: int) -> DeliveryResult | None:
    """Deliver every channel not yet delivered; return None if the row is gone.

    NOTE: deliberately not atomic. Each channel's claim and stamp commit on their own, so
    a second run sees them at once, and a failing email does not undo the in-app stamp.
    """
    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None:
        return None
    result = DeliveryResult(notification=notification)
    if notification.status != Notification.Status.PENDING:
        return result
    for channel in notification.channels:
        deliver = CHANNEL_DELIVERERS.get(channel)
        if deliver is None or notification.delivered_at(channel):
            continue
        try:
            if deliver(notification):
                result.delivered.append(channel)
        except Exception as exc:
            # Any failure of one channel (SMTP refused, timeout, soft time limit...) is
            # recorded and retried later; the other channel still gets its turn.
            logger.warning("Notification %s: %s delivery failed: %s", notification.pk, channel, exc)
            result.failed[channel] = f"{type(exc).__name__}: {exc}"[:2000]
    _record_outcome(result)
    return result


def _deliver_in_app(notification: Notification) -> bool:
    now = _now()
    stamped = Notification.objects.filter(
        pk=notification.pk, in_app_delivered_at__isnull=True
    ).update(in_app_delivered_at=now, attempts=F("attempts") + 1)
    return bool(stamped)


def _deliver_email(notification: Notification) -> bool:
    now = _now()
    expired = now - timedelta(seconds=app_settings.notification_claim_timeout_seconds)
    claimed = (
        Notification.objects.filter(pk=notification.pk, email_delivered_at__isnull=True)
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=expired))
        .update(email_claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        # Delivered already, or another run holds a live claim and is sending it now.
        return False
    try:
        send_mail(
            subject=f"[Tessera] {notification.title}",
            message=notification.body,
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
    except BaseException:
        # Nothing was sent: release the claim so the retry may send at once.
        Notification.objects.filter(
            pk=notification.pk, email_claimed_at=now, email_delivered_at__isnull=True
        ).update(email_claimed_at=None)
        raise
    Notification.objects.filter(pk=notification.pk, email_delivered_at__isnull=True).update(
        email_delivered_at=_now()
    )
    return True


CHANNEL_DELIVERERS = {
    Notification.Channel.IN_APP: _deliver_in_app,
    Notification.Channel.EMAIL: _deliver_email,
}


def _record_outcome(result: DeliveryResult) -> None:
    """Mark the row delivered, or record the failure and when to try again."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=result.notification.pk)
        result.notification = notification
        if notification.status != Notification.Status.PENDING:
            return
        if notification.is_delivered:
            notification.status = Notification.Status.DELIVERED
            notification.next_attempt_at = None
            notification.last_error = ""
            notification.save(update_fields=["status", "next_attempt_at", "last_error"])
            return
        if not result.failed:
            # Another run holds the email claim; the sweeper comes back after it expires.
            return
        notification.failures += 1
        notification.last_error = "; ".join(
            f"{channel}: {error}" for channel, error in result.failed.items()
        )
        if notification.failures >= app_settings.notification_max_failures:
            notification.status = Notification.Status.FAILED
            notification.next_attempt_at = None
            logger.error(
                "Notification %s: giving up after %s failed deliveries: %s",
                notification.pk,
                notification.failures,
                notification.last_error,
            )
        else:
            result.retry_in = retry_delay(notification.failures)
            notification.next_attempt_at = _now() + timedelta(seconds=result.retry_in)
        notification.save(update_fields=["failures", "last_error", "status", "next_attempt_at"])


def notifications_due_ids(*, limit: int = SWEEP_LIMIT) -> list[int]:
    """Return pending notifications old enough to re-queue, and lease them to this sweep.

    A notification is due once it is SSO_APPS_NOTIFICATION_SWEEP_AFTER_MINUTES old and its
    backoff has passed. Leasing pushes `next_attempt_at` on by the sweep interval, so the
    next sweeps leave it alone while the re-queued task waits in a busy queue.
    """
    now = _now()
    sweep_after = timedelta(minutes=app_settings.notification_sweep_after_minutes)
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Notification.Status.PENDING, created_at__lte=now - sweep_after)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Notification.objects.filter(pk__in=ids).update(
                next_attempt_at=now + max(sweep_after, timedelta(minutes=1))
            )
    return ids


def notification_mark_read(*, user, notification_ids=None) -> int:
    """Mark the user's notifications (all, or the given ones) read; return how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=_now())
