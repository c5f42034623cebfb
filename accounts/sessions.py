"""Track each user's signed-in sessions so that Single Logout can end them all.

Also keeps, server-side in the session, how and when the user authenticated
(`authentication_record`), which the SAML side maps to AuthnContextClassRef and AuthnInstant.
"""

import datetime
from importlib import import_module

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from accounts.middleware import AUTHENTICATED_AT_KEY, AUTHN_INSTANT_KEY
from accounts.models import UserSession
from tessera.clock import now as _now
from tessera.clock import unix_seconds as _unix_now

# {method: unix time it last succeeded} for this session. Kept in the session itself, so
# every node with the shared session store sees the same record.
AUTHENTICATION_RECORD_KEY = "_tessera_authentication_methods"
METHOD_PASSWORD, METHOD_OTP, METHOD_WEBAUTHN = "pwd", "otp", "webauthn"
AUTHENTICATION_METHODS = frozenset({METHOD_PASSWORD, METHOD_OTP, METHOD_WEBAUTHN})
SECOND_FACTOR_METHODS = frozenset({METHOD_OTP, METHOD_WEBAUTHN})


def authentication_record(request) -> tuple[frozenset, datetime.datetime | None]:
    """Return how this session authenticated (methods) and when it last did (or None)."""
    record = _record(request)
    if not record:
        return frozenset(), None
    at = datetime.datetime.fromtimestamp(max(record.values()), tz=datetime.UTC)
    return frozenset(record), at


def authentication_record_add(request, method: str, *, at: int | None = None) -> None:
    """Note that the user just authenticated with `method` in this session."""
    if method not in AUTHENTICATION_METHODS:
        raise ValueError(f"Unknown authentication method {method!r}")
    record = _record(request)
    record[method] = _unix_now() if at is None else int(at)
    request.session[AUTHENTICATION_RECORD_KEY] = record


def authentication_method_age(request, method: str) -> int | None:
    """Return seconds since `method` last succeeded in this session, or None if never."""
    at = _record(request).get(method)
    return None if at is None else _unix_now() - at


def session_second_factor_at(*, session) -> int | None:
    """Return when this session last passed a second factor (Unix time), or None if never."""
    record = _session_record(session)
    times = [at for method, at in record.items() if method in SECOND_FACTOR_METHODS]
    return max(times, default=None)


def session_second_factor_passed(*, request, method: str) -> float:
    """Record a second factor the signed-in user just passed (a step-up); return when.

    It is an authentication like the sign-in: AuthnInstant moves to now. NOTE: not login(),
    for the reason session_reauthenticated gives.
    """
    if method not in SECOND_FACTOR_METHODS:
        raise ValueError(f"Not a second factor: {method!r}")
    instant = _now().timestamp()
    request.session[AUTHN_INSTANT_KEY] = instant
    authentication_record_add(request, method, at=int(instant))
    return instant


def _record(request) -> dict:
    return _session_record(request.session)


def _session_record(session) -> dict:
    value = session.get(AUTHENTICATION_RECORD_KEY)
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if k in AUTHENTICATION_METHODS and isinstance(v, int)}


@receiver(user_logged_in, dispatch_uid="accounts.authentication_record_start")
def authentication_record_start(sender, request, user, **kwargs):
    """A sign-in starts a new record: the password, now (the MFA flow then adds its factor)."""
    if request is not None and hasattr(request, "session"):
        request.session[AUTHENTICATION_RECORD_KEY] = {METHOD_PASSWORD: _unix_now()}


@receiver(user_logged_in, dispatch_uid="accounts.session_track")
def session_track(sender, request, user, **kwargs):
    """Remember the session a user just signed in with."""
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    # Sessions that simply expired never log out: forget this user's dead ones here, so
    # the table holds only live sessions without a sweeper.
    _dead_sessions_forget(user=user, keep=request.session.session_key)
    # One INSERT ... ON CONFLICT DO NOTHING: the key is new (login() just cycled it), and
    # a row already there for it is left as it is, as get_or_create would.
    UserSession.objects.bulk_create(
        [UserSession(user=user, session_key=request.session.session_key)], ignore_conflicts=True
    )


def _dead_sessions_forget(*, user, keep: str) -> None:
    """Delete the user's UserSession rows whose session the store no longer holds.

    NOTE: one round trip for all of them, not SessionStore.exists() per key: a user who
    signs in often has many rows, and each exists() is a Redis or database round trip.
    """
    from django.contrib.sessions.backends.cache import SessionStore as CacheSessionStore
    from django.contrib.sessions.backends.db import SessionStore as DbSessionStore

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    rows = UserSession.objects.filter(user=user).exclude(session_key=keep)
    if issubclass(store_class, DbSessionStore):
        # db and cached_db: the database holds every session, so one DELETE decides; an
        # expired row is dead even before clearsessions removes it.
        live = store_class.get_model_class().objects.filter(expire_date__gt=_now())
        rows.exclude(session_key__in=live.values("session_key")).delete()
        return
    keys = list(rows.values_list("session_key", flat=True))
    if not keys:
        return
    if issubclass(store_class, CacheSessionStore):
        store = store_class()
        held = store._cache.get_many([store.cache_key_prefix + key for key in keys])
        dead = [key for key in keys if store.cache_key_prefix + key not in held]
    else:
        store = store_class()
        dead = [key for key in keys if not store.exists(key)]
    if dead:
        UserSession.objects.filter(user=user, session_key__in=dead).delete()


@receiver(user_logged_out, dispatch_uid="accounts.session_forget")
def session_forget(sender, request, user, **kwargs):
    if request is not None and getattr(request, "session", None) is not None:
        UserSession.objects.filter(session_key=request.session.session_key).delete()


def user_sessions_end(*, user) -> int:
    """End every signed-in session of the user, in whatever session store is configured."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    return sessions_end(session_keys=keys)


def sessions_end(*, session_keys) -> int:
    """End exactly these sessions, whoever they belong to; return how many were given.

    Single Logout uses it to end only the sessions an application's assertions went to,
    which the caller found; accounts knows nothing of applications.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = sorted({key for key in session_keys if key})
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def session_authn_instant(*, session) -> float | None:
    """Return when the session's user last authenticated (Unix time), or None if unknown.

    Sessions from before this was recorded fall back to the session's start, which is when
    their user last entered a password.
    """
    value = session.get(AUTHN_INSTANT_KEY)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    started = session.get(AUTHENTICATED_AT_KEY)
    return float(started) if isinstance(started, int) and not isinstance(started, bool) else None


def session_not_on_or_after(*, session) -> int | None:
    """Return the Unix time the session ends however active it is (its absolute lifetime)."""
    started = session.get(AUTHENTICATED_AT_KEY)
    if not isinstance(started, int) or isinstance(started, bool):
        return None
    return started + settings.TESSERA_SESSION_ABSOLUTE_LIFETIME_SECONDS


def session_reauthenticated(*, request) -> float:
    """Record that the signed-in user just entered their password again; return when.

    NOTE: not login(): that would cycle the session key, and the SP sessions Single Logout
    must end are recorded under it. Re-entering the password proves the same user is
    present; it does not start a new session, so the absolute lifetime is unchanged.
    """
    instant = _now().timestamp()
    request.session[AUTHN_INSTANT_KEY] = instant
    # The two-factor record must agree: a re-entered password is a fresh password method.
    authentication_record_add(request, METHOD_PASSWORD, at=int(instant))
    return instant
