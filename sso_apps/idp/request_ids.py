"""Single-use AuthnRequest IDs: Redis `SET NX EX` when configured, the database otherwise.

An ID is taken once per application; a second use is a replay and is refused. With
SSO_APPS_REQUEST_ID_REDIS_URL (REDIS_URL in production) the ID is first a Redis key that
expires when the request could no longer pass the clock check; the database learns it
too, as a `SeenSamlRequest` row written in the same statement as the sign-in's audit
event and SP session (authn._issued_record), so it costs no round trip or transaction of
its own. Without Redis, or whenever Redis fails, the row is the check itself (a unique
constraint, so every worker gets the same answer).

Why both: Redis alone forgets. A Redis restarted without persistence, flushed, or failing
over to a replica that missed the last writes would let a just-used request pass again
within its validity window, and during an outage the database would not know the IDs
Redis took just before. With every answered ID in the database as well, such a replay
passes Redis (or falls back to the database) and then fails on the unique constraint: a
replay at the sign-in write is refused and nothing of it is written.

NOTE: the other edge: IDs taken in the database during an outage are not in Redis. A
process that fell back copies every unexpired database ID into Redis on its first success
after the failure, before it decides anything there, and keeps taking IDs in the database
as well for the validity window after its last failure. A replay that slips through Redis
before that copy is still refused at the sign-in write.
"""

import datetime
import hashlib
import logging
import threading
import time

import redis
from django.db import IntegrityError, transaction

from sso_apps.conf import app_settings
from sso_apps.models import Application, SeenSamlRequest
from sso_apps.saml.requests import SamlRequestError
from tessera.clock import now as _now

logger = logging.getLogger("sso_apps.request_ids")

REPLAY_REASON = "This request was already used; start the sign-in again."
_KEY = "tessera:saml-request:{application}:{digest}"


class _RedisStore:
    """The Redis client for request IDs, skipping Redis for a while after a failure."""

    def __init__(self):
        self._lock = threading.Lock()
        self._clients: dict[str, redis.Redis] = {}
        self._open_until = 0.0
        # Monotonic time of the last failure: the database is checked as well until the
        # IDs it took during the outage can no longer pass the clock check.
        self._failed_at: float | None = None
        # Whether the database's IDs were copied into Redis since the last failure.
        self._copied = True

    def client(self) -> redis.Redis | None:
        url = app_settings.request_id_redis_url
        if not url or time.monotonic() < self._open_until:
            return None
        with self._lock:
            client = self._clients.get(url)
            if client is None:
                timeout = app_settings.request_id_redis_timeout_seconds
                client = redis.Redis.from_url(
                    url, socket_connect_timeout=timeout, socket_timeout=timeout
                )
                self._clients[url] = client
        return client

    def failed(self, error: Exception) -> None:
        with self._lock:
            first = time.monotonic() >= self._open_until
            self._open_until = time.monotonic() + app_settings.request_id_redis_retry_seconds
            self._failed_at = time.monotonic()
            self._copied = False
        if first:
            logger.error(
                "Redis unreachable for SAML request IDs (%s: %s); using the database.",
                type(error).__name__,
                error,
            )

    def recently_failed(self) -> bool:
        failed_at = self._failed_at
        return failed_at is not None and time.monotonic() - failed_at < _validity_seconds()

    def copy_needed(self) -> bool:
        """Return True once after a failure: the caller copies the database's IDs."""
        with self._lock:
            needed, self._copied = not self._copied, True
            return needed

    def forget_failures(self) -> None:
        """Forget past outages (tests start each from a working Redis)."""
        with self._lock:
            self._open_until = 0.0
            self._failed_at = None
            self._copied = True
            self._clients.clear()


_store = _RedisStore()


def _validity_seconds() -> int:
    # A request passes the clock check for skew on either side of its IssueInstant.
    return 2 * app_settings.clock_skew_seconds


def _key(application: Application, request_id: str) -> str:
    # Hashed: the ID is the SP's text (hostile until checked), never part of a key as is.
    digest = hashlib.sha256(request_id.encode("utf-8", "surrogatepass")).hexdigest()
    return _KEY.format(application=application.pk, digest=digest)


def request_id_take(
    *, application: Application, request_id: str, issue_instant: datetime.datetime
) -> datetime.datetime | None:
    """Take the request ID once; raise SamlRequestError if it was already taken (a replay).

    Return when the ID expires if only Redis took it: the sign-in's write must then record
    it in the database too (seen_request_row); None if the database already holds it.
    """
    request_id = request_id[:256]
    expires = issue_instant + datetime.timedelta(seconds=_validity_seconds())
    client = _store.client()
    if client is not None:
        try:
            taken = _redis_take(client, application, request_id, expires)
        except redis.RedisError as error:
            _store.failed(error)
        else:
            if not taken:
                raise SamlRequestError(REPLAY_REASON)
            if not _store.recently_failed():
                return expires
            # Just after an outage: the database may hold this ID from during it.
    _database_take(application=application, request_id=request_id, expires=expires)
    return None


def seen_request_row(
    *, application: Application, request_id: str, expires: datetime.datetime
) -> SeenSamlRequest:
    """The unsaved row that records a Redis-taken ID, for the sign-in's one write."""
    return SeenSamlRequest(application=application, request_id=request_id[:256], expires_at=expires)


def request_id_recorded(*, application: Application, request_id: str) -> bool:
    """Whether the database holds this request ID (after a write it made fail, a replay)."""
    return SeenSamlRequest.objects.filter(
        application=application, request_id=request_id[:256]
    ).exists()


def request_id_seen(*, application: Application, request_id: str) -> bool:
    """Return whether the request ID was already taken, without taking it."""
    request_id = request_id[:256]
    client = _store.client()
    if client is not None:
        try:
            if client.exists(_key(application, request_id)):
                return True
        except redis.RedisError as error:
            _store.failed(error)
        else:
            if not _store.recently_failed():
                return False
    return SeenSamlRequest.objects.filter(application=application, request_id=request_id).exists()


def _redis_take(client, application, request_id: str, expires: datetime.datetime) -> bool:
    if _store.copy_needed():
        # A failure here goes to the caller, whose _store.failed() asks for the copy again.
        _database_ids_copy(client)
    ttl = max(1, int((expires - _now()).total_seconds()) + 1)
    return bool(client.set(_key(application, request_id), b"1", nx=True, ex=ttl))


def _database_ids_copy(client) -> None:
    """Put every unexpired ID the database took (during an outage) into Redis too."""
    now = _now()
    rows = SeenSamlRequest.objects.filter(expires_at__gt=now).values_list(
        "application_id", "request_id", "expires_at"
    )
    pipeline = client.pipeline(transaction=False)
    for application_id, request_id, expires in rows.iterator():
        digest = hashlib.sha256(request_id.encode("utf-8", "surrogatepass")).hexdigest()
        ttl = max(1, int((expires - now).total_seconds()) + 1)
        pipeline.set(_KEY.format(application=application_id, digest=digest), b"1", nx=True, ex=ttl)
    pipeline.execute()


def _database_take(*, application: Application, request_id: str, expires) -> None:
    try:
        with transaction.atomic():
            SeenSamlRequest.objects.create(
                application=application, request_id=request_id, expires_at=expires
            )
    except IntegrityError as error:
        raise SamlRequestError(REPLAY_REASON) from error


def request_ids_forget_failures() -> None:
    """Reset this process's memory of Redis failures (used by tests)."""
    _store.forget_failures()
