"""Record what an application's IdP endpoint did, with the SAML details an auditor needs."""

from sso_apps.models import Application, AuditEvent
from sso_apps.services.audit import audit_event_build, audit_record


def endpoint_audit(
    *,
    http_request,
    application: Application,
    action: str,
    outcome: str,
    binding: str = "",
    reason: str = "",
    actor=None,
    details: dict | None = None,
) -> AuditEvent:
    """Write the audit event for one endpoint outcome; the actor defaults to the signed-in user."""
    return audit_record(
        **_event_fields(
            http_request=http_request,
            application=application,
            action=action,
            outcome=outcome,
            binding=binding,
            reason=reason,
            actor=actor,
            details=details,
        )
    )


def endpoint_audit_event(
    *,
    http_request,
    application: Application,
    action: str,
    outcome: str,
    binding: str = "",
    reason: str = "",
    actor=None,
    details: dict | None = None,
) -> AuditEvent:
    """Return endpoint_audit's event unsaved, for a caller writing it with other rows."""
    return audit_event_build(
        **_event_fields(
            http_request=http_request,
            application=application,
            action=action,
            outcome=outcome,
            binding=binding,
            reason=reason,
            actor=actor,
            details=details,
        )
    )


def _event_fields(
    *, http_request, application, action, outcome, binding, reason="", actor=None, details=None
) -> dict:
    return {
        "action": action,
        "request": http_request,
        "actor": actor if actor is not None and actor.is_authenticated else None,
        "outcome": outcome,
        "target": application,
        "application": application,
        "sp_entity_id": application.saml.sp_entity_id,
        "binding": binding,
        "reason": reason,
        "details": details,
    }
