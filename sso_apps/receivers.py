"""Record other apps' signals in the audit trail (accounts imports no app of ours)."""

from django.dispatch import receiver

from accounts.signals import user_change_refused, user_roles_changed
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
