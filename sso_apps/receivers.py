"""Record other apps' signals in the audit trail (accounts imports no app of ours)."""

from django.dispatch import receiver

from accounts.signals import (
    mfa_factor_added,
    mfa_factor_removed,
    mfa_factors_reset,
    mfa_recovery_code_used,
    mfa_verification_failed,
    user_change_refused,
    user_roles_changed,
)
from sso_apps.models import AuditEvent
from sso_apps.services.audit import audit_record


@receiver(user_roles_changed, dispatch_uid="sso_apps.audit_user_roles_changed")
def audit_user_roles_changed(sender, *, actor, user, before, after, request=None, **kwargs):
    """Record who changed whose Admin Portal roles, from what to what."""
    audit_record(
        action="user.roles_change",
        request=request,
        actor=actor,
        target=user,
        details={"before": before, "after": after},
    )


@receiver(user_change_refused, dispatch_uid="sso_apps.audit_user_change_refused")
def audit_user_change_refused(sender, *, actor, user, reason, attempted, request=None, **kwargs):
    """Record a refused attempt to change a user's roles or a protected user."""
    audit_record(
        action="user.change_refused",
        request=request,
        actor=actor,
        outcome=AuditEvent.Outcome.DENIED,
        target=user,
        reason=reason,
        details={"attempted": attempted},
    )


@receiver(mfa_factor_added, dispatch_uid="sso_apps.audit_mfa_factor_added")
def audit_mfa_factor_added(sender, *, user, actor, factor, request=None, **kwargs):
    """Record an enrolled factor (its kind and name, never its secret)."""
    audit_record(action="mfa.factor_add", request=request, actor=actor, target=user, details=factor)


@receiver(mfa_factor_removed, dispatch_uid="sso_apps.audit_mfa_factor_removed")
def audit_mfa_factor_removed(sender, *, user, actor, factor, request=None, **kwargs):
    """Record a factor removed by its owner."""
    audit_record(
        action="mfa.factor_remove", request=request, actor=actor, target=user, details=factor
    )


@receiver(mfa_factors_reset, dispatch_uid="sso_apps.audit_mfa_factors_reset")
def audit_mfa_factors_reset(
    sender, *, user, actor, count, sessions_ended=0, request=None, **kwargs
):
    """Record an admin's reset of every factor of a user, and the sessions it ended."""
    audit_record(
        action="mfa.reset",
        request=request,
        actor=actor,
        target=user,
        details={"removed": count, "sessions_ended": sessions_ended},
    )


@receiver(mfa_verification_failed, dispatch_uid="sso_apps.audit_mfa_verification_failed")
def audit_mfa_verification_failed(sender, *, user, kind, request=None, **kwargs):
    """Record a wrong code or failed passkey at the second sign-in step."""
    audit_record(
        action="mfa.verify",
        request=request,
        actor=user,
        outcome=AuditEvent.Outcome.FAILURE,
        target=user,
        reason="The second factor was not accepted.",
        details={"kind": kind},
    )


@receiver(mfa_recovery_code_used, dispatch_uid="sso_apps.audit_mfa_recovery_code_used")
def audit_mfa_recovery_code_used(sender, *, user, remaining, request=None, **kwargs):
    """Record a sign-in with a recovery code and how many remain."""
    audit_record(
        action="mfa.recovery_code_use",
        request=request,
        actor=user,
        target=user,
        details={"remaining": remaining},
    )
