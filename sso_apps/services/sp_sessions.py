"""Record which IdP sessions each app's assertions reached, and the LogoutRequests we sent."""

import datetime

from django.conf import settings
from django.db import transaction

from sso_apps.models import (
    Application,
    AuditEvent,
    IssuedLogoutRequest,
    SeenSamlRequest,
    SpSession,
)
from sso_apps.services.rows import rows_insert
from tessera.clock import now as _now

# How long an SP has to answer a LogoutRequest of ours.
LOGOUT_REQUEST_LIFETIME = datetime.timedelta(minutes=10)


# NOTE: no @transaction.atomic: this runs on every sign-in, and its one write (with the
# sign-in's audit event) is a single statement, atomic by itself (sso_apps.services.rows).
def sp_session_record(
    *,
    session_key: str,
    user,
    application: Application,
    name_id: str,
    name_id_format: str,
    session_index: str,
    audit_event: AuditEvent | None = None,
    seen_request: SeenSamlRequest | None = None,
) -> SpSession:
    """Remember that this IdP session sent the app an assertion with this subject.

    `audit_event`, the sign-in's unsaved audit event, and `seen_request`, the answered
    request ID, are written with it in one statement: all of them or (IntegrityError,
    say the request ID was already recorded: a replay) none.
    """
    sp_session = SpSession(
        session_key=session_key,
        user=user,
        application=application,
        name_id=name_id,
        name_id_format=name_id_format,
        session_index=session_index,
    )
    # The user and app rows were just loaded and the SessionIndex is fresh and random
    # (its uniqueness is the database's to enforce): checking those would add three
    # queries to the sign-in path.
    sp_session.full_clean(exclude={"user", "application"}, validate_constraints=False)
    rows_insert(*(row for row in (audit_event, seen_request) if row is not None), sp_session)
    return sp_session


@transaction.atomic
def sp_sessions_forget(*, application: Application, session_keys) -> int:
    """Delete the app's records for these IdP sessions once they are logged out."""
    return SpSession.objects.filter(application=application, session_key__in=session_keys).delete()[
        0
    ]


@transaction.atomic
def issued_logout_request_record(
    *,
    application: Application,
    request_id: str,
    session_key: str,
    lifetime: datetime.timedelta = LOGOUT_REQUEST_LIFETIME,
) -> IssuedLogoutRequest:
    """Remember a LogoutRequest sent to the app's SP, so its one answer is accepted."""
    issued = IssuedLogoutRequest(
        application=application,
        request_id=request_id,
        session_key=session_key,
        expires_at=_now() + lifetime,
    )
    issued.full_clean()
    issued.save()
    return issued


@transaction.atomic
def issued_logout_request_consume(
    *, application: Application, request_id: str
) -> IssuedLogoutRequest | None:
    """Use up our LogoutRequest this answers; return it, or None if unknown, used or late."""
    issued = IssuedLogoutRequest.objects.filter(
        application=application, request_id=request_id, expires_at__gte=_now()
    ).first()
    if issued is None:
        return None
    # Only the one request whose DELETE removed the row may act on it, even when raced.
    deleted, _ = IssuedLogoutRequest.objects.filter(pk=issued.pk).delete()
    return issued if deleted else None


def sp_session_records_purge() -> int:
    """Delete expired LogoutRequest records and SP sessions past any session's lifetime."""
    now = _now()
    lifetime = max(
        settings.SESSION_COOKIE_AGE,
        getattr(settings, "TESSERA_SESSION_ABSOLUTE_LIFETIME_SECONDS", 0),
    )
    requests = IssuedLogoutRequest.objects.filter(expires_at__lt=now).delete()[0]
    sessions = SpSession.objects.filter(
        created_at__lt=now - datetime.timedelta(seconds=lifetime)
    ).delete()[0]
    return requests + sessions
