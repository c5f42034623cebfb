import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LogoutChain(models.Model):
    """One "log out everywhere": the browser is walked through each other SP's Single Logout.

    Kept in the database, not the session (which has just been ended), so any worker can
    continue it when an SP's LogoutResponse comes back. Only the browser holding the token
    whose hash is stored here may continue it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    browser_token_hash = models.CharField(_("browser token (SHA-256)"), max_length=64)
    # Set when an SP's LogoutRequest started the chain: it gets the LogoutResponse at the end.
    origin_application = models.ForeignKey(
        "sso_apps.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    origin_request_id = models.CharField(
        _("request ID answered at the end"), max_length=256, blank=True
    )
    origin_issuer = models.CharField(_("issuer answered at the end"), max_length=1024, blank=True)
    origin_relay_state = models.TextField(_("RelayState of the first request"), blank=True)
    origin_binding = models.CharField(_("binding of the first request"), max_length=16, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("logout chain")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(origin_application__isnull=True)
                | ~models.Q(origin_request_id=""),
                name="sso_apps_logoutchain_origin_has_request",
            ),
        ]

    def __str__(self):
        return str(self.id)

    @staticmethod
    def token_hash(token: str) -> str:
        """Return what the database keeps of a browser token (never the token itself)."""
        return hashlib.sha256(token.encode()).hexdigest()


class LogoutChainStep(models.Model):
    """One other app the chain signs the user out of, and how that went."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not sent yet")
        SENT = "sent", _("LogoutRequest sent")
        SUCCEEDED = "succeeded", _("Signed out")
        FAILED = "failed", _("Answered with a failure")
        SKIPPED_NO_SLO = "skipped_no_slo", _("Skipped: no SP Logout URL")
        TIMED_OUT = "timed_out", _("Did not answer")

    chain = models.ForeignKey(LogoutChain, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    application = models.ForeignKey(
        "sso_apps.Application", on_delete=models.CASCADE, related_name="+"
    )
    # Copied from the SpSession rows, which are forgotten when the chain starts.
    session_key = models.CharField(_("IdP session key"), max_length=64)
    name_id = models.CharField(_("NameID as issued"), max_length=512)
    name_id_format = models.CharField(_("NameID format"), max_length=256)
    session_indexes = models.JSONField(_("SessionIndex values"), default=list)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    request_id = models.CharField(_("LogoutRequest ID"), max_length=256, blank=True)
    sp_status = models.CharField(_("SP's status code"), max_length=256, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("logout chain step")
        ordering = ["chain", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "position"], name="sso_apps_logoutchainstep_position_once"
            ),
            models.UniqueConstraint(
                fields=["chain", "application"], name="sso_apps_logoutchainstep_app_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | ~models.Q(request_id=""),
                name="sso_apps_logoutchainstep_sent_has_request",
            ),
        ]

    def __str__(self):
        return f"{self.chain_id} #{self.position} {self.status}"

    @property
    def is_open(self) -> bool:
        """Whether the chain still has to do something for this app."""
        return self.status in (self.Status.PENDING, self.Status.SENT)

    @property
    def may_still_be_signed_in(self) -> bool:
        """Whether the user should be told this app may still have a session."""
        return self.status != self.Status.SUCCEEDED
