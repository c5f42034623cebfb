from functools import cached_property

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sso_apps.key_vault import private_key_decrypt
from sso_apps.models.applications import Application

EXPIRING_WITHIN_DAYS = 30


class IdpKeyPair(models.Model):
    """An IdP signing key pair of one application; the private key is encrypted at rest."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        # NOTE: no code of ours creates a NEXT pair yet, but it is not dead: IdP metadata
        # publishes it after the active one (saml/metadata.py, pinned by
        # test_metadata_also_publishes_the_next_certificate_during_a_rotation), which is
        # how a rotation lets SPs learn a certificate before it signs.
        NEXT = "next", _("Next (published, not yet signing)")
        INACTIVE = "inactive", _("Inactive")

    class Origin(models.TextChoices):
        GENERATED = "generated", _("Generated")
        UPLOADED = "uploaded", _("Uploaded")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="key_pairs")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, db_index=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    certificate_pem = models.TextField(_("certificate"))
    # Fernet token of the PEM private key; see sso_apps.key_vault. Never rendered.
    private_key_encrypted = models.TextField(editable=False)
    key_size = models.PositiveSmallIntegerField(_("key size"))
    fingerprint_sha256 = models.CharField(_("SHA-256 fingerprint"), max_length=95)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"), db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("IdP key pair")
        verbose_name_plural = _("IdP key pairs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(status="active"),
                name="sso_apps_one_active_key_pair",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(status="next"),
                name="sso_apps_one_next_key_pair",
            ),
        ]

    def __str__(self):
        return f"{self.application} key {self.fingerprint_sha256[:11]} ({self.status})"

    @cached_property
    def private_key_pem(self) -> str:
        """Decrypt the private key; for signing only, never for display."""
        return private_key_decrypt(self.private_key_encrypted)

    @property
    def expiry_state(self) -> str:
        """Return "expired", "expiring" (< 30 days) or "valid"."""
        now = timezone.now()
        if self.not_after <= now:
            return "expired"
        if (self.not_after - now).days < EXPIRING_WITHIN_DAYS:
            return "expiring"
        return "valid"
