"""Track each user's signed-in sessions so that Single Logout can end them all."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from accounts.models import UserSession


@receiver(user_logged_in, dispatch_uid="accounts.session_track")
def session_track(sender, request, user, **kwargs):
    """Remember the session a user just signed in with."""
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    # Sessions that simply expired never log out: forget this user's dead ones here, so
    # the table holds only live sessions without a sweeper.
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    dead = [
        key
        for key in UserSession.objects.filter(user=user).values_list("session_key", flat=True)
        if not store.exists(key)
    ]
    UserSession.objects.filter(user=user, session_key__in=dead).delete()
    UserSession.objects.get_or_create(
        session_key=request.session.session_key, defaults={"user": user}
    )


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
