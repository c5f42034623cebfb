"""The half-signed-in state between the password and the second step.

NOTE: the password step does not call login(). It keeps who passed it in the server-side
session (`PENDING_KEY`) and login() runs only once the second factor (or the forced
enrolment) succeeds. Until then the user is anonymous to every view: no console page, no
Admin Portal page and no /saml2/ Response can be reached, while a pending AuthnRequest
kept in the same session survives (login() keeps session data when it cycles the key).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django_otp import login as otp_login

from accounts.sessions import (
    METHOD_PASSWORD,
    authentication_record_add,
    session_second_factor_passed,
)
from tessera.clock import unix_seconds as _now

PENDING_KEY = "_tessera_mfa_pending"


def mfa_pending_start(request, *, user, next_url: str) -> None:
    """Remember that `user` passed the password step in this session."""
    # A fresh key for the new state, as login() would do (session fixation).
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "at": _now(),
        "next": next_url,
    }


def mfa_pending(request) -> dict | None:
    """Return the pending state if it is still fresh, else forget it and return None."""
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    if _now() - int(data.get("at", 0)) > settings.TESSERA_MFA_PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    return data


def mfa_pending_user(request):
    """Return the active user who passed the password step here, or None."""
    data = mfa_pending(request)
    if data is None:
        return None
    user = get_user_model().objects.filter(pk=data["user"]).first()
    if user is None or not user.is_active:
        request.session.pop(PENDING_KEY, None)
        return None
    # Views of django-otp-webauthn ask the user object is_verified(); not yet, by definition.
    user.otp_device = None
    user.is_verified = lambda: False
    return user


def mfa_pending_clear(request) -> None:
    request.session.pop(PENDING_KEY, None)


def mfa_pending_finish(request, *, device, method: str) -> str:
    """Sign the pending user in, verified by `device`; return where they were going."""
    data = request.session.pop(PENDING_KEY)
    user = get_user_model().objects.get(pk=data["user"])
    auth_login(request, user, backend=data["backend"])
    otp_login(request, device)
    # The password was checked when the pending state began, the factor now.
    authentication_record_add(request, METHOD_PASSWORD, at=data["at"])
    authentication_record_add(request, method)
    return data.get("next") or ""


# A signed-in user asked for a second factor before a login continues (a step-up):
# {"next": where to continue, "at": when it was asked}.
STEP_UP_KEY = "_tessera_mfa_step_up"


def mfa_step_up_start(request, *, next_url: str) -> None:
    """Remember that the signed-in user is to pass a second factor, then go to `next_url`."""
    request.session[STEP_UP_KEY] = {"next": next_url, "at": _now()}


def mfa_step_up_waiting(request) -> dict | None:
    """Return the step-up this signed-in session owes, if still fresh, else None."""
    data = request.session.get(STEP_UP_KEY)
    if not isinstance(data, dict) or not request.user.is_authenticated:
        return None
    if _now() - int(data.get("at", 0)) > settings.TESSERA_MFA_PENDING_SECONDS:
        request.session.pop(STEP_UP_KEY, None)
        return None
    return data


def mfa_step_up_finish(request, *, device, method: str) -> str:
    """Record the second factor the signed-in user just passed; return where to continue.

    Also marks the session verified for django-otp (the Admin Portal's check), and moves the
    session's AuthnInstant to now: a step-up is an authentication.
    """
    data = request.session.pop(STEP_UP_KEY, None) or {}
    otp_login(request, device)
    session_second_factor_passed(request=request, method=method)
    return data.get("next") or ""
