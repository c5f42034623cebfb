"""Whether a sign-in is answered at once or the user must first sign in, again or step up.

sign_in_detour is the one decision; an IsPassive request that would need a detour is
answered NoPassive instead. An IdP-initiated launch that went to step up is resumed here.
"""

from accounts.mfa.selectors import user_has_second_factor, user_mfa_required
from accounts.sessions import session_second_factor_at
from sso_apps.idp.pending_login import PendingLogin
from sso_apps.models import Application
from sso_apps.saml.authn_context import (
    PASSWORD_SIGN_IN,
    authn_context_choose,
    second_factor_sign_in,
)
from sso_apps.saml.status import SamlStatusRefusal, no_passive
from tessera.clock import now as _now


def mfa_step_up_needed(*, http_request, application: Application, pending) -> bool:
    """Return whether the signed-in user must pass a second factor before this login.

    Read from the session record at every SSO, so a policy made stricter (the app, or one
    of the user's groups, newly requiring MFA) applies to sessions that already exist.
    `pending` is the AuthnRequest answered, None for an IdP-initiated launch.
    """
    user = http_request.user
    if not user.is_authenticated:
        return False  # the sign-in itself asks for the factor when one is due
    factor_at = session_second_factor_at(session=http_request.session)
    if (
        pending is not None
        and pending.force_authn
        and factor_at is not None
        and factor_at < int(pending.received_at)
    ):
        # ForceAuthn: a factor passed before the request came is not a fresh one. (Whole
        # seconds: a factor in the request's own second counts as fresh.)
        factor_at = None
    if factor_at is not None:
        return False
    in_mfa_group = getattr(application, "user_in_mfa_group", None)  # see endpoint_application
    if application.saml.mfa_required or user_mfa_required(user=user, in_mfa_group=in_mfa_group):
        return True
    if pending is not None and pending.force_authn and user_has_second_factor(user=user):
        return True  # re-authentication asks for every factor the user has
    return pending is not None and _context_needs_second_factor(application, pending)


def _context_needs_second_factor(application: Application, pending: PendingLogin) -> bool:
    # The SP asked for a class only a second factor gives (e.g. REFEDS MFA, exact or
    # minimum): step the user up instead of answering NoAuthnContext.
    requested = pending.requested_context
    if requested is None:
        return False
    try:
        authn_context_choose(requested, achieved=PASSWORD_SIGN_IN)
        return False
    except SamlStatusRefusal:
        pass
    try:
        authn_context_choose(
            requested, achieved=second_factor_sign_in(application.saml.mfa_class_ref)
        )
    except SamlStatusRefusal:
        return False  # not even a step-up gives it: NoAuthnContext at issue time
    return True


# Why the user must leave the IdP URL before the AuthnRequest is answered.
DETOUR_SIGN_IN = "sign-in"
DETOUR_REAUTHENTICATE = "reauthenticate"
DETOUR_MFA = "mfa"


def sign_in_detour(
    *, http_request, application: Application, pending: PendingLogin | None
) -> str | None:
    """Return why the user must sign in (again) before the answer, or None to answer now.

    The one place that decides whether a sign-in is answered at once: the SSO URL answers
    when this is None and otherwise keeps the request for /continue, which asks it again
    after each step. `application` is for per-app rules (issue 15's MFA step-up).
    """
    if not http_request.user.is_authenticated:
        return DETOUR_SIGN_IN
    if pending is not None and pending.needs_reauthentication(session=http_request.session):
        return DETOUR_REAUTHENTICATE
    if mfa_step_up_needed(http_request=http_request, application=application, pending=pending):
        return DETOUR_MFA
    return None


_PASSIVE_REASONS = {
    DETOUR_SIGN_IN: "The user is not signed in, and the request forbids asking.",
    DETOUR_REAUTHENTICATE: "ForceAuthn needs the password again, and IsPassive forbids asking.",
    DETOUR_MFA: "The sign-in needs a second factor, and IsPassive forbids asking.",
}


def passive_refusal(detour: str) -> SamlStatusRefusal:
    """Return the NoPassive refusal for a passive request that would need this detour."""
    return no_passive(_PASSIVE_REASONS.get(detour, "Signing in needs a page IsPassive forbids."))


def passive_check(*, http_request, application: Application, pending: PendingLogin) -> None:
    """Raise NoPassive if answering an IsPassive request would need a sign-in page."""
    if not pending.is_passive:
        return
    detour = sign_in_detour(http_request=http_request, application=application, pending=pending)
    if detour is not None:
        raise passive_refusal(detour)


def passive_session_ended() -> SamlStatusRefusal:
    return no_passive("The user's session ended, and the request forbids asking them to sign in.")


# An IdP-initiated launch waiting for a step-up: {suffix: unix time it was asked for}.
IDP_LAUNCH_KEY = "saml_idp_launch"
# The step-up page's own lifetime bounds this too; ten minutes spares a slow enrolment.
IDP_LAUNCH_MAX_AGE_SECONDS = 600


def idp_launch_keep(*, http_request, application: Application) -> None:
    """Remember that the user launched this app (a CSRF-checked POST) and went to step up."""
    launches = http_request.session.get(IDP_LAUNCH_KEY)
    launches = dict(launches) if isinstance(launches, dict) else {}
    launches[application.idp_suffix] = _now().timestamp()
    http_request.session[IDP_LAUNCH_KEY] = launches


def idp_launch_resumable(*, http_request, application: Application) -> bool:
    """Take the launch kept for this app; True if it is fresh and the step-up is done.

    NOTE: lets a GET answer with a Response, which the launch page otherwise keeps behind
    a CSRF-checked POST: only a launch the user POSTed here, recently, is resumed, once.
    """
    launches = http_request.session.get(IDP_LAUNCH_KEY)
    if not isinstance(launches, dict) or application.idp_suffix not in launches:
        return False
    if mfa_step_up_needed(http_request=http_request, application=application, pending=None):
        return False  # still owed: the launch page's button starts again
    launches = dict(launches)
    at = launches.pop(application.idp_suffix)
    http_request.session[IDP_LAUNCH_KEY] = launches
    fresh = isinstance(at, int | float) and _now().timestamp() - at <= IDP_LAUNCH_MAX_AGE_SECONDS
    return fresh
