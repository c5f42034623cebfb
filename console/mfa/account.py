"""Enrolling and removing factors: from the account page, or right after the password step
when a policy demands a factor the user does not have yet."""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa.flow import (
    mfa_pending_finish,
    mfa_pending_user,
    mfa_step_up_finish,
    mfa_step_up_waiting,
)
from accounts.mfa.selectors import FactorKind, user_has_second_factor
from accounts.mfa.services import (
    mfa_factor_remove,
    recovery_codes_generate,
    totp_device_begin,
    totp_device_confirm,
)
from accounts.models.recovery_codes import RecoveryCodeDevice
from accounts.sessions import (
    METHOD_OTP,
    METHOD_PASSWORD,
    authentication_method_age,
    authentication_record_add,
)
from console.mfa.forms import PasswordConfirmForm, TotpEnrolForm
from console.mfa.signin import safe_next

TOTP_ENROL_KEY = "_tessera_totp_enrolment"


def mfa_user(request):
    """Return (user, pending): who is enrolling, and whether they are not signed in yet.

    Pending users may only enrol while they have no factor: one who has a factor must use
    it at the second step first.
    """
    if request.user.is_authenticated:
        return request.user, False
    user = mfa_pending_user(request)
    if user is not None and not user_has_second_factor(user=user):
        return user, True
    return None, False


def password_recent(request) -> bool:
    """Return True if this session's password is fresh enough to change factors."""
    age = authentication_method_age(request, METHOD_PASSWORD)
    return age is not None and age <= settings.TESSERA_MFA_REAUTH_SECONDS


def _confirm_first(request):
    query = urlencode({"next": request.get_full_path()})
    return redirect(f"{reverse('console:mfa_confirm_password')}?{query}")


def _guard(request):
    """Return (user, pending, response): a response means "go there instead"."""
    user, pending = mfa_user(request)
    if user is None:
        return None, False, redirect("console:login")
    if not pending and not password_recent(request):
        return user, pending, _confirm_first(request)
    return user, pending, None


def _totp_device(request, user, *, create: bool) -> TOTPDevice | None:
    """Return this session's unfinished TOTP enrolment; start one only when asked to."""
    device_id = request.session.get(TOTP_ENROL_KEY)
    device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if device is None and create:
        device = totp_device_begin(user=user)
        request.session[TOTP_ENROL_KEY] = device.pk
    return device


def _show_recovery_codes(request, user, *, continue_url):
    codes = recovery_codes_generate(
        user=user, count=settings.TESSERA_MFA_RECOVERY_CODE_COUNT, request=request
    )
    return render(
        request,
        "console/mfa/recovery_codes.html",
        {"codes": codes, "continue_url": continue_url},
    )


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def mfa_setup(request):
    """Enrol an authenticator app (QR code and secret, then a code) or a passkey."""
    user, pending, response = _guard(request)
    if response is not None:
        return response
    # A POST only confirms the enrolment its page began; it never starts one.
    device = _totp_device(request, user, create=request.method == "GET")
    form = TotpEnrolForm(request.POST or None)
    if device is None:
        messages.error(request, "That setup page expired. Scan the new QR code.")
        return redirect("console:mfa_setup")
    if request.method == "POST" and form.is_valid():
        confirmed = totp_device_confirm(
            device=device,
            token=form.cleaned_data["code"],
            name=form.cleaned_data["name"],
            request=request,
        )
        if confirmed:
            request.session.pop(TOTP_ENROL_KEY, None)
            device.refresh_from_db()
            return enrolment_done(request, user=user, device=device, pending=pending)
        form.add_error(
            "code", "That code is not valid. Check the time on your device and try again."
        )
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "console/mfa/setup.html",
        {
            "form": form,
            "pending": pending,
            "qr_data_uri": segno.make(device.config_url, error="m").svg_data_uri(scale=4),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "cancel_url": reverse("console:mfa_cancel"),
        },
    )


RECOVERY_CODES_DUE_KEY = "_tessera_recovery_codes_due"


def enrolment_done(request, *, user, device, pending: bool, method: str = METHOD_OTP):
    """After a factor is added: sign a pending user in; first factors get recovery codes.

    Returns a redirect (the passkey flow hands its Location to the page's script).
    """
    if pending:
        next_url = safe_next(request, mfa_pending_finish(request, device=device, method=method))
    elif mfa_step_up_waiting(request) is not None:
        # Enrolled because an application asked for a second factor: the code (or passkey)
        # just checked is that factor, and the login waiting for it goes on.
        next_url = safe_next(request, mfa_step_up_finish(request, device=device, method=method))
        messages.success(request, f"{device.name} was added.")
    else:
        next_url = reverse("console:account")
        messages.success(request, f"{device.name} was added.")
    if not RecoveryCodeDevice.objects.filter(user=user).exists():
        # Shown by the next GET, once: the flag is popped when the codes are made.
        request.session[RECOVERY_CODES_DUE_KEY] = next_url
        return redirect("console:mfa_recovery_codes_new")
    return redirect(next_url)


@never_cache
@require_http_methods(["GET"])
def mfa_recovery_codes_new(request):
    """Show the first recovery codes of a user who just enrolled their first factor."""
    if not request.user.is_authenticated:
        return redirect("console:login")
    continue_url = request.session.pop(RECOVERY_CODES_DUE_KEY, None)
    if continue_url is None:
        return redirect("console:account")
    return _show_recovery_codes(
        request, request.user, continue_url=safe_next(request, continue_url)
    )


@never_cache
@require_http_methods(["POST"])
def mfa_recovery_codes(request):
    """Replace the user's recovery codes and show the new ones once."""
    user, pending, response = _guard(request)
    if response is not None:
        return response
    if pending:
        raise Http404
    if request.POST.get("generate") != "1":
        # Only the account page's button (which sends generate=1) replaces the codes.
        return redirect("console:account")
    return _show_recovery_codes(request, user, continue_url=reverse("console:account"))


@never_cache
@require_http_methods(["POST"])
def mfa_factor_delete(request):
    """Remove one of the signed-in user's own factors (kind and id in the POST)."""
    user, pending, response = _guard(request)
    if response is not None:
        return response
    kind, factor_id = request.POST.get("kind", ""), request.POST.get("factor_id", "")
    if pending or kind not in FactorKind.ALL or not factor_id.isdigit():
        raise Http404
    if not mfa_factor_remove(
        user=user, kind=kind, factor_id=int(factor_id), actor=user, request=request
    ):
        raise Http404
    messages.success(request, "The factor was removed.")
    return redirect("console:account")


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def mfa_confirm_password(request):
    """Ask for the password again before factors change (a stolen open session is not enough)."""
    if not request.user.is_authenticated:
        return redirect("console:login")
    form = PasswordConfirmForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        # authenticate(), not only check_password(): django-axes counts a wrong password here
        # and refuses a locked-out account, as on the sign-in page.
        user = authenticate(
            request, username=request.user.email, password=form.cleaned_data["password"]
        )
        if user is not None and user.pk == request.user.pk:
            authentication_record_add(request, METHOD_PASSWORD)
            return redirect(safe_next(request, request.POST.get("next", "")))
        form.add_error("password", "That is not your password.")
    return render(
        request,
        "console/mfa/confirm_password.html",
        {
            "form": form,
            "next": safe_next(request, request.GET.get("next") or request.POST.get("next", "")),
        },
    )
