from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """A confirmation message to one admin, written in the same transaction as the change.

    It is the outbox: Celery delivers it after commit, and each channel is stamped
    delivered at most once, so a re-run or a re-queue never sends it twice.
    """

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("In-app")
        EMAIL = "email", _("Email")

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
    in_app_delivered_at = models.DateTimeField(null=True, blank=True)
    email_delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="sso_apps_notif_unread")]

    def __str__(self):
        return self.title

    @property
    def is_delivered(self) -> bool:
        return all(self.delivered_at(channel) for channel in self.channels)

    def delivered_at(self, channel: str):
        return getattr(self, f"{channel}_delivered_at")
