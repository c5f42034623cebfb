"""Reads of the audit trail: an admin's own recent changes for the Admin Portal index."""

from django.db.models import Q, QuerySet

from sso_apps.models import AuditEvent

# The actions an admin takes in the Admin Portal. Sign-ins, SSO outcomes, refusals and a
# user's own factor changes are in the trail too, but they are not "actions" an admin made.
ADMIN_ACTION_PREFIXES = ("application.", "group.", "user.")
ADMIN_ACTIONS = ("mfa.reset",)


def audit_events_recent_admin_actions(*, user, limit: int = 10) -> QuerySet[AuditEvent]:
    """Return the user's latest successful Admin Portal changes, newest first."""
    is_admin_action = Q(action__in=ADMIN_ACTIONS)
    for prefix in ADMIN_ACTION_PREFIXES:
        is_admin_action |= Q(action__startswith=prefix)
    return (
        AuditEvent.objects.filter(is_admin_action, actor=user, outcome=AuditEvent.Outcome.SUCCESS)
        .only("created_at", "action", "target_type", "target_id", "target_label")
        .order_by("-created_at", "-pk")[:limit]
    )
