"""Log out everywhere: walk the browser through every other SP's Single Logout, in turn.

A user's SSO session is one session. When it ends (the User Console's Sign out, or an
SP's LogoutRequest) the other apps its assertions reached are sent a signed
LogoutRequest each, through the browser (front channel): each SP's LogoutResponse comes
back to our SLO endpoint, which sends the browser on to the next app. At the end the SP
that asked gets its LogoutResponse, or the console says which apps may still be signed
in. The chain lives in the database (any worker continues it) and is bound to the
browser by a random token kept in the fresh, signed-out session: a link to the chain
alone continues nothing.
"""

import logging
import secrets
from dataclasses import dataclass

from django.urls import reverse
from saml2 import saml

from sso_apps import selectors
from sso_apps.conf import app_settings
from sso_apps.idp.audit import endpoint_audit
from sso_apps.idp.destinations import sp_destination_check
from sso_apps.idp.messages import OutgoingMessage
from sso_apps.idp.runtime import runtimes
from sso_apps.models import Application, LogoutChain, LogoutChainStep, SpSession
from sso_apps.saml.constants import (
    LOGOUT_REASON_USER,
    SIGNATURE_ALGORITHMS,
    STATUS_SUCCESS,
    BindingName,
)
from sso_apps.saml.errors import SamlError
from sso_apps.services import logout_chains as chain_services
from tessera.clock import now as _now

SESSION_KEY = "saml_logout_chain"

logger = logging.getLogger(__name__)

Status = LogoutChainStep.Status


@dataclass(frozen=True)
class ChainOrigin:
    """The SP whose LogoutRequest started the chain: it is answered at the end."""

    application: Application
    request_id: str
    issuer: str
    relay_state: str
    binding: str


def logout_everywhere_start(
    *, http_request, user, session_keys: set[str], origin: ChainOrigin | None = None
) -> LogoutChain | None:
    """Start a chain for the other apps these (already ended) IdP sessions reached.

    Return None when there is no other app to sign out of, so the caller answers as a
    single logout would. The chain's token goes into this browser's (new) session.
    """
    keys = {key for key in session_keys if key}
    if not keys:
        return None
    sp_sessions = SpSession.objects.filter(session_key__in=keys).select_related(
        "application", "application__saml"
    )
    if origin is not None:
        sp_sessions = sp_sessions.exclude(application=origin.application)
    sp_sessions = list(sp_sessions)
    if not sp_sessions:
        return None
    if user is None or not user.is_authenticated:
        # A cookieless LogoutRequest: the sessions it ended say whose they were.
        user = sp_sessions[0].user
    token = secrets.token_urlsafe(32)
    chain = chain_services.logout_chain_create(
        user=user,
        browser_token=token,
        sp_sessions=sp_sessions,
        origin_application=origin.application if origin else None,
        origin_request_id=origin.request_id if origin else "",
        origin_issuer=origin.issuer if origin else "",
        origin_relay_state=origin.relay_state if origin else "",
        origin_binding=origin.binding if origin else "",
    )
    http_request.session[SESSION_KEY] = {"chain": str(chain.pk), "token": token}
    for step in chain.steps.filter(status=Status.SKIPPED_NO_SLO).select_related(
        "application__saml", "chain__user"
    ):
        _step_audit(
            http_request,
            step,
            "sso.logout.skipped",
            "failure",
            "No SP Logout URL: the app may still be signed in.",
        )
    return chain


def chain_url(chain: LogoutChain) -> str:
    return reverse("saml:logout-chain", args=[chain.pk])


def browser_chain(*, http_request, chain_id) -> LogoutChain | None:
    """Return the chain if this browser started it, else None."""
    held = http_request.session.get(SESSION_KEY) or {}
    if held.get("chain") != str(chain_id):
        return None
    return selectors.logout_chain_for_browser(chain_id=chain_id, browser_token=held.get("token"))


@dataclass(frozen=True)
class ChainMove:
    """What the chain's page does next: send a message, wait for an answer, or finish."""

    step: LogoutChainStep | None = None
    outgoing: OutgoingMessage | None = None
    # The signed URL to send the browser to, when `outgoing` goes over HTTP-Redirect.
    redirect_url: str = ""
    wait_seconds: int = 0
    finished: bool = False


def _step_audit(
    http_request, step: LogoutChainStep, action: str, outcome: str, reason: str
) -> None:
    endpoint_audit(
        http_request=http_request,
        application=step.application,
        action=action,
        outcome=outcome,
        binding=step.application.saml.sp_logout_binding,
        reason=reason,
        actor=step.chain.user,
    )


def logout_chain_advance(*, http_request, chain: LogoutChain) -> ChainMove:
    """Close timed-out steps, send the next LogoutRequest, or say the chain is done.

    Each step's outcome (sent, could not be sent, timed out) is an audit event.
    """

    def audit(step, action, outcome, reason):
        _step_audit(http_request, step, action, outcome, reason)

    while True:
        step = selectors.logout_chain_open_step(chain)
        if step is None:
            return ChainMove(finished=True)
        if step.status == Status.SENT:
            waited = (_now() - step.sent_at).total_seconds()
            left = app_settings.logout_step_timeout_seconds - waited
            if left > 0:
                return ChainMove(step=step, wait_seconds=int(left) + 1)
            if chain_services.logout_chain_step_close(step=step, status=Status.TIMED_OUT):
                audit(step, "sso.logout.timeout", "failure", "No LogoutResponse in time.")
            continue
        try:
            outgoing = logout_request_create(step=step)
            sp_destination_check(application=step.application, url=outgoing.destination)
            # Signed now, before the step counts as sent, so a key that cannot sign fails
            # this step rather than the page that would deliver it.
            redirect_url = redirect_url_sign(step.application, outgoing.message)
        except SamlError as error:
            _step_fail(http_request, step, error.reason)
            continue
        except Exception as error:
            # One app's broken configuration (no active key pair, a key that will not
            # decrypt or sign, a pysaml2 error) must not stop signing the user out of the
            # others: it is this step's failure, named to the user, never a 500.
            logger.exception("LogoutRequest for application %s not built", step.application_id)
            _step_fail(
                http_request,
                step,
                f"The LogoutRequest could not be built or signed ({type(error).__name__}).",
            )
            continue
        if not chain_services.logout_chain_step_send(step=step, request_id=outgoing.request_id):
            continue  # another tab sent it just now; look again
        audit(
            step,
            "sso.logout.sent",
            "success",
            f"LogoutRequest sent over {outgoing.binding} (log out everywhere).",
        )
        return ChainMove(step=step, outgoing=outgoing.message, redirect_url=redirect_url)


def _step_fail(http_request, step: LogoutChainStep, reason: str) -> None:
    if chain_services.logout_chain_step_close(step=step, status=Status.FAILED, reason=reason):
        _step_audit(http_request, step, "sso.logout.sent", "failure", reason)


def logout_chain_not_ended(chain: LogoutChain) -> list[str]:
    """Return the apps whose sessions the chain did not end (failed, timed out, skipped)."""
    return [
        step.application.display_label
        for step in selectors.logout_chain_steps(chain)
        if step.status != Status.SUCCEEDED
    ]


def redirect_url_sign(application: Application, message: OutgoingMessage) -> str:
    """Return the signed HTTP-Redirect URL for a Redirect-bound message, else ""."""
    if message.binding != BindingName.REDIRECT:
        return ""
    return message.redirect_url(
        private_key_pem=runtimes.get(application).settings.private_key_pem,
        signature_algorithm=application.saml.signature_algorithm,
    )


def logout_chain_skip(*, http_request, chain: LogoutChain) -> None:
    """The user's "Continue": stop waiting for the app that has not answered."""
    step = selectors.logout_chain_open_step(chain)
    if (
        step is not None
        and step.status == Status.SENT
        and chain_services.logout_chain_step_close(step=step, status=Status.TIMED_OUT)
    ):
        _step_audit(
            http_request,
            step,
            "sso.logout.timeout",
            "failure",
            "No LogoutResponse; the user continued.",
        )


def logout_chain_answer(*, http_request, step: LogoutChainStep, status: str | None) -> None:
    """Record the SP's LogoutResponse for its chain step."""
    success = status == STATUS_SUCCESS
    if chain_services.logout_chain_step_answer(step=step, sp_status=status or "", success=success):
        _step_audit(
            http_request,
            step,
            "sso.logout.answered",
            "success" if success else "failure",
            f"LogoutResponse status {status or 'missing'}.",
        )


@dataclass(frozen=True)
class _BuiltRequest:
    message: OutgoingMessage
    request_id: str

    @property
    def binding(self) -> str:
        return self.message.binding

    @property
    def destination(self) -> str:
        return self.message.destination


def logout_request_create(*, step: LogoutChainStep) -> _BuiltRequest:
    """Build the signed LogoutRequest naming the subject and sessions this app was given.

    Over POST the message carries an enveloped signature; over Redirect the query string
    is signed when it is delivered (OutgoingMessage.redirect_url).
    """
    application = step.application
    config = application.saml
    runtime = runtimes.get(application)
    binding = config.sp_logout_binding
    sign_alg, digest_alg = SIGNATURE_ALGORITHMS[config.signature_algorithm]
    request_id, request = runtime.server.create_logout_request(
        destination=config.sp_logout_url,
        issuer_entity_id=config.sp_entity_id,
        name_id=saml.NameID(text=step.name_id, format=step.name_id_format or None),
        reason=LOGOUT_REASON_USER,
        session_indexes=list(step.session_indexes) or None,
        sign=binding == BindingName.POST,
        sign_alg=sign_alg,
        digest_alg=digest_alg,
    )
    return _BuiltRequest(
        message=OutgoingMessage(
            binding=binding,
            destination=config.sp_logout_url,
            parameter="SAMLRequest",
            xml=str(request),
            relay_state="",
        ),
        request_id=request_id,
    )
