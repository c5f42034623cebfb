"""Choose the AuthnContextClassRef a Response states, against what the SP requested.

SAML core 2.0 section 3.3.2.2.1 compares requested classes by strength; the strength
order is ours to define. It lives here, once: a new way of signing in (issue 15's second
factor) adds its class to `STRENGTH_ORDER` and to the classes a session achieved.
"""

from dataclasses import dataclass

from sso_apps.saml.constants import (
    AC_MOBILE_TWO_FACTOR_CONTRACT,
    AC_PASSWORD,
    AC_PASSWORD_PROTECTED_TRANSPORT,
    AC_REFEDS_MFA,
)
from sso_apps.saml.status import no_authn_context

# Weakest first. Classes not listed cannot be compared, so only "exact" can match them.
# NOTE: both MFA classes mean "a password and a second factor"; a strict order must still
# put one first. REFEDS MFA, the default, goes last so that an app stating it meets a
# "minimum" request for either.
STRENGTH_ORDER: tuple[str, ...] = (
    AC_PASSWORD,
    AC_PASSWORD_PROTECTED_TRANSPORT,
    AC_MOBILE_TWO_FACTOR_CONTRACT,
    AC_REFEDS_MFA,
)

# What a password sign-in achieves: the console is served over TLS in production.
PASSWORD_SIGN_IN: tuple[str, ...] = (AC_PASSWORD, AC_PASSWORD_PROTECTED_TRANSPORT)


def second_factor_sign_in(mfa_class: str) -> tuple[str, ...]:
    """Return what a password plus a second factor achieves, stating the app's MFA class."""
    return (*PASSWORD_SIGN_IN, mfa_class)


COMPARISONS = ("exact", "minimum", "better", "maximum")


@dataclass(frozen=True)
class RequestedAuthnContext:
    """An AuthnRequest's RequestedAuthnContext: classes (in the SP's order) and Comparison."""

    class_refs: tuple[str, ...]
    comparison: str = "exact"
    # AuthnContextDeclRef instead of classes: we state no declarations, so none can match.
    decl_refs: tuple[str, ...] = ()


def _strength(class_ref: str) -> int | None:
    try:
        return STRENGTH_ORDER.index(class_ref)
    except ValueError:
        return None


def authn_context_choose(
    requested: RequestedAuthnContext | None, *, achieved: tuple[str, ...]
) -> str:
    """Return the class to state for a sign-in that achieved these classes.

    `achieved` lists every class the sign-in satisfies (a password over TLS satisfies
    Password too). Without a request, the strongest is stated. Raise the NoAuthnContext
    refusal when the request cannot be met.
    """
    strongest = max(achieved, key=lambda ref: _strength(ref) or 0)
    if requested is None:
        return strongest
    if requested.decl_refs and not requested.class_refs:
        raise no_authn_context("Authentication context declarations are not supported.")
    if requested.comparison == "exact":
        # "exactly match at least one": the SP's own order says which it prefers.
        for ref in requested.class_refs:
            if ref in achieved:
                return ref
    else:
        known = [s for s in map(_strength, requested.class_refs) if s is not None]
        ranked = sorted(achieved, key=lambda ref: _strength(ref) or 0, reverse=True)
        for ref in ranked:
            strength = _strength(ref)
            if strength is None or not known:
                continue
            if requested.comparison == "minimum" and strength >= min(known):
                return ref
            if requested.comparison == "better" and strength > min(known):
                return ref
            # "as strong as possible without exceeding the strength of at least one".
            if requested.comparison == "maximum" and strength <= max(known):
                return ref
    raise no_authn_context(
        f"No authentication context {requested.comparison} "
        f"{', '.join(requested.class_refs) or 'the requested ones'} can be provided."
    )
