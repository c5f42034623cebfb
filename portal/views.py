"""Site-wide error pages."""

import logging
import sys

import kombu.exceptions
import redis
from django.contrib import admin
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import defaults

from sso_apps.models import AuditEvent
from sso_apps.services.audit import audit_record

logger = logging.getLogger("portal.errors")


def permission_denied(request, exception=None):
    """Render the 403 page and leave an audit event for every refused request."""
    reason = str(exception) if exception and str(exception) else "Permission denied"
    event = audit_record(
        action="access.denied",
        request=request,
        outcome=AuditEvent.Outcome.DENIED,
        target_label=request.path[:300],
        reason=reason,
        details={"method": request.method},
    )
    if _in_admin_portal(request):
        # An admin refused an Admin Portal action stays in the Admin Portal's layout, with
        # its navigation and a way back; everyone else gets the console's page.
        context = {
            **admin.site.each_context(request),
            "reason": reason,
            "title": _("Access denied"),
            "event": event,
        }
        return render(request, "admin/403.html", context, status=403)
    return render(request, "403.html", {"reason": reason, "event": event}, status=403)


def _in_admin_portal(request) -> bool:
    user = getattr(request, "user", None)
    return (
        request.path.startswith(reverse("admin:index"))
        and user is not None
        and user.is_active
        and user.is_staff
    )


# Errors that mean a shared dependency (PostgreSQL, or Redis outside the degrading cache,
# e.g. a direct client) is unreachable for the moment, not a bug in the request.
OUTAGE_ERRORS = (DatabaseError, redis.RedisError, kombu.exceptions.OperationalError)
RETRY_AFTER_SECONDS = 5


def _is_outage(error: BaseException | None) -> bool:
    # DatabaseError covers a lost connection (OperationalError, InterfaceError) but also
    # bugs such as a ProgrammingError: only the connection kind is an outage.
    if isinstance(error, DatabaseError) and not isinstance(
        error, (OperationalError, InterfaceError)
    ):
        return False
    return isinstance(error, OUTAGE_ERRORS)


def server_error(request):
    """Answer 503 with Retry-After when a dependency is down, else Django's 500 page.

    Called by Django for every uncaught exception (DEBUG off), from a view or a
    middleware, so a session save or user load that meets a restarting PostgreSQL is
    caught here too. No traceback reaches the page; Django already logged it.
    """
    error = sys.exc_info()[1]
    if not _is_outage(error):
        return defaults.server_error(request)
    logger.error(
        "Service unavailable: %s %s met %s: %s",
        request.method,
        request.path,
        type(error).__name__,
        error,
    )
    if not isinstance(error, DatabaseError):
        # The database answers, so the refusal can be audited; never let that fail too.
        try:
            audit_record(
                action="service.unavailable",
                outcome=AuditEvent.Outcome.FAILURE,
                target_label=request.path[:300],
                reason=f"{type(error).__name__}: {error}"[:500],
                details={"method": request.method},
            )
        except Exception:
            logger.exception("Could not audit the 503 for %s", request.path)
    # Rendered without the request: its context processors would touch the session and
    # the user, the very things that may be unreachable.
    response = HttpResponse(
        loader.render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS}), status=503
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
