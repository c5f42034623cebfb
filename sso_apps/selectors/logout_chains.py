"""Reads of "log out everywhere" chains."""

import hmac

from sso_apps.models import Application, LogoutChain, LogoutChainStep
from tessera.clock import now as _now


def logout_chain_for_browser(*, chain_id, browser_token: str | None) -> LogoutChain | None:
    """Return the chain if this browser's token is the one it was started with, else None."""
    if not browser_token:
        return None
    chain = LogoutChain.objects.filter(pk=chain_id).select_related("origin_application").first()
    if chain is None:
        return None
    if not hmac.compare_digest(chain.browser_token_hash, LogoutChain.token_hash(browser_token)):
        return None
    return chain


def logout_chain_is_expired(chain: LogoutChain) -> bool:
    return chain.expires_at < _now()


def logout_chain_open_step(chain: LogoutChain) -> LogoutChainStep | None:
    """Return the first step still to send or waiting for its answer, in order."""
    return (
        chain.steps.filter(status__in=[LogoutChainStep.Status.PENDING, LogoutChainStep.Status.SENT])
        .select_related("application", "application__saml")
        .order_by("position")
        .first()
    )


def logout_chain_step_answered_by(
    *, application: Application, request_id: str
) -> LogoutChainStep | None:
    """Return the chain step whose LogoutRequest this LogoutResponse answers, if any."""
    return (
        LogoutChainStep.objects.filter(application=application, request_id=request_id)
        .select_related("chain")
        .first()
    )


def logout_chain_steps(chain: LogoutChain):
    """Return the chain's steps in order, with their apps, for the summary page."""
    return chain.steps.select_related("application").order_by("position")
