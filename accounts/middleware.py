"""End signed-in sessions after an idle timeout and after an absolute lifetime."""

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from tessera.clock import now as _clock
from tessera.clock import unix_seconds as _now

# When the session began: the absolute lifetime counts from here (whole Unix seconds).
AUTHENTICATED_AT_KEY = "_tessera_authenticated_at"
# When the user last proved who they are (sign-in or re-entering the password), as Unix
# time with microseconds so "after this AuthnRequest arrived" is never a same-second tie.
AUTHN_INSTANT_KEY = "_tessera_authn_instant"
LAST_ACTIVITY_KEY = "_tessera_last_activity"
# NOTE: the last-activity stamp is written only when it is older than this. Writing it on
# every request would save the session (a database or Redis write) on every page and
# static-like JSON poll; a minute of slack on an 8-hour idle timeout costs nothing.
ACTIVITY_REFRESH_SECONDS = 60


@receiver(user_logged_in, dispatch_uid="accounts.session_lifetime_start")
def session_lifetime_start(sender, request, user, **kwargs):
    """Stamp a fresh sign-in, so both limits count from now."""
    if request is not None and hasattr(request, "session"):
        now = _now()
        request.session[AUTHENTICATED_AT_KEY] = now
        request.session[LAST_ACTIVITY_KEY] = now
        request.session[AUTHN_INSTANT_KEY] = _clock().timestamp()


class SessionLifetimeMiddleware:
    """Sign the user out once the session is idle or old past the configured limits."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        # Checking the session, not request.user, costs no user query for anonymous visits.
        if SESSION_KEY in session:
            self._enforce(request, session)
        return self.get_response(request)

    def _enforce(self, request, session) -> None:
        now = _now()
        authenticated_at = session.get(AUTHENTICATED_AT_KEY)
        last_activity = session.get(LAST_ACTIVITY_KEY)
        if not isinstance(authenticated_at, int) or not isinstance(last_activity, int):
            # A session from before these limits existed: start counting now.
            session[AUTHENTICATED_AT_KEY] = now
            session[LAST_ACTIVITY_KEY] = now
            return
        idle = now - last_activity > settings.TESSERA_SESSION_IDLE_TIMEOUT_SECONDS
        old = now - authenticated_at > settings.TESSERA_SESSION_ABSOLUTE_LIFETIME_SECONDS
        if idle or old:
            # logout() flushes the session (a new key, no data) and fires user_logged_out,
            # which forgets the session for Single Logout; the request goes on anonymous.
            logout(request)
            return
        if now - last_activity >= ACTIVITY_REFRESH_SECONDS:
            session[LAST_ACTIVITY_KEY] = now
