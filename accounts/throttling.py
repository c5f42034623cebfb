"""Glue between django-axes and our sign-in forms."""


def axes_username(request, credentials):
    """Return the identifier axes counts failures against: the lower-cased email."""
    value = ""
    if credentials:
        value = credentials.get("username") or credentials.get("email") or ""
    if not value and request is not None:
        value = request.POST.get("username") or request.POST.get("email") or ""
    return value.strip().lower()


def second_step_locked(request, user) -> bool:
    """Return True if django-axes has locked this user or client out of signing in."""
    # NOTE: imported here: axes' handler reads settings and models once apps are ready.
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.update_request(request)
    return AxesProxyHandler.is_locked(request, credentials={"username": user.email})


def second_step_failed(request, user) -> None:
    """Count a wrong code or failed passkey exactly like a wrong password.

    django-axes listens to user_login_failed; when this failure reaches the limit it marks the
    request locked out and AxesMiddleware answers with the lockout page (429, saying why).
    The password step does not call login(), so it cannot reset these failures: only a
    completed second step does (AXES_RESET_ON_SUCCESS).
    """
    from axes.handlers.proxy import AxesProxyHandler
    from django.contrib.auth.signals import user_login_failed

    AxesProxyHandler.update_request(request)
    user_login_failed.send(sender=__name__, credentials={"username": user.email}, request=request)
