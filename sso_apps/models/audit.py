import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

REFERENCE_PREFIX = "E-"
# Up to 18 digits: any id a bigint holds, never a number PostgreSQL would refuse.
REFERENCE_PATTERN = re.compile(r"(?:[Ee]-?)?([0-9]{1,18})")


class AuditEvent(models.Model):
    """Who did what to which target, when and from where, and how it turned out."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Success")
        DENIED = "denied", _("Denied")
        FAILURE = "failure", _("Failure")

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # Kept as text so the trail survives deletion of the user or the application.
    # No index on the texts: the audit list searches them with icontains, which no b-tree
    # serves, and every SSO inserts a row, so each index is a write on the hot path.
    actor_email = models.CharField(_("actor email"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=64)
    outcome = models.CharField(
        _("outcome"), max_length=8, choices=Outcome.choices, default=Outcome.SUCCESS
    )
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=300, blank=True)
    application = models.ForeignKey(
        "sso_apps.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    sp_entity_id = models.CharField(_("SP entity"), max_length=500, blank=True)
    binding = models.CharField(_("binding"), max_length=16, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-pk"]
        # The list's two filters, newest first. NOTE: Meta.indexes, not db_index=True, which
        # on PostgreSQL adds a second (varchar_pattern_ops) index to every CharField that
        # only LIKE 'prefix%' would use.
        indexes = [
            models.Index(fields=["action", "created_at"], name="sso_apps_audit_action_time"),
            models.Index(fields=["outcome", "created_at"], name="sso_apps_audit_outcome_time"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_email or '-'} {self.action}"

    @property
    def reference(self) -> str:
        """Return the id shown on error pages, which the audit list's search finds."""
        return f"{REFERENCE_PREFIX}{self.pk}"

    @classmethod
    def pk_from_reference(cls, text: str) -> int | None:
        """Return the event id a reference ("E-123", "e123" or "123") names, else None."""
        match = REFERENCE_PATTERN.fullmatch(text.strip())
        return int(match.group(1)) if match else None
