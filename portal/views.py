"""Site-wide error pages."""

from django.shortcuts import render

from sso_apps.models import AuditEvent
from sso_apps.services.audit import audit_record


def permission_denied(request, exception=None):
    """Render the 403 page and leave an audit event for every refused request."""
    reason = str(exception) if exception and str(exception) else "Permission denied"
    audit_record(
        action="access.denied",
        request=request,
        outcome=AuditEvent.Outcome.DENIED,
        target_label=request.path[:300],
        reason=reason,
        details={"method": request.method},
    )
    return render(request, "403.html", {"reason": reason}, status=403)
