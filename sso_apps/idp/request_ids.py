"""Single-use request IDs (AuthnRequests and LogoutRequests), recorded in the database.

An ID is used once per application; a second use is a replay and is refused. The record
is a `SeenSamlRequest` row under a unique constraint, so every worker and every node gets
the same answer, and no copy that could forget it decides alone.

- An AuthnRequest answered on the spot (a signed-in user's one-request SSO, or a status
  Response) is recorded in the same statement as the answer's audit event, and for a
  sign-in its SP session (authn._issued_record, authn._refusal_record): no round trip or
  transaction of its own. A replay fails that statement on the constraint, so nothing of
  it is written and the Response it would have had is never sent.
- An AuthnRequest that waits for a sign-in, and a LogoutRequest, are recorded when they
  arrive (request_id_take), in a transaction of their own: their answer comes later.

NOTE: an earlier release took IDs in Redis (`SET NX EX`) first. Once the answered ID was
written to the database anyway (Redis alone forgets: a restart without persistence, a
FLUSHDB or a failover to a lagging replica let a just-used request pass again), Redis
added a round trip to every SSO, an outage mode and a copy-back step, and decided nothing
the constraint does not.

Rows expire once the request could no longer pass the clock check (messages.
seen_requests_purge, from beat).
"""

import datetime

from django.db import IntegrityError, transaction

from sso_apps.conf import app_settings
from sso_apps.models import Application, SeenSamlRequest
from sso_apps.saml.requests import SamlRequestError

REPLAY_REASON = "This request was already used; start the sign-in again."
# The column's length: a longer ID (hostile) is recorded, and compared, by its first part.
_MAX_ID_LENGTH = 256


class RequestReplayError(SamlRequestError):
    """Signal a request ID that was already used for this application."""

    def __init__(self) -> None:
        super().__init__(REPLAY_REASON)


def request_id_expiry(issue_instant: datetime.datetime) -> datetime.datetime:
    """Return when a request issued then can no longer pass the clock check."""
    # It passes for the allowed skew on either side of its IssueInstant.
    return issue_instant + datetime.timedelta(seconds=2 * app_settings.clock_skew_seconds)


def request_id_take(
    *, application: Application, request_id: str, expires: datetime.datetime
) -> None:
    """Record the request ID now; raise RequestReplayError if it was already recorded."""
    try:
        with transaction.atomic():
            seen_request_row(application=application, request_id=request_id, expires=expires).save(
                force_insert=True
            )
    except IntegrityError as error:
        raise RequestReplayError() from error


def seen_request_row(
    *, application: Application, request_id: str, expires: datetime.datetime
) -> SeenSamlRequest:
    """The unsaved row that records a request ID, for the answer's one write statement."""
    return SeenSamlRequest(
        application=application, request_id=request_id[:_MAX_ID_LENGTH], expires_at=expires
    )


def request_id_recorded(*, application: Application, request_id: str) -> bool:
    """Whether the request ID was already used (read only: it records nothing)."""
    return SeenSamlRequest.objects.filter(
        application=application, request_id=request_id[:_MAX_ID_LENGTH]
    ).exists()
