"""Record audit events: every admin change and every SSO outcome leaves one."""

import structlog
from django.http import HttpRequest

from sso_apps.models import AuditEvent

logger = structlog.get_logger(__name__)


def client_ip(request: HttpRequest | None) -> str | None:
    """Return the client IP as the server saw it (proxies are trusted only in prod settings)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _storable(text: str) -> str:
    # Reasons quote what a request carried; PostgreSQL text cannot hold NUL, and a hostile
    # value must not turn its own refusal into a 500.
    return text.replace("\x00", "\ufffd")


def audit_record(**fields) -> AuditEvent:
    """Write one audit event; the actor defaults to the request's signed-in user.

    Takes audit_event_build's keyword arguments, which are declared once, there.
    """
    event = audit_event_build(**fields)
    event.save(force_insert=True)
    audit_event_log(event)
    return event


def audit_event_build(
    *,
    action: str,
    request: HttpRequest | None = None,
    actor=None,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    target=None,
    target_label: str = "",
    application=None,
    sp_entity_id: str = "",
    binding: str = "",
    reason: str = "",
    details: dict | None = None,
) -> AuditEvent:
    """Return the unsaved audit event audit_record would write, for a caller batching rows.

    The caller logs it (audit_event_log) once it is written.
    """
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent(
        action=action,
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        outcome=outcome,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=_storable(target_label or (str(target) if target is not None else "")),
        application=application,
        sp_entity_id=_storable(sp_entity_id),
        binding=binding,
        reason=_storable(reason),
        ip_address=client_ip(request),
        details=details or {},
    )


def audit_event_log(event: AuditEvent) -> None:
    """Log a written event: its line, and its app and SAML outcome on the request's line.

    NOTE: after the write, not when the event is built: a batch that fails (a replayed
    request ID refused by its constraint) must not leave a line for an event that never was.
    """
    _log_context_bind(action=event.action, outcome=event.outcome, application=event.application)
    logger.info("audit_event", action=event.action, outcome=event.outcome, reason=event.reason)


def _log_context_bind(*, action: str, outcome: str, application) -> None:
    """Put the application and SAML outcome on this request's remaining log lines.

    The request log line (portal.request_log) is written after the view, so it carries
    them too; the request middleware clears the context when the response is done.
    """
    if application is not None:
        structlog.contextvars.bind_contextvars(application=application.idp_suffix)
    if action.startswith("sso."):
        structlog.contextvars.bind_contextvars(saml_action=action, saml_outcome=outcome)
