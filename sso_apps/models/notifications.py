from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def inbox(self, *, user):
        """Return the user's in-app notifications: their own, delivered to the app."""
        return self.filter(recipient=user, in_app_delivered_at__isnull=False)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A confirmation message to one admin, written in the same transaction as the change.

    It is the outbox: Celery delivers it after commit, and each channel is stamped
    delivered at most once, so a re-run or a re-queue never sends it twice.
    """

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("In-app")
        EMAIL = "email", _("Email")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed (gave up)")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_email = models.CharField(_("actor"), max_length=254, blank=True)
    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"))
    channels = models.JSONField(_("channels"), default=list)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    status = models.CharField(
        _("delivery status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
        help_text=_("Pending until every channel is delivered."),
    )
    in_app_delivered_at = models.DateTimeField(_("in-app delivered"), null=True, blank=True)
    email_delivered_at = models.DateTimeField(_("email delivered"), null=True, blank=True)
    # Set by the run about to send the email; see notification_deliver for the crash window.
    email_claimed_at = models.DateTimeField(_("email claimed"), null=True, blank=True)
    attempts = models.PositiveIntegerField(
        _("attempts"), default=0, help_text=_("Channel deliveries tried, successful or not.")
    )
    failures = models.PositiveIntegerField(
        _("failures"), default=0, help_text=_("Delivery runs in which a channel failed.")
    )
    next_attempt_at = models.DateTimeField(
        _("next attempt"),
        null=True,
        blank=True,
        help_text=_("The sweeper leaves the notification alone until then (retry backoff)."),
    )
    last_error = models.TextField(_("last error"), blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="sso_apps_notif_unread"),
            # The sweeper's scan: only the (few) undelivered rows are in this index.
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="pending"),
                name="sso_apps_notif_pending",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "delivered", "failed"]),
                name="sso_apps_notification_status_valid",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_delivered(self) -> bool:
        return all(self.delivered_at(channel) for channel in self.channels)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def delivered_at(self, channel: str):
        return getattr(self, f"{channel}_delivered_at")
