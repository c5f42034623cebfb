"""Reads about a user's factors and whether the MFA policy applies to them."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import UserGroup
from accounts.models.recovery_codes import RecoveryCodeDevice


class FactorKind:
    TOTP = "totp"
    WEBAUTHN = "webauthn"
    RECOVERY = "recovery"
    LABELS = {
        TOTP: "Authenticator app",
        WEBAUTHN: "Passkey or security key",
        RECOVERY: "Recovery codes",
    }
    ALL = (TOTP, WEBAUTHN, RECOVERY)


@dataclass(frozen=True)
class Factor:
    """One enrolled factor as shown to its owner and to admins; never holds a secret."""

    kind: str
    id: int
    name: str
    created_at: datetime.datetime | None
    last_used_at: datetime.datetime | None
    detail: str = ""

    @property
    def kind_label(self) -> str:
        return FactorKind.LABELS[self.kind]


def factor_models():
    return {
        FactorKind.TOTP: TOTPDevice,
        FactorKind.WEBAUTHN: WebAuthnCredential,
        FactorKind.RECOVERY: RecoveryCodeDevice,
    }


def user_mfa_factors(*, user) -> list[Factor]:
    """Return the user's confirmed factors, oldest first."""
    factors = [
        Factor(FactorKind.TOTP, d.pk, d.name, d.created_at, d.last_used_at)
        for d in TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk")
    ]
    factors += [
        Factor(FactorKind.WEBAUTHN, d.pk, d.name, d.created_at, d.last_used_at)
        for d in WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("pk")
    ]
    for d in RecoveryCodeDevice.objects.filter(user=user, confirmed=True):
        detail = f"{d.remaining} of {d.codes.count()} unused"
        factors.append(
            Factor(FactorKind.RECOVERY, d.pk, d.name, d.created_at, d.last_used_at, detail)
        )
    return factors


def user_has_second_factor(*, user) -> bool:
    """Return True if the user has a TOTP app or a passkey (recovery codes are only a backup)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def user_mfa_required(*, user, in_mfa_group: bool | None = None) -> bool:
    """Return True if a policy demands a second factor of this user.

    `in_mfa_group` is whether a group of the user requires MFA, when the caller already
    read it in a query of its own (the SSO endpoint's one app query); None asks here.
    """
    if user.is_staff and settings.TESSERA_MFA_REQUIRED_FOR_STAFF:
        return True
    if in_mfa_group is not None:
        return in_mfa_group
    return user_mfa_group_exists(user_id=user.pk).exists()


def user_mfa_group_exists(*, user_id) -> QuerySet:
    """The memberships of this user in groups that require MFA (for EXISTS subqueries)."""
    return UserGroup.members.through.objects.filter(user_id=user_id, usergroup__mfa_required=True)


def user_needs_second_step(*, user) -> bool:
    """Return True if signing in takes more than the password for this user."""
    if user.is_staff and settings.TESSERA_MFA_REQUIRED_FOR_STAFF:
        return True
    # NOTE: one query for what user_has_second_factor and user_mfa_required ask in three:
    # every password sign-in asks this, and most users need neither.
    return (
        get_user_model()
        .objects.filter(pk=user.pk)
        .filter(
            Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
            | Exists(WebAuthnCredential.objects.filter(user=OuterRef("pk"), confirmed=True))
            | Exists(UserGroup.objects.filter(members=OuterRef("pk"), mfa_required=True))
        )
        .exists()
    )
