"""Single Logout: end only the sessions this app's assertions created, then answer its SP.

A LogoutRequest usually arrives cross-site, so whom it may sign out is decided by what
it proves: a verified signature ends the SP sessions it names (recorded when each
Response went out, see sso_apps.models.SpSession); an unsigned one from an app without
an SP certificate only asks the user to confirm, and only if it names this browser's own
session with the app; an unsigned one from an app with a certificate is refused.
A LogoutResponse is accepted only as the answer to a LogoutRequest we issued.
"""

from dataclasses import asdict, dataclass

from django.contrib.auth import logout
from saml2 import saml, samlp

from accounts.sessions import sessions_end
from sso_apps import selectors
from sso_apps.idp import logout_chain as chain_flow
from sso_apps.idp.messages import (
    OutgoingMessage,
    ReceivedMessage,
    message_receive,
    posted_form,
    request_id_consume,
)
from sso_apps.idp.runtime import AppRuntime
from sso_apps.models import Application, LogoutChain, SpSession
from sso_apps.saml.constants import BINDING_URIS, SIGNATURE_ALGORITHMS, BindingName
from sso_apps.saml.errors import SamlError
from sso_apps.saml.logout_messages import name_id_format_of
from sso_apps.saml.requests import SamlRequestError
from sso_apps.saml.status import SamlStatus
from sso_apps.services.sp_sessions import issued_logout_request_consume, sp_sessions_forget

CONFIRM_KEY = "saml_slo_confirm:{suffix}"


class SloDenied(SamlError):
    """Signal a Single Logout this application may not perform at all (a 403)."""


@dataclass(frozen=True)
class LogoutReply:
    """What answering a validated LogoutRequest needs; never the raw request itself.

    Kept in the session while the user confirms: the request ID is already consumed,
    so nothing here can be replayed through a second validation.
    """

    request_id: str
    issuer: str
    relay_state: str
    binding: str

    def to_session(self) -> dict:
        return asdict(self)

    @classmethod
    def from_session(cls, data: dict) -> "LogoutReply":
        return cls(**data)


@dataclass(frozen=True)
class LogoutOutcome:
    """What the SLO endpoint does next, and why (for the audit event)."""

    reply: LogoutReply | None  # None: our own logout was answered; nothing to send back
    reason: str
    confirm: bool = False  # ask the signed-in user before ending their session
    # Other apps to sign out of first: the browser goes through the chain, which sends
    # `reply` at its end.
    chain: LogoutChain | None = None


def logout_message_kind(http_request) -> str:
    """Return "LogoutResponse" if the request carries a SAMLResponse, else "LogoutRequest"."""
    carried = posted_form(http_request) if http_request.method == "POST" else http_request.GET
    return "LogoutResponse" if "SAMLResponse" in carried else "LogoutRequest"


def logout_receive(*, http_request, application: Application, runtime: AppRuntime):
    """Validate an SLO message, end what it may end, and say what to answer."""
    kind = logout_message_kind(http_request)
    if kind == "LogoutRequest" and not application.sso_active:
        raise SloDenied("SSO is not active for this application, so it cannot sign anyone out.")
    received = message_receive(
        http_request=http_request, application=application, runtime=runtime, kinds={kind}
    )
    if kind == "LogoutResponse":
        return _logout_response_accept(
            http_request=http_request, application=application, received=received
        )
    if not received.signature_verified and application.saml.sp_certificate:
        raise SamlRequestError(
            "This application has an SP certificate, so its LogoutRequests must be signed."
        )
    request_id_consume(application=application, message=received.message)
    reply = LogoutReply(
        request_id=received.message.id,
        issuer=received.message.issuer,
        relay_state=received.relay_state,
        binding=received.binding,
    )
    if received.signature_verified:
        user = http_request.user
        keys = set(_sp_sessions_named(application, received).values_list("session_key", flat=True))
        ended = _sessions_end(http_request=http_request, application=application, session_keys=keys)
        chain = _chain_start(
            http_request=http_request, application=application, reply=reply, user=user, keys=keys
        )
        return LogoutOutcome(
            reply=reply, reason=f"Signed LogoutRequest: {ended} session(s) ended.", chain=chain
        )
    here = http_request.session.session_key
    if not here or not _sp_sessions_named(application, received).filter(session_key=here):
        return LogoutOutcome(
            reply=reply, reason="Unsigned LogoutRequest naming no session of this app here."
        )
    http_request.session[CONFIRM_KEY.format(suffix=application.idp_suffix)] = reply.to_session()
    return LogoutOutcome(
        reply=reply, reason="Unsigned LogoutRequest: asked the user to confirm.", confirm=True
    )


def logout_confirmed(*, http_request, application: Application) -> LogoutOutcome:
    """End the user's own session after they confirmed an unsigned LogoutRequest."""
    data = http_request.session.pop(CONFIRM_KEY.format(suffix=application.idp_suffix), None)
    if data is None:
        raise SamlRequestError("No sign-out is waiting for your confirmation; nothing was ended.")
    if not application.sso_active:
        raise SloDenied("SSO is not active for this application, so it cannot sign anyone out.")
    user = http_request.user
    keys = {http_request.session.session_key}
    _sessions_end(http_request=http_request, application=application, session_keys=keys)
    reply = LogoutReply.from_session(data)
    chain = _chain_start(
        http_request=http_request, application=application, reply=reply, user=user, keys=keys
    )
    return LogoutOutcome(reply=reply, reason="Sign-out confirmed by the user.", chain=chain)


def _chain_start(
    *, http_request, application, reply: LogoutReply, user, keys
) -> LogoutChain | None:
    """Start logging out of the other apps these sessions reached; this app is answered last."""
    return chain_flow.logout_everywhere_start(
        http_request=http_request,
        user=user,
        session_keys=keys,
        origin=chain_flow.ChainOrigin(
            application=application,
            request_id=reply.request_id,
            issuer=reply.issuer,
            relay_state=reply.relay_state,
            binding=reply.binding,
        ),
    )


def _sp_sessions_named(application, received: ReceivedMessage):
    """Return the app's SP sessions the LogoutRequest's subject and SessionIndex name."""
    message = received.message
    if not message.name_id:
        return SpSession.objects.none()
    return selectors.sp_sessions_for_logout(
        application=application,
        name_id=message.name_id,
        name_id_format=name_id_format_of(received.xml),
        session_indexes=message.session_indexes,
    )


def _logout_response_accept(*, http_request, application, received: ReceivedMessage):
    in_response_to = received.message.in_response_to
    issued = in_response_to and issued_logout_request_consume(
        application=application, request_id=in_response_to
    )
    if not issued:
        # Unsolicited, replayed or late: a cross-site GET must not sign anyone out.
        raise SamlRequestError(
            "This LogoutResponse answers no sign-out request of ours; nothing was ended."
        )
    keys = {issued.session_key} if issued.session_key else set()
    ended = _sessions_end(http_request=http_request, application=application, session_keys=keys)
    step = selectors.logout_chain_step_answered_by(
        application=application, request_id=issued.request_id
    )
    if step is not None:
        chain_flow.logout_chain_answer(
            http_request=http_request, step=step, status=received.message.status
        )
    return LogoutOutcome(
        reply=None,
        reason=f"LogoutResponse received: {ended} session(s) ended.",
        chain=step.chain if step is not None else None,
    )


def _sessions_end(*, http_request, application, session_keys: set[str]) -> int:
    """End these IdP sessions (the browser's own through logout(), so its signals fire)."""
    session_keys = {key for key in session_keys if key}
    current = http_request.session.session_key
    others = session_keys - {current}
    ended = sessions_end(session_keys=others)
    if current in session_keys:
        logout(http_request)
        ended += 1
    sp_sessions_forget(application=application, session_keys=session_keys)
    return ended


def logout_response_create(
    *,
    application: Application,
    runtime: AppRuntime,
    reply: LogoutReply,
    status: SamlStatus | None = None,
) -> OutgoingMessage:
    """Build the LogoutResponse for the app's SP Logout URL over its configured binding.

    Over POST the message carries an enveloped signature; over Redirect the query string
    is signed instead, as the bindings specification requires. `status` replaces plain
    Success (e.g. Success/PartialLogout); None keeps it.
    """
    config = application.saml
    if not config.sp_logout_url:
        raise SamlError("This application has no SP Logout URL to answer to.")
    binding = config.sp_logout_binding
    sign_alg, digest_alg = SIGNATURE_ALGORITHMS[config.signature_algorithm]
    # pysaml2 reads only the ID and Issuer of the request it answers.
    answered = samlp.LogoutRequest(id=reply.request_id, issuer=saml.Issuer(text=reply.issuer))
    response = runtime.server.create_logout_response(
        answered,
        bindings=[BINDING_URIS[binding]],
        status=status.to_element() if status is not None else None,
        sign=binding == BindingName.POST,
        sign_alg=sign_alg,
        digest_alg=digest_alg,
    )
    return OutgoingMessage(
        binding=binding,
        destination=config.sp_logout_url,
        parameter="SAMLResponse",
        xml=str(response),
        relay_state=reply.relay_state,
    )
