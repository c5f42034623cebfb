"""django-otp-webauthn's API views, bound to our sign-in flow.

Registration: the signed-in user (password confirmed recently) or a pending user who must
enrol. Authentication: only as the second step of the user who gave the password (passwordless
login is off), finishing the pending sign-in; a failure counts like a wrong password.
"""

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as upstream
from django_otp_webauthn.utils import rewrite_exceptions

from accounts.mfa.flow import (
    mfa_pending_finish,
    mfa_pending_user,
    mfa_step_up_finish,
    mfa_step_up_waiting,
)
from accounts.mfa.services import webauthn_credential_added
from accounts.sessions import METHOD_WEBAUTHN
from accounts.signals import mfa_verification_failed
from accounts.throttling import second_step_failed, second_step_locked
from console.mfa.account import enrolment_done, mfa_user, password_recent
from console.mfa.signin import safe_next


class PasswordNotConfirmed(exceptions.OTPWebAuthnApiError):
    status_code = 403
    code = "password_not_confirmed"
    default_detail = "Confirm your password again before adding a passkey."


class SecondStepLocked(exceptions.OTPWebAuthnApiError):
    status_code = 429
    code = "locked_out"
    default_detail = "Too many failed sign-in attempts: sign-in is locked for a while."


class ApiMixin:
    """POST only, and refusals (403) go through the site's 403 handler, which audits them."""

    def dispatch(self, request, *args, **kwargs):
        # NOTE: upstream runs its access checks before the method check, so a GET got a 403.
        if request.method != "POST":
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.OTPWebAuthnApiError) and exc.status_code == 403:
            raise PermissionDenied(str(exc)) from exc
        return super().handle_exception(exc)


class RegistrationMixin(ApiMixin):
    def get_user(self):
        user, self.pending = mfa_user(self.request)
        return user

    def check_can_register(self):
        if not self.pending and not password_recent(self.request):
            raise PasswordNotConfirmed()


class BeginRegistration(RegistrationMixin, upstream.BeginCredentialRegistrationView):
    pass


class CompleteRegistration(RegistrationMixin, upstream.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        # NOTE: replaces upstream's post(), which marks request.user verified itself; a
        # pending user is not request.user yet, so enrolment_done signs them in instead.
        user = self.get_user()
        state = self.get_state()
        with rewrite_exceptions(logger=upstream._get_pywebauthn_logger()):
            device = self.get_helper().register_complete(
                user=user, state=state, data=self.request.data
            )
        webauthn_credential_added(credential=device, request=self.request)
        response = enrolment_done(
            self.request, user=user, device=device, pending=self.pending, method=METHOD_WEBAUTHN
        )
        # static/console/mfa.js follows redirect_url once the library reports success.
        return JsonResponse({"id": device.pk, "redirect_url": response["Location"]})


class AuthenticationMixin(ApiMixin):
    def get_user(self):
        user = mfa_pending_user(self.request)
        if user is None and mfa_step_up_waiting(self.request) is not None:
            return self.request.user  # a signed-in user's step-up
        return user

    def check_can_authenticate(self):
        user = self.get_user()
        if user is None:
            raise exceptions.NotAuthenticated()
        if second_step_locked(self.request, user):
            raise SecondStepLocked()


class BeginAuthentication(AuthenticationMixin, upstream.BeginCredentialAuthenticationView):
    pass


class CompleteAuthentication(AuthenticationMixin, upstream.CompleteCredentialAuthenticationView):
    def post(self, *args, **kwargs):
        user = self.get_user()
        try:
            return super().post(*args, **kwargs)
        except exceptions.OTPWebAuthnApiError:
            mfa_verification_failed.send(
                sender=type(user), user=user, kind="webauthn", request=self.request
            )
            second_step_failed(self.request, user)
            raise

    def complete_auth(self, device):
        # Signed in already: a step-up; otherwise the second step of a sign-in.
        stepping_up = self.request.user.is_authenticated
        finish = mfa_step_up_finish if stepping_up else mfa_pending_finish
        self.next_url = finish(self.request, device=device, method=METHOD_WEBAUTHN)

    def get_success_url(self):
        return safe_next(self.request, getattr(self, "next_url", ""))


urlpatterns = [
    path("registration/begin/", BeginRegistration.as_view(), name="credential-registration-begin"),
    path(
        "registration/complete/",
        CompleteRegistration.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        BeginAuthentication.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        CompleteAuthentication.as_view(),
        name="credential-authentication-complete",
    ),
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]
