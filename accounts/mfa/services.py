"""Writes on a user's factors; each change is announced through accounts.signals."""

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.mfa.selectors import FactorKind, factor_models
from accounts.models import UserSession
from accounts.models.recovery_codes import (
    RecoveryCode,
    RecoveryCodeDevice,
    recovery_code_hash,
    recovery_code_new,
)
from accounts.sessions import sessions_end
from accounts.signals import (
    mfa_factor_added,
    mfa_factor_removed,
    mfa_factors_reset,
    mfa_recovery_code_used,
    mfa_verification_failed,
)

NAME_MAX_LENGTH = 64


def _factor_info(kind, device) -> dict:
    return {"kind": kind, "id": device.pk, "name": device.name}


def _clean_name(name: str, default: str) -> str:
    # Names are shown to the user and to admins: keep them short, printable, one line.
    cleaned = " ".join("".join(ch for ch in str(name or "") if ch.isprintable()).split())
    return cleaned[:NAME_MAX_LENGTH] or default


@transaction.atomic
def totp_device_begin(*, user) -> TOTPDevice:
    """Start TOTP enrolment: a fresh unconfirmed device, replacing any unfinished one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice(user=user, name="Authenticator app", confirmed=False)
    device.full_clean()
    device.save()
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str, name: str = "", request=None) -> bool:
    """Confirm an enrolment with a code from the app; False (nothing changed) if wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed or not device.verify_token(_digits(token)):
        return False
    device.confirmed = True
    device.name = _clean_name(name, "Authenticator app")
    device.full_clean()
    device.save()
    mfa_factor_added.send(
        sender=TOTPDevice,
        user=device.user,
        actor=device.user,
        factor=_factor_info(FactorKind.TOTP, device),
        request=request,
    )
    return True


def webauthn_credential_added(*, credential: WebAuthnCredential, name: str = "", request=None):
    """Name a just-registered passkey and announce it (the library saved it)."""
    credential.name = _clean_name(name or credential.name, "Passkey")
    credential.save(update_fields=["name"])
    mfa_factor_added.send(
        sender=WebAuthnCredential,
        user=credential.user,
        actor=credential.user,
        factor=_factor_info(FactorKind.WEBAUTHN, credential),
        request=request,
    )


@transaction.atomic
def recovery_codes_generate(*, user, count: int, request=None) -> list[str]:
    """Replace the user's recovery codes with new ones; return them (shown once, never stored)."""
    replaced = RecoveryCodeDevice.objects.filter(user=user).exists()
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = []
    while len(codes) < count:
        code = recovery_code_new()
        if code not in codes:
            codes.append(code)
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=recovery_code_hash(code)) for code in codes
    )
    info = _factor_info(FactorKind.RECOVERY, device) | {"replaced": replaced}
    mfa_factor_added.send(
        sender=RecoveryCodeDevice, user=user, actor=user, factor=info, request=request
    )
    return codes


@transaction.atomic
def mfa_factor_remove(*, user, kind: str, factor_id: int, actor, request=None) -> bool:
    """Remove one of the user's factors; False if the user has no such factor."""
    model = factor_models().get(kind)
    if model is None:
        return False
    device = model.objects.filter(user=user, pk=factor_id).first()
    if device is None:
        return False
    info = _factor_info(kind, device)
    device.delete()
    mfa_factor_removed.send(sender=model, user=user, actor=actor, factor=info, request=request)
    return True


@transaction.atomic
def user_mfa_reset(*, user, actor, request=None) -> int:
    """Remove every factor of the user (an admin's reset) and end their sessions.

    A reset usually means a factor was lost or stolen: a session signed in with it must not
    outlive it. The user signs in again and enrols if a policy requires MFA.
    """
    count = 0
    for model in factor_models().values():
        count += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    keys = UserSession.objects.filter(user=user).values_list("session_key", flat=True)
    # NOTE: an admin resetting their own factors keeps the session doing it (signing out
    # is the logout page's job); every other session of the user ends.
    current = getattr(getattr(request, "session", None), "session_key", None)
    ended = sessions_end(session_keys=[key for key in keys if key != current])
    mfa_factors_reset.send(
        sender=type(user),
        user=user,
        actor=actor,
        count=count,
        sessions_ended=ended,
        request=request,
    )
    return count


def mfa_code_verify(*, user, code: str, request=None):
    """Return the device a TOTP or recovery code verifies for the user, or None.

    A failure is announced (audit trail, throttling); a recovery code used is announced with
    how many remain.
    """
    digits = _digits(code)
    if digits.isdigit() and len(digits) == 6:
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(digits):
                return device
    else:
        device = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None and device.verify_token(code):
            mfa_recovery_code_used.send(
                sender=RecoveryCodeDevice, user=user, remaining=device.remaining, request=request
            )
            return device
    mfa_verification_failed.send(sender=type(user), user=user, kind="code", request=request)
    return None


def _digits(token) -> str:
    return "".join(str(token or "").split())[:64]
