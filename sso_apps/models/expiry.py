from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from sso_apps.models.certificates import IdpKeyPair


class ExpiryThreshold(models.TextChoices):
    """How long before a certificate expires Administrators are warned, loosest first."""

    DAYS_60 = "60d", _("60 days")
    DAYS_30 = "30d", _("30 days")
    DAYS_7 = "7d", _("7 days")
    HOURS_24 = "24h", _("24 hours")


THRESHOLD_WINDOWS = {
    ExpiryThreshold.DAYS_60: timedelta(days=60),
    ExpiryThreshold.DAYS_30: timedelta(days=30),
    ExpiryThreshold.DAYS_7: timedelta(days=7),
    ExpiryThreshold.HOURS_24: timedelta(hours=24),
}


class CertificateExpiryWarning(models.Model):
    """One expiry threshold reached by one IdP certificate; each is recorded only once.

    A threshold is recorded with `notified` false when a tighter one was reached at the
    same time (a certificate uploaded 5 days before it expires is warned about once, as
    "7 days", not also as "60 days" and "30 days").
    """

    key_pair = models.ForeignKey(
        IdpKeyPair,
        on_delete=models.CASCADE,
        related_name="expiry_warnings",
        verbose_name=_("certificate"),
    )
    threshold = models.CharField(_("threshold"), max_length=4, choices=ExpiryThreshold.choices)
    not_after = models.DateTimeField(_("certificate valid until"))
    notified = models.BooleanField(_("notification sent"), default=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("certificate expiry warning")
        verbose_name_plural = _("certificate expiry warnings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key_pair", "threshold"], name="sso_apps_expiry_warning_once"
            ),
            models.CheckConstraint(
                condition=models.Q(threshold__in=["60d", "30d", "7d", "24h"]),
                name="sso_apps_expiry_warning_threshold_valid",
            ),
        ]

    def __str__(self):
        return f"{self.key_pair_id}: {self.get_threshold_display()}"
