"""The second sign-in step, shared by the User Console and the Admin Portal sign-in.

The password step hands over through `password_step_done`; the user stays anonymous until
`mfa_pending_finish` (accounts.mfa.flow) signs them in here.
"""

from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.mfa.flow import (
    mfa_pending,
    mfa_pending_finish,
    mfa_pending_start,
    mfa_pending_user,
    mfa_step_up_finish,
    mfa_step_up_start,
    mfa_step_up_waiting,
)
from accounts.mfa.selectors import user_has_second_factor, user_needs_second_step
from accounts.mfa.services import mfa_code_verify
from accounts.models.recovery_codes import RecoveryCodeDevice
from accounts.sessions import METHOD_OTP
from accounts.throttling import second_step_failed, second_step_locked
from console.mfa.forms import RecoveryCodeForm, TotpCodeForm


def safe_next(request, url: str) -> str:
    """Return `url` if it is a same-site place to continue to, else the console home."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def password_step_done(request, *, user, next_url: str):
    """After a correct password: the second step's page if one is due, else None (log in)."""
    if not user_needs_second_step(user=user):
        return None
    mfa_pending_start(request, user=user, next_url=safe_next(request, next_url))
    if user_has_second_factor(user=user):
        return redirect("console:mfa_verify")
    # A policy demands a factor the user does not have yet: enrol before anything else.
    return redirect("console:mfa_setup")


def lockout(request, user):
    return get_lockout_response(request, credentials={"username": user.email})


@sensitive_post_parameters("code", "recovery_code")
@never_cache
@require_http_methods(["GET", "POST"])
def mfa_verify(request):
    """Ask the user who gave their password for a code, a passkey or a recovery code."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    user = mfa_pending_user(request)
    if user is None:
        messages.info(request, "Your sign-in expired. Please sign in again.")
        return redirect("console:login")
    if not user_has_second_factor(user=user):
        return redirect("console:mfa_setup")
    return _second_step(
        request,
        user=user,
        finish=lambda device: mfa_pending_finish(request, device=device, method=METHOD_OTP),
        next_url=(mfa_pending(request) or {}).get("next", ""),
    )


@sensitive_post_parameters("code", "recovery_code")
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def mfa_step_up(request):
    """Ask the signed-in user for a second factor before an application's login goes on.

    The SAML endpoints send users here (an app requiring MFA, an SP asking for the MFA
    class, ForceAuthn of a user with a factor) with `next`, the URL that continues the
    waiting login; a user with no factor yet enrols first and then continues.
    """
    if request.method == "GET" and "next" in request.GET:
        mfa_step_up_start(request, next_url=safe_next(request, request.GET["next"]))
    waiting = mfa_step_up_waiting(request)
    if waiting is None:
        messages.info(request, "That sign-in expired. Start again from the application.")
        return redirect(settings.LOGIN_REDIRECT_URL)
    if not user_has_second_factor(user=request.user):
        messages.info(request, "This application requires a second factor: set one up first.")
        return redirect("console:mfa_setup")
    return _second_step(
        request,
        user=request.user,
        finish=lambda device: mfa_step_up_finish(request, device=device, method=METHOD_OTP),
        next_url=waiting["next"],
        step_up=True,
    )


def _second_step(request, *, user, finish, next_url: str, step_up: bool = False):
    """Check a TOTP or recovery code for `user`; `finish(device)` returns where to go."""
    if second_step_locked(request, user):
        return lockout(request, user)
    totp_form = TotpCodeForm(request.POST if "code" in request.POST else None)
    recovery_form = RecoveryCodeForm(
        request.POST if "recovery_code" in request.POST else None, prefix=None
    )
    form = totp_form if totp_form.is_bound else recovery_form if recovery_form.is_bound else None
    if request.method == "POST" and form is not None:
        if form.is_valid():
            code = form.cleaned_data.get("code") or form.cleaned_data.get("recovery_code")
            device = mfa_code_verify(user=user, code=code, request=request)
            if device is not None:
                next_url = finish(device)
                if isinstance(device, RecoveryCodeDevice):
                    messages.warning(
                        request,
                        f"You used a recovery code; {device.remaining} remain. "
                        "Generate new ones on your account page if you are running out.",
                    )
                return redirect(safe_next(request, next_url))
        second_step_failed(request, user)
        field = "code" if form is totp_form else "recovery_code"
        if not form.errors:
            form.add_error(field, "That code is not valid. Try again.")
    elif request.method == "POST":
        # Neither field was sent: nothing was tried, so nothing is counted.
        messages.error(request, "Enter a code.")
    return render(
        request,
        "console/mfa/verify.html",
        {
            "pending_user": user,
            "totp_form": totp_form,
            "recovery_form": recovery_form,
            "has_totp": user.totpdevice_set.filter(confirmed=True).exists(),
            "has_passkey": user.webauthncredential_set.filter(confirmed=True).exists(),
            "has_recovery": RecoveryCodeDevice.objects.filter(user=user).exists(),
            "next": next_url,
            "step_up": step_up,
            "cancel_url": reverse("console:mfa_cancel"),
        },
    )


@never_cache
@require_http_methods(["POST"])
def mfa_cancel(request):
    """Abandon a half-finished sign-in (password given, second step not)."""
    if request.user.is_authenticated:
        # Signing out is the logout page's job; this only drops a half-finished sign-in.
        return redirect(settings.LOGIN_REDIRECT_URL)
    request.session.flush()
    return redirect("console:login")
