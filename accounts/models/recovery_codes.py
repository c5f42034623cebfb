"""Recovery codes: a django-otp device whose one-time codes are stored hashed.

NOTE: not django_otp.plugins.otp_static, whose StaticToken keeps each code in plaintext
(`token = CharField`), readable by anyone with the database. A code here is 60 random bits,
so a fast unsalted SHA-256 is enough (as for API tokens): there is nothing to brute-force
that is cheaper than guessing the code itself, and a slow hasher would cost ten slow hashes
per attempt.
"""

import hashlib
import secrets

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

from tessera.clock import now as _now

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read off paper
GROUPS, GROUP_LENGTH = 3, 4


def recovery_code_normalise(code: str) -> str:
    """Return the code as stored before hashing: upper case, no spaces or dashes."""
    return "".join(ch for ch in str(code).upper() if ch not in " -\t")[:64]


def recovery_code_hash(code: str) -> str:
    return hashlib.sha256(recovery_code_normalise(code).encode()).hexdigest()


def recovery_code_new() -> str:
    """Return a fresh code such as ``K7QP-2MXD-9RTA`` (60 bits)."""
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))
    return "-".join(groups)


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """A user's set of recovery codes; each verifies once."""

    class Meta:
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")
        constraints = [
            # One set per user: generating new codes replaces the old set.
            models.UniqueConstraint(fields=["user"], name="accounts_recoverycodes_one_per_user"),
        ]

    def __str__(self):
        return f"Recovery codes of {self.user}"

    @property
    def remaining(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()

    def get_throttle_factor(self):
        return 1

    def verify_token(self, token) -> bool:
        """Use up the matching unused code; False for any other input."""
        verify_allowed, _ = self.verify_is_allowed()
        if not verify_allowed:
            return False
        digest = recovery_code_hash(token)
        with transaction.atomic():
            # The conditional UPDATE makes a code single-use even with two racing requests.
            used = self.codes.filter(code_hash=digest, used_at__isnull=True).update(used_at=_now())
        if used:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
            return True
        self.throttle_increment()
        return False


class RecoveryCode(models.Model):
    """One recovery code, as its SHA-256 hash."""

    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(_("code hash"), max_length=64)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        constraints = [
            models.UniqueConstraint(
                fields=["device", "code_hash"], name="accounts_recoverycode_unique"
            ),
        ]

    def __str__(self):
        return f"Recovery code {self.pk}"
